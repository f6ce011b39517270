package b2bua

import (
	"net/url"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// replaces names a dialog to replace (RFC 3891): its Call-ID and tags. As
// the recipient of the header sees it, to-tag is its own (local) tag and
// from-tag the other party's; senders get this wrong often enough that a
// dialog matching with the tags swapped is accepted too.
type replaces struct {
	callID    string
	toTag     string
	fromTag   string
	earlyOnly bool
	raw       string // the header value, unescaped
}

// parseReplaces reads a Replaces value: callid;to-tag=x;from-tag=y
// [;early-only]. escaped values (from a URI's headers) are unescaped first.
func parseReplaces(v string, escaped bool) (replaces, bool) {
	if escaped {
		u, err := url.QueryUnescape(v)
		if err != nil {
			return replaces{}, false
		}
		v = u
	}
	r := replaces{raw: strings.TrimSpace(v)}
	parts := strings.Split(v, ";")
	r.callID = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "to-tag":
			r.toTag = strings.TrimSpace(val)
		case "from-tag":
			r.fromTag = strings.TrimSpace(val)
		case "early-only":
			r.earlyOnly = true
		}
	}
	return r, r.callID != "" && r.toTag != "" && r.fromTag != ""
}

// legOfDialog finds the leg of the dialog r names on this node, if any.
// Only the map is read here; the caller checks the leg's remote tag on its
// executor with matches.
func (c *Core) legOfDialog(r replaces) *leg {
	for _, local := range []string{r.toTag, r.fromTag} {
		if v, ok := c.legs.Load(dialogKey(r.callID, local)); ok {
			return v.(*leg)
		}
	}
	return nil
}

// matches reports whether l is the dialog r names (on l's executor).
func (r replaces) matches(l *leg) bool {
	d := &l.dlg
	return d.callID == r.callID &&
		((d.localTag == r.toTag && d.remoteTag == r.fromTag) || (d.localTag == r.fromTag && d.remoteTag == r.toTag))
}

// attended carries out an attended transfer: the REFER's Replaces names
// r, the transferor's dialog with the target on this node. The transferee
// (x.to) and the target (r's peer) are bridged directly (the target's leg
// moves to the transferee's call); both of the transferor's legs (x.from
// and r) then end.
func (cl *call) attended(x *transfer, r *leg) {
	c := cl.core
	fail := func(code int, why string) {
		cl.post(func() { cl.xferFail(x, code, "", why) })
	}
	if !c.postLeg(r, func(rc *call) {
		p := r.peer
		switch {
		case !x.replaces.matches(r) || r.state == legEnded:
			fail(481, "replaces names no dialog of ours")
			return
		case x.replaces.earlyOnly && r.state == legConfirmed:
			fail(486, "replaces early-only but the dialog is confirmed")
			return
		case p == nil || !p.live(rc):
			fail(487, "the target is not in a call with the transferor")
			return
		}
		c.bridgeLegs(x.to, p, coreController, func(_ string, err error) {
			cl.post(func() {
				if err != nil {
					cl.xferFail(x, 503, "", "bridge failed: "+err.Error())
					return
				}
				cl.attendedDone(x, r, p)
			})
		})
	}) {
		fail(481, "replaces names no dialog of ours")
	}
}

// attendedDone: the transferee talks to the target; the final NOTIFY goes
// out and both transferor legs end.
func (cl *call) attendedDone(x *transfer, r, p *leg) {
	if x.done {
		return
	}
	x.done = true
	if cl.xfer == x {
		cl.xfer = nil
	}
	el := time.Since(x.started)
	cl.core.metrics.transfers.WithLabelValues("completed").Inc()
	cl.core.metrics.transferTime.Observe(el.Seconds())
	cl.emit(events.TypeTransferCompletedV1, x.from.id, &events.TransferCompletedV1{TransferID: x.id, NewLegID: p.id, ElapsedMS: el.Milliseconds()})
	cl.log.Info("b2bua: attended transfer completed", "transfer_id", x.id, "target_leg", p.id, "elapsed_ms", el.Milliseconds())
	cl.tellIdentity(x.to)
	cl.tellIdentity(p)
	c := cl.core
	cl.xferNotify(x, 200, "OK", true, func() {
		if x.from.live(cl) {
			cl.sendBye(x.from)
			cl.endLeg(x.from, 200, "transferred")
		}
		c.postLeg(r, func(rc *call) { rc.hangupLeg(r, "transferred") })
	})
}

// replaceLeg serves an INVITE with Replaces (RFC 3891) naming leg r of
// this node: the new caller (cl's A leg) takes r's place. r's peer moves to
// this call and is re-INVITEd with the new caller's offer (offerless when
// it had none); its answer answers the new caller; r then gets BYE. A
// dialog that is not ours, not answered, or has nobody on the other side
// gets 481.
func (cl *call) replaceLeg(rp replaces) {
	c := cl.core
	r := c.legOfDialog(rp)
	fail := func(code int, why string) {
		cl.post(func() {
			if cl.state != stRouting {
				return
			}
			cl.log.Info("b2bua: INVITE with Replaces refused", "code", code, "why", why)
			cl.transition(inRouteReject)
			cl.answerA(code, "", nil, nil)
			cl.finish("core", code, why, "rejected")
		})
	}
	if r == nil {
		fail(481, "replaces names no dialog of ours")
		return
	}
	cl.parked = true // nobody routes it; the replacement answers it
	if !c.postLeg(r, func(rc *call) {
		p := r.peer
		switch {
		case !rp.matches(r) || r.state != legConfirmed:
			fail(481, "replaces names no confirmed dialog of ours")
			return
		case p == nil || !p.live(rc):
			fail(481, "nobody is on the other side of the replaced dialog")
			return
		case rc.bridgeable(p) != "":
			fail(491, rc.bridgeable(p))
			return
		}
		rc.moveTo(p, cl, func(moved bool) {
			if !moved {
				fail(481, "the replaced call ended")
				return
			}
			cl.takeOver(p, r)
		})
	}) {
		fail(481, "replaces names no dialog of ours")
	}
}

// takeOver connects the replacing caller (cl.a) to p, then ends r.
func (cl *call) takeOver(p, r *leg) {
	c := cl.core
	a := cl.a
	if cl.state != stRouting || a.inv == nil || a.inv.final {
		return // cancelled meanwhile: p stays here, alone
	}
	offer := a.inv.req.Body()
	o := &offerTx{to: p, method: sipx.INVITE, body: offer}
	cl.bridging = &[2]*leg{a, p}
	o.done = func(code int, reason string) {
		cl.bridging = nil
		defer cl.runIdle()
		if code < 200 || code >= 300 || o.res == nil || cl.state != stRouting {
			cl.log.Info("b2bua: replacing failed", "leg_id", p.id, "code", code)
			if cl.state == stRouting {
				cl.transition(inRouteReject)
				cl.answerA(480, "", nil, nil)
				cl.finish("core", 480, "replace failed", "failed")
			}
			return
		}
		pres := o.res
		res := cl.answerParked(a, pres.Body())
		var onACK func([]byte)
		if len(offer) == 0 {
			// p's 2xx had the offer; a's ACK brings the answer for p's ACK
			p.ackSeq = 0
			onACK = func(body []byte) { cl.sendACK(p, pres, body) }
		}
		cl.awaitACK(a, a.inv.req.CSeq().SeqNo, res, a.inv.tx, onACK)
		cl.peerLegs(a, p)
		cl.tellIdentity(p)
		c.postLeg(r, func(rc *call) { rc.hangupLeg(r, "replaced") })
	}
	cl.offer = o
	cl.sendOffer(o)
}
