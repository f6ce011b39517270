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

// onOutOfDialog serves a REFER outside any dialog: it makes a dialog of
// it (the phone's tag on the request) and hands it to NextOutOfDialog.
func (p *Phone) onOutOfDialog(req *sip.Request, tx sip.ServerTransaction) {
	d := uasDialog(p, req)
	p.addDialog(d)
	sr := &ServerRequest{Method: req.Method, Req: req, d: d, tx: tx, answered: make(chan struct{})}
	select {
	case p.ood <- sr:
	default:
		p.t.Errorf("phone %s: too many unread out-of-dialog requests", p.name)
		p.respond(tx, req, 486)
		return
	}
	select {
	case <-sr.answered:
	case <-tx.Done():
	case <-p.closed:
	}
}

// NextOutOfDialog returns the next REFER the phone got outside any dialog,
// failing the test after timeout. Answer it with Respond; its Dialog is
// where the NOTIFYs go.
func (p *Phone) NextOutOfDialog(timeout time.Duration) *ServerRequest {
	p.t.Helper()
	select {
	case r := <-p.ood:
		return r
	case <-time.After(timeout):
		p.t.Fatalf("phone %s: no out-of-dialog request within %v", p.name, timeout)
		return nil
	}
}

// Dialog is the dialog the request belongs to (or created).
func (r *ServerRequest) Dialog() *Dialog { return r.d }
