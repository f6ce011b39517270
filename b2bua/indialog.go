package b2bua

import (
	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// knownMethods bounds the label values of the requests metric.
var knownMethods = map[string]bool{
	"INVITE": true, "ACK": true, "CANCEL": true, "BYE": true, "OPTIONS": true, "UPDATE": true, "INFO": true,
	"MESSAGE": true, "SUBSCRIBE": true, "NOTIFY": true, "REFER": true, "PRACK": true, "REGISTER": true, "PUBLISH": true,
}

// onRequest serves every method but INVITE and ACK.
func (c *Core) onRequest(req *sipx.Request, tx sipx.ServerTransaction) {
	m := string(req.Method)
	if !knownMethods[m] {
		m = "other"
	}
	c.metrics.requests.WithLabelValues(m).Inc()
	in := newInbound(req, tx)
	if code, reason := checkRequest(req); code != 0 {
		c.reject(in, code, reason)
		return
	}
	if sipx.ToTag(req.To()) != "" {
		c.inDialog(in)
		return
	}
	c.outOfDialog(in)
}

// inDialog hands a request to the call owning its dialog, or answers 481.
func (c *Core) inDialog(in *inbound) {
	key := dialogKey(in.req.CallID().Value(), sipx.ToTag(in.req.To()))
	v, ok := c.legs.Load(key)
	if !ok {
		if sv, ok := c.subs.Load(key); ok {
			s := sv.(*regSub)
			if s.ex.post(func() { s.onSubDialog(in) }) {
				in.wait()
				return
			}
		}
		if pv, ok := c.plugSubs.Load(key); ok {
			s := pv.(*plugSub)
			if s.ex.post(func() { s.onSubDialog(in) }) {
				in.wait()
				return
			}
		}
		if pv, ok := c.phoneRefers.Load(key); ok {
			p := pv.(*phoneRefer)
			if p.ex.post(func() { p.onNotify(in) }) {
				in.wait()
				return
			}
		}
		if _, ok := c.byes.Load(key); ok && in.req.Method == sipx.BYE {
			// our BYE and the party's crossed: the dialog is over either way
			in.send(c.response(in.req, 200, "OK", nil))
			return
		}
		if rv, ok := c.referOut.Load(key); ok && in.req.Method == sipx.NOTIFY {
			o := rv.(*outRefer)
			if c.postLeg(o.leg, func(cl *call) { cl.onReferNotify(o, in) }) {
				in.wait()
				return
			}
		}
		c.reject(in, 481, "Call/Transaction Does Not Exist")
		return
	}
	l := v.(*leg)
	if !c.postLeg(l, func(cl *call) { cl.onInDialog(l, in) }) {
		c.reject(in, 481, "Call/Transaction Does Not Exist")
		return
	}
	in.wait()
}

// onStrayCancel answers a CANCEL that matches no INVITE transaction.
func (c *Core) onStrayCancel(req *sipx.Request, tx sipx.ServerTransaction) {
	c.metrics.requests.WithLabelValues("CANCEL").Inc()
	c.reject(newInbound(req, tx), 481, "Call/Transaction Does Not Exist")
}

// onInDialog dispatches an in-dialog request on the call's executor.
func (cl *call) onInDialog(l *leg, in *inbound) {
	c := cl.core
	if cl.state == stEnded || l.state == legEnded {
		if _, ok := c.byes.Load(l.dlg.key()); ok && in.req.Method == sipx.BYE {
			in.send(c.response(in.req, 200, "OK", nil)) // crossed our BYE
			return
		}
		c.reject(in, 481, "Call/Transaction Does Not Exist")
		return
	}
	if !l.dlg.acceptRemoteSeq(string(in.req.Method), in.req.CSeq().SeqNo) {
		c.reject(in, 500, "CSeq Out of Order")
		return
	}
	switch in.req.Method {
	case sipx.BYE:
		cl.onBye(l, in)
	case sipx.INVITE:
		cl.onReinvite(l, in)
	case sipx.UPDATE:
		cl.onUpdate(l, in)
	case sipx.INFO, sipx.MESSAGE:
		cl.relayRequest(l, in)
	case sipx.OPTIONS:
		in.send(c.optionsResponse(in.req))
	case sipx.REFER:
		// Accepted for interop; its subscription is tracked as a usage of
		// its own and never ends the call (DESIGN.md §3).
		cl.onRefer(l, in)
	case sipx.SUBSCRIBE:
		// A second usage inside a call leg: refused, RFC 5057 §5.
		c.reject(in, 603, "Decline")
	case sipx.NOTIFY:
		if o := cl.outRefer; o != nil && o.leg == l && o.ood == nil {
			cl.onReferNotify(o, in)
			return
		}
		c.reject(in, 481, "Subscription Does Not Exist")
	case sipx.PRACK:
		c.reject(in, 481, "No Reliable Provisional Pending")
	default:
		c.reject(in, 501, "Not Implemented")
	}
}

// onBye: one party hung up; the other gets BYE (or its INVITE answered).
func (cl *call) onBye(l *leg, in *inbound) {
	in.send(cl.core.response(in.req, 200, "OK", nil))
	if cl.state == stConnected {
		cl.dropLeg(l, l.side, 200, "bye")
		return
	}
	// BYE on an early dialog (RFC 3261 §15)
	cl.transition(inBye)
	if l.side == events.SideA {
		cl.answerA(487, "Request Terminated", nil, nil)
	} else {
		cl.answerA(480, "Temporarily Unavailable", nil, nil)
	}
	cl.cancelB()
	cl.finish(l.side, 487, "bye before answer", "cancelled")
}

// hangupConnected ends a connected call from the core's side: BYE to every
// answered leg, CANCEL to originated legs still ringing.
func (cl *call) hangupConnected(by, reason string) { cl.hangupExcept(nil, by, 200, reason) }

// hangupExcept ends a connected call for every leg but gone (which needs
// nothing more sent to it), and code is what the call ends with.
func (cl *call) hangupExcept(gone *leg, by string, code int, reason string) {
	if !cl.transition(inHangup) {
		return
	}
	for _, l := range cl.members() {
		if l.state == legEnded || l == gone {
			continue
		}
		if l.orig && l.state != legConfirmed {
			cl.cancelLeg(l)
			continue
		}
		cl.sendBye(l)
	}
	cl.finish(by, code, reason, "connected")
}

// dropLeg: leg l of a connected call is over (its BYE came, or a failure
// destroyed its usage or dialog; what l itself needed was sent). In a call
// nobody controls, a leg that was talking to a peer ends the call: every
// other leg gets BYE. In a claimed call the controller decides: l's peer
// stays up alone (event leg_unbridged, why "peer_ended"). A leg that was
// alone just ends. The call ends when no leg is left.
func (cl *call) dropLeg(l *leg, by string, code int, reason string) {
	transferor := cl.xfer != nil && cl.xfer.from == l // a blind transfer goes on without it
	if cl.claim.controller == "" && l.peer != nil && !transferor {
		cl.hangupExcept(l, by, code, reason)
		return
	}
	if l.peer != nil {
		cl.unpeer(l, "peer_ended")
	}
	cl.endLeg(l, code, reason)
	cl.endIfEmpty()
}

// optionsResponse answers OPTIONS with what Tandem supports.
func (c *Core) optionsResponse(req *sipx.Request) *sipx.Response {
	res := c.response(req, 200, "OK", nil)
	res.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	res.AppendHeader(sipx.NewHeader("Accept", "application/sdp"))
	res.AppendHeader(sipx.NewHeader("Supported", supportedHeader))
	return res
}

// outOfDialog answers requests outside any dialog other than INVITE.
func (c *Core) outOfDialog(in *inbound) {
	switch in.req.Method {
	case sipx.OPTIONS:
		if c.draining.Load() {
			c.reject(in, 503, "Shutting Down")
			return
		}
		if u := in.req.Recipient; u.UriParams.Has("gr") && gruu.Kind(u.User) == 'l' && !c.liveLeg(u.User) {
			c.reject(in, 404, "Not Found") // a leg GRUU lives as long as its leg
			return
		}
		in.send(c.optionsResponse(in.req))
	case sipx.BYE, sipx.UPDATE, sipx.INFO, sipx.PRACK, sipx.NOTIFY:
		c.reject(in, 481, "Call/Transaction Does Not Exist")
	case sipx.SUBSCRIBE:
		if c.registrar != nil && registrar.AcceptsRegEvent(in.req) {
			c.onRegSubscribe(in)
			return
		}
		if c.onPlugSubscribe(in) {
			return // a plugin's answer (plugsub.go)
		}
		res := c.response(in.req, 489, "Bad Event", nil)
		if c.registrar != nil {
			res.AppendHeader(sipx.NewHeader("Allow-Events", "reg"))
		}
		in.send(res)
	case sipx.REFER:
		c.onReferOOD(in)
	case sipx.REGISTER, sipx.MESSAGE, sipx.PUBLISH:
		c.reject(in, 405, "Method Not Allowed")
	default:
		c.reject(in, 501, "Not Implemented")
	}
}
