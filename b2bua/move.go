package b2bua

import (
	"github.com/tandem-sip/tandem/events"
)

// postLeg runs f on the executor of the call that owns l when f runs: if a
// bridge moved l to another call meanwhile, f follows it there. false: the
// owning call accepts no more work.
func (c *Core) postLeg(l *leg, f func(cl *call)) bool {
	cl := l.call()
	return cl.post(func() {
		if now := l.call(); now != cl {
			if !c.postLeg(l, f) {
				f(cl) // the new owner has ended: the old one answers (481)
			}
			return
		}
		f(cl)
	})
}

// members are the legs the call owns now, ended ones included: its A leg,
// its B legs, and the legs originated into it or moved to it.
func (cl *call) members() []*leg {
	out := make([]*leg, 0, 2+len(cl.allB)+len(cl.extra))
	if cl.a != nil && cl.a.call() == cl {
		out = append(out, cl.a)
	}
	for _, b := range cl.allB {
		if b.call() == cl {
			out = append(out, b)
		}
	}
	for _, x := range cl.extra {
		if x.call() == cl {
			out = append(out, x)
		}
	}
	return out
}

// liveLegs counts the call's legs that have not ended.
func (cl *call) liveLegs() int {
	n := 0
	for _, l := range cl.members() {
		if l.state != legEnded {
			n++
		}
	}
	return n
}

// movable reports why l cannot leave its call now ("" when it can): it
// must be answered with no offer, ACK or INVITE of ours in flight.
func (cl *call) movable(l *leg) string {
	switch {
	case l.state != legConfirmed:
		return "leg " + l.id + " is not answered"
	case l.ackWait != nil || (cl.offer != nil && (cl.offer.to == l || cl.offer.from == l)):
		return "an offer is in progress on leg " + l.id + "; retry"
	case cl.bridging != nil && (cl.bridging[0] == l || cl.bridging[1] == l):
		return "leg " + l.id + " is being bridged; retry"
	}
	return ""
}

// unpeer separates l from its peer, which stays up alone.
func (cl *call) unpeer(l *leg, why string) {
	p := l.peer
	if p == nil {
		return
	}
	l.peer, p.peer = nil, nil
	cl.emit(events.TypeLegUnbridgedV1, l.id, &events.LegUnbridgedV1{PeerLegID: p.id, Why: why})
	cl.emit(events.TypeLegUnbridgedV1, p.id, &events.LegUnbridgedV1{PeerLegID: l.id, Why: why})
}

// moveTo hands l (of cl, movable) to call to; then runs on to's executor
// with l as one of to's legs. l's peer in cl stays, alone. If to has ended,
// l stays in cl and then gets false. A cl left without legs ends.
func (cl *call) moveTo(l *leg, to *call, then func(ok bool)) {
	cl.unpeer(l, "rebridged")
	fromSeq := cl.seq
	cl.emit(events.TypeLegMovedV1, l.id, &events.LegMovedV1{FromCallID: cl.id, FromSeq: fromSeq})
	l.owner.Store(to)
	ok := to.post(func() {
		if to.state == stEnded {
			// too late: back to cl, which decides (it still counts l)
			l.owner.Store(cl)
			if !cl.post(func() { then(false) }) {
				cl.log.Warn("b2bua: leg lost in a move between ended calls", "leg_id", l.id)
			}
			return
		}
		to.extra = append(to.extra, l)
		to.emit(events.TypeLegMovedV1, l.id, &events.LegMovedV1{FromCallID: cl.id, FromSeq: fromSeq})
		then(true)
		cl.post(cl.endIfEmpty)
	})
	if !ok {
		l.owner.Store(cl)
		then(false)
	}
}

// endIfEmpty ends a call that has no leg left and no INVITE of ours
// pending (its last leg moved away or ended alone).
func (cl *call) endIfEmpty() {
	if cl.state == stEnded || cl.liveLegs() > 0 || len(cl.forks) > 0 || cl.originating > 0 {
		return
	}
	if cl.a != nil && cl.a.call() == cl && cl.a.inv != nil && !cl.a.inv.final {
		return
	}
	cl.state = stEnded
	cl.finish("core", 200, "no legs left", "connected")
}
