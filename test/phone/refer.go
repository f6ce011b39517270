package phone

import (
	"time"

	"github.com/emiago/sipgo/sip"
)

// ReferOutOfDialog sends a REFER outside any dialog to target (a GRUU, say)
// with extra headers (Refer-To, Target-Dialog...), and returns the final
// response and the dialog it creates, on which the NOTIFYs arrive.
func (p *Phone) ReferOutOfDialog(target sip.Uri, user string, hdrs ...sip.Header) (*sip.Response, *Dialog) {
	p.t.Helper()
	d := newDialog(p)
	d.callID = "refer-" + sip.GenerateTagN(12) + "@" + p.name
	d.localTag = sip.GenerateTagN(12)
	d.localURI = sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: p.port}
	d.remoteURI = target
	d.remoteTarget = target
	p.addDialog(d)
	req := d.build(sip.REFER, 0)
	req.AppendHeader(p.contact())
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	req.SetBody(nil)
	res := p.start(req, nil).Final(5 * time.Second)
	if res.StatusCode < 300 {
		d.mu.Lock()
		d.remoteTag, _ = res.To().Params.Get("tag")
		if c := res.Contact(); c != nil {
			d.remoteTarget = *c.Address.Clone()
		}
		d.mu.Unlock()
	}
	return res, d
}
