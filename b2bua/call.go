package b2bua

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// call bridges an A leg and a B leg. Its state is owned by its serial
// executor (post/drain): SIP handlers, transaction readers, timers and
// commands post closures to it and never touch the call directly.
type call struct {
	core  *Core
	id    string
	log   *slog.Logger
	state callState
	a, b  *leg // b: the answered B leg, or the latest one tried
	bN    int  // B legs created (forks and redirects make more)
	allB  []*leg

	forks    []*leg        // B legs whose INVITE is pending: the current attempt
	queued   []string      // targets still to try one after another (serial forking)
	failures []forkFailure // final failures of this attempt, for the best response

	created     time.Time
	connectedAt time.Time
	seq         uint64

	ex   serial        // owns the call's state; see post
	done chan struct{} // closed when the call is over

	claim     claim // the call's controller, if any
	pendingTx int   // our INVITE transactions not yet finally answered
	noAnswer  *time.Timer
	maxDur    *time.Timer
	redirects int
	offer     *offerTx // the re-INVITE or UPDATE being relayed, if any

	// extra are legs originated into the call or moved to it by a bridge.
	extra []*leg
	// originating counts originated legs whose INVITE is pending.
	originating int
	// bridging names the two legs of a bridge in progress.
	bridging *[2]*leg
	// parked: the route decision left A waiting for a controller.
	parked bool
	// xfer is the transfer in progress, if any.
	xfer *transfer
	// idle is work waiting for the offer or bridge in progress (whenIdle).
	idle []func()
	// outRefer is a REFER Tandem sent to a party (transfer commands).
	outRefer *outRefer
}

func newCallID() string { return fmt.Sprintf("c%016x", rand.Uint64()) }

// post queues f on the call's executor (serial). It reports false when
// the call is over and accepts no more work; the caller must then answer by
// itself. The executor closes once the call has ended and no INVITE of ours
// still waits for its final response.
func (cl *call) post(f func()) bool { return cl.ex.post(f) }

// transition moves the call's state machine; false means the input is
// stale for the current state and must be ignored.
func (cl *call) transition(in callInput) bool {
	next, ok := nextCallState(cl.state, in)
	if !ok {
		cl.log.Debug("b2bua: input ignored", "state", cl.state, "input", in)
		return false
	}
	cl.state = next
	return true
}

// emit stamps an event's envelope and hands it to the sink.
func (cl *call) emit(typ, legID string, ev events.Event) {
	cl.seq++
	env := ev.Env()
	env.Type = typ
	env.ID = fmt.Sprintf("%s-%d", cl.id, cl.seq)
	env.Time = time.Now().UTC()
	env.Node = cl.core.cfg.Node
	env.CallID = cl.id
	env.LegID = legID
	env.Seq = cl.seq
	cl.core.sink.Publish(ev)
}

// endLeg marks a leg ended and announces it once.
func (cl *call) endLeg(l *leg, code int, reason string) {
	if l == nil || l.state == legEnded {
		return
	}
	l.state = legEnded
	if l.ringFor != nil {
		l.ringFor.Stop()
	}
	cl.core.legIDs.Delete(l.id)
	cl.leaveMixer(l, "leg_ended")
	defer cl.xferLegEnded(l, code, reason)
	if f := l.onEnd; f != nil {
		l.onEnd = nil
		defer f()
	}
	if l.ackWait != nil && l.ackWait.timer != nil {
		l.ackWait.timer.Stop()
	}
	w := l.ackWait
	l.ackWait = nil
	if w != nil {
		w.dropNext(cl.core)
		w.runThen() // the commands see the leg ended
	}
	cl.core.legs.Delete(l.dlg.key())
	if l.side == events.SideB {
		cl.core.outgoing.Delete(l.dlg.callID)
		cl.core.late18x.Delete(l.dlg.callID)
	}
	cl.emit(events.TypeLegEndedV1, l.id, &events.LegEndedV1{Side: l.side, Code: code, Reason: reason})
}

// finish ends the call: both legs and the call are announced as ended.
// Callers have already sent what the legs need (BYE, CANCEL, a final
// response). code is what A's INVITE was answered with.
func (cl *call) finish(by string, code int, reason, outcome string) {
	if cl.noAnswer != nil {
		cl.noAnswer.Stop()
	}
	if cl.maxDur != nil {
		cl.maxDur.Stop()
	}
	if cl.a != nil && cl.a.call() == cl && cl.a.inv != nil && !cl.a.inv.final {
		// every path answers A before finishing; this is the safety net
		cl.log.Error("b2bua: call ending with A unanswered", "reason", reason)
		cl.a.inv.send(cl.core.response(cl.a.inv.req, 500, "Server Internal Error", nil))
	}
	if o := cl.offer; o != nil && o.local() {
		cl.offer = nil
		o.done(CodeTimeout, "call ended")
	}
	cl.releaseClaim(events.ReleasedCallEnded)
	for _, l := range cl.members() {
		if l != cl.a {
			cl.endLeg(l, code, reason)
		}
	}
	if cl.a != nil && cl.a.call() == cl {
		cl.endLeg(cl.a, code, reason)
	}
	var dur int64
	if !cl.connectedAt.IsZero() {
		d := time.Since(cl.connectedAt)
		dur = d.Milliseconds()
		cl.core.metrics.duration.Observe(d.Seconds())
	}
	cl.emit(events.TypeCallEndedV1, "", &events.CallEndedV1{DurationMS: dur, HungUpBy: by, Code: code, Reason: reason})
	cl.core.metrics.calls.WithLabelValues(outcome).Inc()
	cl.log.Info("b2bua: call ended", "by", by, "code", code, "reason", reason, "duration_ms", dur)
	cl.core.removeCall(cl)
}

// snapshot describes the call for commands; runs on the loop.
func (cl *call) snapshot() events.CallInfoV1 {
	ci := events.CallInfoV1{
		CallID:    cl.id,
		Node:      cl.core.cfg.Node,
		State:     cl.state.String(),
		CreatedAt: cl.created.UTC().Format(time.RFC3339Nano),
	}
	if !cl.connectedAt.IsZero() {
		ci.ConnectedAt = cl.connectedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, l := range cl.members() {
		if l.state != legEnded || l == cl.a || l == cl.b {
			ci.Legs = append(ci.Legs, l.info())
		}
	}
	return ci
}
