package b2bua

import (
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// RFC 3261 timers for the 2xx retransmissions the core does itself.
const (
	timerT1 = 500 * time.Millisecond
	timerT2 = 4 * time.Second
)

// awaitACK keeps a 2xx we sent on leg l alive until its ACK: retransmitted
// on unreliable transports at T1, doubling up to T2; after 64*T1 without ACK
// the session is ended (RFC 3261 §13.3.1.4).
func (cl *call) awaitACK(l *leg, seq uint32, res *sipx.Response, tx sipx.ServerTransaction, onACK func([]byte)) {
	if l.ackWait != nil && l.ackWait.timer != nil {
		l.ackWait.timer.Stop()
	}
	w := &ackWait{seq: seq, res: res, tx: tx, interval: timerT1, started: time.Now(), onACK: onACK}
	l.ackWait = w
	w.timer = time.AfterFunc(w.interval, func() { cl.post(func() { cl.retransmit2xx(l, w) }) })
}

func (cl *call) retransmit2xx(l *leg, w *ackWait) {
	if l.ackWait != w || cl.state == stEnded {
		return
	}
	if time.Since(w.started) >= 64*timerT1 {
		cl.log.Warn("b2bua: no ACK for 2xx, ending call", "leg_id", l.id)
		l.ackWait = nil
		w.dropNext(cl.core)
		if w.onACK != nil {
			w.onACK(nil) // complete the other leg's handshake before its BYE
		}
		cl.hangupConnected("core", "no ACK")
		w.runThen() // the commands see the call ended
		return
	}
	if l.dlg.transport != "TCP" {
		if err := w.tx.Respond(w.res); err != nil {
			cl.log.Debug("b2bua: 2xx retransmission failed", "leg_id", l.id, "error", err)
		}
		cl.core.metrics.retransmit.Inc()
		w.interval = min(2*w.interval, timerT2)
	} else {
		w.interval = 64*timerT1 - time.Since(w.started)
	}
	w.timer = time.AfterFunc(w.interval, func() { cl.post(func() { cl.retransmit2xx(l, w) }) })
}

// onAck matches an ACK to the 2xx that waits for it.
func (cl *call) onAck(l *leg, req *sipx.Request) {
	w := l.ackWait
	if w == nil || req.CSeq().SeqNo != w.seq {
		return // a retransmitted ACK, or one for an answer already settled
	}
	w.timer.Stop()
	l.ackWait = nil
	if w.onACK != nil {
		w.onACK(req.Body())
	}
	if l.inv != nil && l.inv.final {
		// The caller's INVITE is settled: let its request and transaction go.
		l.inv = settled
	}
	if w.next != nil {
		cl.startOffer(w.nextFrom, w.next, w.nextMethod)
	}
	w.runThen()
}

// settled stands for an INVITE that has been answered and acknowledged, so
// that a long call does not keep the request and transaction alive.
var settled = func() *inbound {
	in := &inbound{final: true, done: make(chan struct{})}
	close(in.done)
	return in
}()

// runThen runs the commands that waited for this ACK.
func (w *ackWait) runThen() {
	then := w.then
	w.then = nil
	for _, f := range then {
		f()
	}
}

// dropNext answers the offer that waited for this ACK: the leg is over.
func (w *ackWait) dropNext(c *Core) {
	if w.next != nil {
		c.reject(w.next, 481, "Call/Transaction Does Not Exist")
		w.next = nil
	}
}

// onAck serves ACKs that are not part of a transaction: ACKs for our 2xx.
func (c *Core) onAck(req *sipx.Request, tx sipx.ServerTransaction) {
	c.metrics.requests.WithLabelValues("ACK").Inc()
	if req.CallID() == nil || req.CSeq() == nil {
		return
	}
	v, ok := c.legs.Load(dialogKey(req.CallID().Value(), sipx.ToTag(req.To())))
	if !ok {
		return // an ACK is never answered
	}
	l := v.(*leg)
	c.postLeg(l, func(cl *call) { cl.onAck(l, req) })
}
