package b2bua

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// maxGlareRetries is how often a relayed re-INVITE is retried after 491
// before the 491 is passed back to its sender.
const maxGlareRetries = 2

// offerTx is a re-INVITE or UPDATE from one party being relayed to the
// other, or one Tandem makes itself (from and in nil, done set: hold and
// resume by command). At most one runs per call: a second one from either
// side is glare and gets 491.
type offerTx struct {
	from, to *leg
	in       *inbound
	method   sipx.RequestMethod
	body     []byte
	tries    int
	retry    *time.Timer
	// done reports the outcome of a local offer: the peer's final code (or
	// CodeTimeout) and reason; res is the 2xx, when one came (an offerless
	// re-INVITE's is not yet acknowledged: done sends the ACK).
	done func(code int, reason string)
	res  *sipx.Response
}

// local reports whether Tandem made the offer itself.
func (o *offerTx) local() bool { return o.in == nil }

// onReinvite relays a re-INVITE (hold, resume, codec change).
func (cl *call) onReinvite(x *leg, in *inbound) {
	cl.startOffer(x, in, sipx.INVITE)
}

// onUpdate relays an UPDATE; one without a body (a session refresh) is
// answered here.
func (cl *call) onUpdate(x *leg, in *inbound) {
	if len(in.req.Body()) == 0 {
		res := cl.core.response(in.req, 200, "OK", nil)
		res.AppendHeader(x.contact.Clone())
		in.send(res)
		return
	}
	cl.startOffer(x, in, sipx.UPDATE)
}

func (cl *call) startOffer(x *leg, in *inbound, method sipx.RequestMethod) {
	c := cl.core
	y := x.other()
	switch {
	case cl.state != stConnected || x.state != legConfirmed || y == nil || y.state != legConfirmed:
		c.reject(in, 491, "Request Pending")
		return
	case cl.offer == nil && (x.ackWait == nil) != (y.ackWait == nil) && waitingACK(x, y).next == nil:
		// The last offer is done but for the ACK of our 2xx to its sender,
		// who sent that ACK before this request if it is the sender (RFC
		// 3261 §14.1) and at about the same time otherwise; sipgo dispatches
		// requests concurrently, so this one can overtake it. Start this
		// offer when the ACK arrives rather than refuse it with 491.
		w := waitingACK(x, y)
		w.next, w.nextFrom, w.nextMethod = in, x, method
		return
	case cl.offer != nil || x.ackWait != nil || y.ackWait != nil:
		// glare, or the previous offer's ACK has not come yet
		c.reject(in, 491, "Request Pending")
		return
	}
	if method == sipx.INVITE {
		in.tx.Respond(c.response(in.req, 100, "Trying", nil))
	}
	o := &offerTx{from: x, to: y, in: in, method: method, body: in.req.Body()}
	cl.offer = o
	cl.sendOffer(o)
}

// waitingACK is the 2xx of x or y that waits for its ACK.
func waitingACK(x, y *leg) *ackWait {
	if x.ackWait != nil {
		return x.ackWait
	}
	return y.ackWait
}

// sendOffer sends (or re-sends after 491) the relayed request to the peer.
func (cl *call) sendOffer(o *offerTx) {
	c := cl.core
	y := o.to
	req := y.dlg.request(o.method)
	req.AppendHeader(y.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	ctype := "application/sdp"
	if !o.local() {
		if mf := o.in.req.MaxForwards(); mf != nil {
			req.ReplaceHeader(newMaxForwards(mf.Val() - 1))
		}
		c.headers.copyAllowed(req, o.in.req)
		ctype = contentType(o.in.req)
	}
	if len(o.body) > 0 {
		req.AppendHeader(sipx.NewHeader("Content-Type", ctype))
		req.SetBody(y.origin.rewrite(o.body))
	}
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		cl.log.Warn("b2bua: relaying "+string(o.method)+" failed", "leg_id", y.id, "error", err)
		cl.offerFailed(o, CodeTimeout, "")
		return
	}
	if o.method == sipx.INVITE {
		c.resendACKOn2xx(tx, y)
	}
	go cl.readFinal(tx, func(res *sipx.Response) { cl.onOfferResponse(o, res) }, func() { cl.offerFailed(o, CodeTimeout, "") })
}

// readFinal waits for a client transaction's final response and posts it
// (or its failure) to the call's executor.
func (cl *call) readFinal(tx sipx.ClientTransaction, onFinal func(*sipx.Response), onGone func()) {
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode >= 200 {
				cl.post(func() { onFinal(res) })
				return
			}
		case <-tx.Done():
			cl.post(onGone)
			return
		}
	}
}

// onOfferResponse relays the peer's final answer back to the offerer.
func (cl *call) onOfferResponse(o *offerTx, res *sipx.Response) {
	defer cl.runIdle()
	if cl.offer != o || cl.state == stEnded {
		if res.StatusCode < 300 && o.method == sipx.INVITE {
			o.to.dlg.updateTarget(res.Contact())
			cl.sendACK(o.to, res, nil)
		}
		return
	}
	c := cl.core
	x, y := o.from, o.to
	code := res.StatusCode
	if code >= 300 {
		if code == 491 && o.tries < maxGlareRetries {
			o.tries++
			c.metrics.glare.Inc()
			wait := randomGlareBackoff(y.callIDOwner())
			cl.log.Debug("b2bua: glare, retrying", "leg_id", y.id, "after", wait)
			o.retry = time.AfterFunc(wait, func() {
				cl.post(func() {
					if cl.offer == o && cl.state != stEnded {
						cl.sendOffer(o)
					}
				})
			})
			return
		}
		cl.offerFailed(o, code, res.Reason)
		return
	}
	y.dlg.updateTarget(res.Contact())
	hadOffer := len(o.body) > 0
	if o.method == sipx.INVITE && hadOffer {
		cl.sendACK(y, res, nil)
	}
	if o.local() {
		cl.offer = nil
		cl.noteHoldBy(y, o.body, "command")
		o.res = res
		o.done(code, res.Reason)
		return
	}
	var body []byte
	if len(res.Body()) > 0 {
		body = x.origin.rewrite(res.Body())
	}
	resX := c.response(o.in.req, code, res.Reason, body)
	resX.AppendHeader(x.contact.Clone())
	c.headers.copyAllowed(resX, res)
	o.in.send(resX)
	cl.offer = nil
	if o.method == sipx.INVITE {
		var onACK func([]byte)
		if !hadOffer {
			onACK = func(b []byte) { cl.sendACK(y, res, b) }
		}
		cl.awaitACK(x, o.in.req.CSeq().SeqNo, resX, o.in.tx, onACK)
	}
	if hadOffer {
		cl.noteHoldBy(x, o.body, "party")
	}
}

// whenIdle runs f once no offer or bridge is in progress on the call: now,
// or when the current one is over (f checks the call's state itself).
func (cl *call) whenIdle(f func()) {
	if cl.offer == nil && cl.bridging == nil {
		f()
		return
	}
	cl.idle = append(cl.idle, f)
}

// runIdle runs what waited for the call's offers to be over, one at a
// time: one that starts an offer leaves the rest waiting for it.
func (cl *call) runIdle() {
	for len(cl.idle) > 0 && cl.offer == nil && cl.bridging == nil {
		f := cl.idle[0]
		cl.idle = cl.idle[1:]
		f()
	}
}

// noteHoldBy announces hold and resume from the direction offered on leg
// x: by its party ("party"), or by Tandem to it ("command").
func (cl *call) noteHoldBy(x *leg, offer []byte, by string) {
	dir, ok := sdpDirection(offer)
	if !ok {
		return
	}
	switch held := isHold(dir); {
	case held && !x.held:
		x.held = true
		cl.emit(events.TypeLegHeldV1, x.id, &events.LegHeldV1{Direction: dir, By: by})
	case !held && x.held:
		x.held = false
		cl.emit(events.TypeLegResumedV1, x.id, &events.LegResumedV1{Direction: dir, By: by})
	}
}

// offerFailed handles a failed relayed offer by what the failure destroys
// (RFC 5057 §5.1): a transaction-only failure goes back to the offerer and
// the call continues; anything else ends the call.
func (cl *call) offerFailed(o *offerTx, code int, reason string) {
	if cl.offer != o {
		return
	}
	defer cl.runIdle()
	cl.offer = nil
	c := cl.core
	scope := Classify(string(o.method), code)
	c.metrics.midcall.WithLabelValues(scope.String()).Inc()
	if o.local() {
		o.done(code, reason)
	}
	if scope == ScopeTransaction {
		if !o.local() {
			o.in.send(c.response(o.in.req, code, reason, nil))
		}
		return
	}
	cl.log.Info("b2bua: peer dialog failed, ending call", "leg_id", o.to.id, "method", o.method, "code", code, "scope", scope)
	if !o.local() {
		o.in.send(c.response(o.in.req, 500, "Peer Dialog Failed", nil))
	}
	cl.endOnFailure(o.to, scope, code, "peer "+scope.String()+" failed")
}

// endOnFailure ends a connected call after a failure destroyed the usage or
// the dialog of leg failed (RFC 5057 §5.1): BYE to the other leg, and to
// failed too when only its usage is gone (a dialog that is gone, or a 481,
// leaves nobody to say BYE to).
func (cl *call) endOnFailure(failed *leg, scope FailureScope, code int, reason string) {
	if scope == ScopeUsage && code != 481 {
		cl.sendBye(failed)
	}
	cl.dropLeg(failed, failed.side, 200, reason)
}
