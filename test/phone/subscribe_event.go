package phone

import (
	"net"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// SubscribeEvent subscribes to event package event (e.g. "conference") of
// target, a SIP URI whose host:port is where the SUBSCRIBE goes (the
// node), for expires seconds, with extra headers (Accept...). It returns
// the final response and the subscription's dialog, on which the NOTIFYs
// arrive (answer each with OK; one may come before the 200). Refresh or
// unsubscribe with Dialog.Request(sip.SUBSCRIBE, nil, Event and Expires
// headers): once the 200 is in, the dialog has the notifier's tag.
func (p *Phone) SubscribeEvent(target, event string, expires int, hdrs ...sip.Header) (*sip.Response, *Dialog) {
	p.t.Helper()
	var ruri sip.Uri
	if err := sip.ParseUri(target, &ruri); err != nil {
		p.t.Fatalf("phone %s: target %q: %v", p.name, target, err)
	}
	d := newDialog(p)
	d.callID = "sub-" + sip.GenerateTagN(12) + "@" + p.name
	d.localTag = sip.GenerateTagN(12)
	d.localURI = sip.Uri{Scheme: "sip", User: p.name, Host: "127.0.0.1"}
	d.remoteURI = ruri
	d.remoteTarget = ruri
	p.addDialog(d)
	req := d.build(sip.SUBSCRIBE, 0) // with the phone's Contact
	req.SetDestination(net.JoinHostPort(ruri.Host, strconv.Itoa(ruri.Port)))
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
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
