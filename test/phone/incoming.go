package phone

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Incoming is a call the phone received. The test answers its INVITE with
// Ringing, Progress, Answer or Reject; requests in its dialog (ACK, CANCEL,
// BYE, re-INVITE...) queue on the embedded Dialog.
type Incoming struct {
	*Dialog
	// Req is the INVITE as received (with the phone's To-tag added).
	Req *sip.Request

	tx        sip.ServerTransaction
	finalOnce sync.Once
	final     chan struct{} // closed once a final response went out
}

func newIncoming(p *Phone, req *sip.Request, tx sip.ServerTransaction) *Incoming {
	d := uasDialog(p, req)
	return &Incoming{Dialog: d, Req: req, tx: tx, final: make(chan struct{})}
}

// uasDialog is the dialog a request creates at the phone (its UAS side).
func uasDialog(p *Phone, req *sip.Request) *Dialog {
	d := newDialog(p)
	d.callID = req.CallID().Value()
	d.localTag = sip.GenerateTagN(12)
	d.localURI = *req.To().Address.Clone()
	d.remoteURI = *req.From().Address.Clone()
	d.remoteTag, _ = req.From().Params.Get("tag")
	if c := req.Contact(); c != nil {
		d.remoteTarget = *c.Address.Clone()
	} else {
		d.remoteTarget = *req.From().Address.Clone()
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			d.routeSet = append(d.routeSet, *rr.Address.Clone())
		}
	}
	d.localSeq = 100
	// The tag goes on the request so every response built from it, sipgo's
	// 487 after CANCEL included, carries it.
	req.To().Params.Add("tag", d.localTag)
	return d
}

// Body is the INVITE's body (the offer).
func (i *Incoming) Body() []byte { return i.Req.Body() }

// Ringing sends 180.
func (i *Incoming) Ringing() { i.p.t.Helper(); i.must(i.respond(180, "", nil)) }

// Progress sends 183 with sdp (early media).
func (i *Incoming) Progress(sdp []byte) { i.p.t.Helper(); i.must(i.respond(183, "", sdp)) }

// Answer sends 200 with sdp; the ACK then arrives in the dialog.
func (i *Incoming) Answer(sdp []byte) { i.p.t.Helper(); i.must(i.respond(200, "", sdp)) }

// Reject sends a final failure code.
func (i *Incoming) Reject(code int) { i.p.t.Helper(); i.must(i.respond(code, "", nil)) }

// Respond sends any response with reason (default phrase when "") and
// extra headers (a 3xx's Contact, say).
func (i *Incoming) Respond(code int, reason string, body []byte, hdrs ...sip.Header) {
	i.p.t.Helper()
	i.must(i.respond(code, reason, body, hdrs...))
}

func (i *Incoming) must(err error) {
	i.p.t.Helper()
	if err != nil {
		i.p.t.Fatalf("phone %s: respond to INVITE: %v", i.p.name, err)
	}
}

func (i *Incoming) respond(code int, reason string, body []byte, hdrs ...sip.Header) error {
	if reason == "" {
		reason = reasonPhrase(code)
	}
	res := sip.NewResponseFromRequest(i.Req, code, reason, nil)
	if code > 100 && code < 300 {
		res.AppendHeader(i.p.contact())
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	setBody(res, body)
	err := i.tx.Respond(res)
	if code >= 200 {
		i.markFinal()
	}
	return err
}

func (i *Incoming) markFinal() { i.finalOnce.Do(func() { close(i.final) }) }

// onCancel runs in sipgo when a CANCEL matched the INVITE: sipgo has
// answered the CANCEL with 200 and sends 487 to the INVITE.
func (i *Incoming) onCancel(cancel *sip.Request) {
	i.p.record(cancel)
	i.push(&ServerRequest{Method: sip.CANCEL, Req: cancel, d: i.Dialog, answered: make(chan struct{})})
	i.markFinal()
}
