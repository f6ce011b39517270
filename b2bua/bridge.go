package b2bua

import (
	"context"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// BridgeLegs makes the parties of two answered legs talk to each other
// (RFC 3725 §4 flow: an offerless re-INVITE to legID brings its offer, which
// goes to otherLegID; that answer returns to legID in the ACK). A leg of
// another call moves to legID's call first. Former peers stay up, alone.
// It returns the call that holds both legs.
func (c *Core) BridgeLegs(ctx context.Context, legID, otherLegID, controller string) (string, error) {
	if legID == otherLegID {
		return "", events.NewError(events.ErrBadRequest, "cannot bridge leg %s to itself", legID)
	}
	x, ok := c.legIDs.Load(legID)
	if !ok {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	y, ok := c.legIDs.Load(otherLegID)
	if !ok {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", otherLegID)
	}
	type result struct {
		callID string
		err    error
	}
	done := make(chan result, 1)
	c.bridgeLegs(x.(*leg), y.(*leg), controller, func(callID string, err error) { done <- result{callID, err} })
	select {
	case r := <-done:
		return r.callID, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// coreController is the controller name the core uses for its own bridges
// (attended transfer): claims do not stop it.
const coreController = "\x00core"

// bridgeLegs bridges x and y from any goroutine; reply gets the call that
// holds both, exactly once, on some call's executor. y moves to x's call
// when they are in different calls.
func (c *Core) bridgeLegs(x, y *leg, controller string, reply func(callID string, err error)) {
	gone := func(l *leg) error { return events.NewError(events.ErrUnknownLeg, "no leg %q", l.id) }
	once := func(callID string, err error) {
		if reply != nil {
			r := reply
			reply = nil
			r(callID, err)
		}
	}
	var onX func(xc *call)
	onX = func(xc *call) {
		if xc.waitACK(x, func() { onX(xc) }) {
			return
		}
		switch {
		case xc.state == stEnded || x.state == legEnded:
			once("", gone(x))
			return
		case xc.mayControl(controller) != nil:
			once("", xc.mayControl(controller))
			return
		case xc.bridgeable(x) != "":
			once("", events.NewError(events.ErrConflict, "%s", xc.bridgeable(x)))
			return
		}
		done := func(err error) {
			if err != nil {
				once("", err)
				return
			}
			once(xc.id, nil)
		}
		if y.call() == xc {
			xc.startBridge(x, y, done)
			return
		}
		// y lives in another call: it moves here first.
		var onY func(yc *call)
		onY = func(yc *call) {
			if yc.waitACK(y, func() { onY(yc) }) {
				return
			}
			switch {
			case yc.state == stEnded || y.state == legEnded:
				once("", gone(y))
			case yc.mayControl(controller) != nil:
				once("", yc.mayControl(controller))
			case yc.bridgeable(y) != "":
				once("", events.NewError(events.ErrConflict, "%s", yc.bridgeable(y)))
			default:
				yc.moveTo(y, xc, func(moved bool) {
					if !moved || !x.live(xc) {
						once("", events.NewError(events.ErrConflict, "a leg ended during the bridge"))
						return
					}
					xc.startBridge(x, y, done)
				})
			}
		}
		if !c.postLeg(y, onY) {
			once("", gone(y))
		}
	}
	if !c.postLeg(x, onX) {
		once("", gone(x))
	}
}

// waitACK defers f until the ACK of a 2xx of ours on live leg l arrives
// (the party answered or was just re-INVITEd); false when none is awaited.
func (cl *call) waitACK(l *leg, f func()) bool {
	if !l.live(cl) || l.ackWait == nil || cl.state == stEnded {
		return false
	}
	l.ackWait.then = append(l.ackWait.then, f)
	return true
}

// bridgeable says why l cannot be bridged now ("" when it can).
func (cl *call) bridgeable(l *leg) string {
	if l == cl.a && cl.parked && l.state != legConfirmed {
		return "leg " + l.id + " is parked: answer it first"
	}
	return cl.movable(l)
}

// startBridge checks both legs once more on the executor, then bridges.
func (cl *call) startBridge(x, y *leg, reply func(error)) {
	for _, l := range []*leg{x, y} {
		if cl.waitACK(l, func() { cl.startBridge(x, y, reply) }) {
			return
		}
	}
	for _, l := range []*leg{x, y} {
		if why := cl.bridgeable(l); why != "" {
			reply(events.NewError(events.ErrConflict, "%s", why))
			return
		}
	}
	if cl.offer != nil || cl.bridging != nil {
		reply(events.NewError(events.ErrConflict, "an offer is in progress on call %s; retry", cl.id))
		return
	}
	cl.bridge(x, y, reply)
}

// bridge runs the two re-INVITEs of a bridge of x and y (both answered,
// nothing in flight): offerless to x, x's offer to y, y's answer to x in
// the ACK. A failure leaves both up and alone.
func (cl *call) bridge(x, y *leg, reply func(error)) {
	cl.unpeer(x, "rebridged")
	cl.unpeer(y, "rebridged")
	cl.bridging = &[2]*leg{x, y}
	fail := func(format string, args ...any) {
		cl.bridging = nil
		reply(events.NewError(events.ErrConflict, format, args...))
		cl.runIdle()
	}
	o1 := &offerTx{to: x, method: sipx.INVITE}
	o1.done = func(code int, reason string) {
		if code < 200 || code >= 300 || o1.res == nil {
			fail("leg %s answered the re-INVITE with %d %s", x.id, code, reason)
			return
		}
		res1 := o1.res
		offer := res1.Body()
		x.ackSeq = 0 // its ACK waits for y's answer
		if len(offer) == 0 || !y.live(cl) {
			cl.sendACK(x, res1, nil)
			fail("leg %s gave no offer, or leg %s ended", x.id, y.id)
			return
		}
		o2 := &offerTx{to: y, method: sipx.INVITE, body: offer}
		o2.done = func(code int, reason string) {
			if code >= 200 && code < 300 && o2.res != nil && x.live(cl) {
				cl.bridging = nil
				cl.sendACK(x, res1, o2.res.Body())
				cl.peerLegs(x, y)
				cl.tellIdentity(x) // RFC 4916: who each now talks to
				cl.tellIdentity(y)
				reply(nil)
				cl.runIdle()
				return
			}
			if x.live(cl) {
				cl.sendACK(x, res1, inactiveAnswer(offer, cl.core.stack.Host()))
			}
			fail("leg %s answered the re-INVITE with %d %s", y.id, code, reason)
		}
		cl.offer = o2
		cl.sendOffer(o2)
	}
	cl.offer = o1
	cl.sendOffer(o1)
}

// peerLegs records that x and y talk to each other.
func (cl *call) peerLegs(x, y *leg) {
	x.peer, y.peer = y, x
	cl.emit(events.TypeLegBridgedV1, x.id, &events.LegBridgedV1{PeerLegID: y.id})
	cl.emit(events.TypeLegBridgedV1, y.id, &events.LegBridgedV1{PeerLegID: x.id})
}

// logBridge is the reply of a bridge nobody waits for.
func (cl *call) logBridge(x, y *leg) func(error) {
	return func(err error) {
		if err != nil {
			cl.log.Info("b2bua: bridge failed", "leg_id", x.id, "other_leg_id", y.id, "error", err)
		}
	}
}

// UnbridgeLeg separates a leg from its peer: both stay up, re-INVITEd with
// their media inactive.
func (c *Core) UnbridgeLeg(ctx context.Context, legID, controller string) error {
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		p := l.peer
		if p == nil {
			reply(events.NewError(events.ErrConflict, "leg %s is not bridged", l.id))
			return
		}
		if cl.offer != nil || cl.bridging != nil {
			reply(events.NewError(events.ErrConflict, "an offer is in progress on call %s; retry", cl.id))
			return
		}
		cl.unpeer(l, "command")
		cl.holdLeg(l, "inactive", func(err error) {
			if !p.live(cl) {
				reply(err)
				return
			}
			cl.holdLeg(p, "inactive", func(err2 error) {
				if err == nil {
					err = err2
				}
				reply(err)
			})
		})
	})
}
