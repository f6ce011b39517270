package b2bua

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// dial calls one target.
func (cl *call) dial(target string) { cl.dialTargets([]string{target}, true) }

// dialTargets calls several targets: all at once (parallel forking: the
// first 2xx wins, the others are cancelled) or one after another when the
// previous one fails (serial, e.g. in q-value order). When every target has
// failed, A gets the best of their responses (RFC 3261 §16.7).
func (cl *call) dialTargets(targets []string, parallel bool) {
	cl.failures = cl.failures[:0]
	if parallel {
		for _, t := range targets {
			cl.startB(t)
		}
	} else if len(targets) > 0 {
		cl.queued = append(cl.queued[:0], targets[1:]...)
		cl.startB(targets[0])
	}
	cl.nextOrFail()
}

// startB creates a B leg towards target and sends its INVITE: a fresh
// Call-ID, From-tag, Via and Contact; only the body and allowed headers of
// A's INVITE cross over. A target that cannot be tried is recorded as a
// failure of the attempt.
func (cl *call) startB(target string) {
	c := cl.core
	ruri, err := sipx.ParseURI(target)
	if err != nil || ruri.Host == "" {
		cl.log.Warn("b2bua: bad route target", "target", target, "error", err)
		cl.failures = append(cl.failures, forkFailure{code: 500, reason: "Bad Route Target", note: "bad route target", byCore: true})
		return
	}
	areq := cl.a.inv.req
	cl.bN++
	b := newLeg(cl, fmt.Sprintf("%s-b%d", cl.id, cl.bN), events.SideB)
	transport := "UDP"
	if tp, ok := ruri.UriParams.Get("transport"); ok && tp != "" {
		transport = strings.ToUpper(tp)
	}
	from := areq.From()
	toURI := *ruri.Clone()
	toURI.UriParams = nil
	toURI.Headers = nil
	b.dlg = dialog{
		callID:       newCallID() + "@tandem",
		localTag:     sipx.GenerateTag(),
		localURI:     *from.Address.Clone(),
		localDisplay: sanitize(from.DisplayName),
		remoteURI:    toURI,
		remoteTarget: ruri,
		transport:    transport,
	}
	b.contact = c.contactFor(cl.id, b.id, transport)
	req := b.dlg.request(sipx.INVITE)
	if mf := areq.MaxForwards(); mf != nil {
		req.ReplaceHeader(newMaxForwards(mf.Val() - 1))
	}
	req.AppendHeader(b.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	c.headers.copyAllowed(req, areq)
	if body := areq.Body(); len(body) > 0 {
		req.AppendHeader(sipx.NewHeader("Content-Type", contentType(areq)))
		req.SetBody(b.origin.rewrite(body))
	}
	cl.b = b
	cl.allB = append(cl.allB, b)
	c.legs.Store(b.dlg.key(), b)
	c.legIDs.Store(b.id, b)
	c.outgoing.Store(b.dlg.callID, req.Recipient.String())
	cl.emit(events.TypeLegCreatedV1, b.id, &events.LegCreatedV1{Side: events.SideB, Target: ruri.String(), SIPCallID: b.dlg.callID})
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		cl.log.Warn("b2bua: INVITE to target failed", "target", target, "error", err)
		cl.endLeg(b, 503, "target unreachable")
		cl.failures = append(cl.failures, forkFailure{code: 503, reason: "Service Unavailable", note: "target unreachable", byCore: true})
		return
	}
	b.invReq = req
	cl.forks = append(cl.forks, b)
	cl.pendingTx++
	// Retransmitted 2xx go to this hook, not to Responses(): resend our ACK.
	c.resendACKOn2xx(tx, b)
	go cl.readInvite(b, tx)
}

// readInvite drains an INVITE client transaction onto the call's executor
// until its final response (later 2xx retransmissions use the hook).
func (cl *call) readInvite(b *leg, tx sipx.ClientTransaction) {
	for {
		select {
		case res := <-tx.Responses():
			final := res.StatusCode >= 200
			if !cl.post(func() {
				if final && res.StatusCode < 300 {
					if p := cl.core.missedProvisional(b, res); p != nil {
						cl.onBResponse(b, p)
					}
				}
				cl.onBResponse(b, res)
			}) {
				return
			}
			if final {
				return
			}
		case <-tx.Done():
			err := tx.Err()
			cl.post(func() { cl.onBGone(b, err) })
			return
		}
	}
}

// onBResponse handles a response to a B leg's INVITE.
func (cl *call) onBResponse(b *leg, res *sipx.Response) {
	if b.orig {
		cl.onOrigResponse(b, res)
		return
	}
	code := res.StatusCode
	if code >= 200 {
		if b.finalGot {
			return
		}
		b.finalGot = true
		cl.pendingTx--
		defer func() { b.invReq = nil }() // only CANCEL needed it
	}
	if cl.state == stEnded || !cl.isFork(b) || b.cancelSent || b.cancelWant {
		cl.settleAbandoned(b, res)
		return
	}
	switch {
	case code == 100:
		// Any provisional response, 100 included, allows CANCEL (RFC 3261
		// §9.1); after it sipgo's INVITE transaction has no timer left.
		b.provisional = true
	case code < 200:
		cl.onBProvisional(b, res)
	case code < 300:
		cl.removeFork(b)
		cl.b = b
		cl.cancelForks() // the first 2xx wins
		cl.onBAnswer(b, res)
	case code < 400 && cl.redirects < cl.core.cfg.MaxRedirects && res.Contact() != nil:
		cl.redirects++
		target := res.Contact().Address.String()
		cl.log.Debug("b2bua: following redirect", "code", code, "target", target)
		cl.removeFork(b)
		cl.endLeg(b, code, "redirected")
		if len(cl.forks) == 0 {
			cl.transition(inBRedirect)
		}
		cl.startB(target)
		cl.nextOrFail()
	default:
		cl.removeFork(b)
		note := strings.ToLower(reasonPhrase(code))
		cl.failures = append(cl.failures, forkFailure{code: code, reason: res.Reason, res: res, note: note})
		cl.endLeg(b, code, note)
		cl.nextOrFail()
	}
}

// isFork reports whether b's INVITE belongs to the current attempt.
func (cl *call) isFork(b *leg) bool {
	for _, f := range cl.forks {
		if f == b {
			return true
		}
	}
	return false
}

func (cl *call) removeFork(b *leg) {
	for i, f := range cl.forks {
		if f == b {
			cl.forks = append(cl.forks[:i], cl.forks[i+1:]...)
			return
		}
	}
}

// nextOrFail moves a failed attempt on: the next serial target, or, when
// nothing is left to wait for, the best failure to A.
func (cl *call) nextOrFail() {
	for len(cl.forks) == 0 && len(cl.queued) > 0 {
		t := cl.queued[0]
		cl.queued = cl.queued[1:]
		cl.startB(t)
	}
	if len(cl.forks) > 0 || cl.state == stEnded || cl.state == stConnected {
		return
	}
	f := bestFailure(cl.failures)
	cl.transition(inBFailure)
	var from relayedResponse
	if f.res != nil {
		from = f.res
	}
	cl.answerA(f.code, f.reason, nil, from)
	by := events.SideB
	if f.byCore {
		by = "core"
	}
	if f.note == "" {
		f.note = strings.ToLower(reasonPhrase(f.code))
	}
	cl.finish(by, f.code, f.note, "failed")
}

// cancelForks cancels every B INVITE of the attempt still pending.
func (cl *call) cancelForks() {
	for _, f := range cl.forks {
		cl.cancelLeg(f)
	}
	cl.forks = cl.forks[:0]
	cl.queued = nil
}

// settleAbandoned deals with responses on a B leg the call no longer wants
// (cancelled, redirected away, call over): CANCEL on the first 1xx when one
// is due, ACK and BYE for a 2xx that crossed our CANCEL.
func (cl *call) settleAbandoned(b *leg, res *sipx.Response) {
	code := res.StatusCode
	switch {
	case code >= 100 && code < 200:
		b.provisional = true
		if b.cancelWant && !b.cancelSent {
			cl.sendCancel(b)
		}
	case code >= 200 && code < 300:
		b.dlg.confirmUAC(res)
		cl.sendACK(b, res, nil)
		cl.sendBye(b)
	}
}

// onBProvisional relays a 18x to A (early media included).
func (cl *call) onBProvisional(b *leg, res *sipx.Response) {
	b.provisional = true
	b.saw18x = true
	if tag := sipx.ToTag(res.To()); tag != "" && b.state == legTrying {
		b.dlg.confirmUAC(res)
		b.state = legEarly
		cl.core.legs.Store(b.dlg.key(), b)
	}
	cl.transition(inBProvisional)
	body := res.Body()
	var out []byte
	if len(body) > 0 {
		out = cl.a.origin.rewrite(body)
	}
	if cl.a.state == legTrying {
		cl.a.state = legEarly
	}
	cl.answerA(res.StatusCode, res.Reason, out, res)
	cl.emit(events.TypeLegRingingV1, b.id, &events.LegRingingV1{Code: res.StatusCode, EarlyMedia: len(body) > 0})
}

// onBAnswer: B answered. ACK it (now, or with A's answer when A's INVITE
// had no offer) and answer A with B's SDP.
func (cl *call) onBAnswer(b *leg, res *sipx.Response) {
	if !cl.transition(inBAnswer) {
		return
	}
	c := cl.core
	b.dlg.confirmUAC(res)
	b.state = legConfirmed
	b.fromChange = supports(res, "from-change")
	b.peer, cl.a.peer = cl.a, b // connected: the call's answer is its bridge (no bridged events)
	cl.emit(events.TypeLegAnsweredV1, b.id, &events.LegAnsweredV1{Side: events.SideB})
	lateOffer := len(cl.a.inv.req.Body()) == 0
	if !lateOffer {
		cl.sendACK(b, res, nil)
	}
	var body []byte
	if len(res.Body()) > 0 {
		body = cl.a.origin.rewrite(res.Body())
	}
	a := cl.a
	resA := c.response(a.inv.req, res.StatusCode, res.Reason, body)
	resA.AppendHeader(a.contact.Clone())
	resA.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	c.headers.copyAllowed(resA, res)
	if err := a.inv.send(resA); err != nil {
		cl.log.Warn("b2bua: 2xx to caller failed", "error", err)
	}
	a.state = legConfirmed
	if cl.noAnswer != nil {
		cl.noAnswer.Stop()
	}
	cl.connectedAt = time.Now()
	if d := c.cfg.MaxCallDuration; d > 0 {
		cl.maxDur = cl.afterFunc(d, func(cl *call) {
			cl.log.Info("b2bua: call reached max_call_duration", "limit", d)
			cl.hangupConnected("core", "max call duration")
		})
	}
	c.metrics.setup.Observe(cl.connectedAt.Sub(cl.created).Seconds())
	var onACK func([]byte)
	if lateOffer {
		onACK = func(ackBody []byte) { cl.sendACK(b, res, ackBody) }
	}
	cl.awaitACK(a, a.inv.req.CSeq().SeqNo, resA, a.inv.tx, onACK)
	cl.emit(events.TypeLegAnsweredV1, a.id, &events.LegAnsweredV1{Side: events.SideA})
	cl.emit(events.TypeCallConnectedV1, "", &events.CallConnectedV1{SetupMS: cl.connectedAt.Sub(cl.created).Milliseconds()})
}

// onBGone: B's INVITE transaction ended without a final response
// (timeout, transport error).
func (cl *call) onBGone(b *leg, err error) {
	if b.orig {
		cl.onOrigGone(b, err)
		return
	}
	if b.finalGot {
		return
	}
	b.finalGot = true
	cl.pendingTx--
	if cl.state == stEnded || !cl.isFork(b) || b.cancelSent {
		return
	}
	code, reason := 408, "Request Timeout"
	if !errors.Is(err, sipx.ErrTransactionTimeout) {
		code, reason = 503, "Service Unavailable"
	}
	cl.log.Info("b2bua: target did not answer", "leg_id", b.id, "error", err)
	cl.removeFork(b)
	cl.failures = append(cl.failures, forkFailure{code: code, reason: reason, note: "target timeout"})
	cl.endLeg(b, code, "target timeout")
	cl.nextOrFail()
}

// cancelB cancels every pending B INVITE.
func (cl *call) cancelB() { cl.cancelForks() }

// cancelLeg cancels a B INVITE if it is still pending: at once after a 1xx,
// else as soon as one arrives (RFC 3261 §9.1).
func (cl *call) cancelLeg(b *leg) {
	if b == nil || b.finalGot {
		return
	}
	b.cancelWant = true
	if b.provisional {
		cl.sendCancel(b)
	}
}

func (cl *call) sendCancel(b *leg) {
	b.cancelSent = true
	req := sipx.NewCancel(b.invReq)
	tx, err := cl.core.stack.RequestSameBranch(context.Background(), req)
	if err != nil {
		cl.log.Warn("b2bua: CANCEL failed", "error", err)
		return
	}
	go drain(tx)
}

// sendACK acknowledges a 2xx to our INVITE (a new transaction-less request,
// RFC 3261 §13.2.2.4), with the answer body when we carry a late offer's
// answer.
func (cl *call) sendACK(l *leg, res *sipx.Response, body []byte) {
	l.ackSeq, l.ackBody = res.CSeq().SeqNo, nil
	if len(body) > 0 {
		l.ackBody = l.origin.rewrite(body)
	}
	if err := cl.core.stack.WriteACK(l.buildACK()); err != nil {
		cl.log.Warn("b2bua: ACK failed", "leg_id", l.id, "error", err)
	}
}

// buildACK builds the ACK described by ackSeq and ackBody.
func (l *leg) buildACK() *sipx.Request {
	ack := l.dlg.requestSeq(sipx.ACK, l.ackSeq)
	if len(l.ackBody) > 0 {
		ack.AppendHeader(sipx.NewHeader("Content-Type", "application/sdp"))
		ack.SetBody(l.ackBody)
	}
	return ack
}

// resendACK answers a retransmitted 2xx with the same ACK.
func (cl *call) resendACK(l *leg) {
	if l.ackSeq != 0 {
		if err := cl.core.stack.WriteACK(l.buildACK()); err != nil {
			cl.log.Debug("b2bua: ACK resend failed", "leg_id", l.id, "error", err)
		}
	}
}

// sendBye ends a leg's dialog. Its outcome changes nothing: the leg is
// over either way.
func (cl *call) sendBye(l *leg) {
	if l == nil || l.dlg.remoteTag == "" {
		return
	}
	req := l.dlg.request(sipx.BYE)
	req.AppendHeader(l.contact.Clone())
	cl.core.byeSent(l.dlg.key())
	tx, err := cl.core.stack.Request(context.Background(), req)
	if err != nil {
		cl.log.Warn("b2bua: BYE failed", "leg_id", l.id, "error", err)
		return
	}
	go drain(tx)
}

// drain reads a client transaction whose responses nobody needs.
func drain(tx sipx.ClientTransaction) {
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode >= 200 {
				return
			}
		case <-tx.Done():
			return
		}
	}
}

func newMaxForwards(v uint32) *sipx.MaxForwardsHeader {
	mf := sipx.MaxForwardsHeader(v)
	return &mf
}

func contentType(m interface{ GetHeader(string) sipx.Header }) string {
	if h := m.GetHeader("Content-Type"); h != nil {
		return sanitize(h.Value())
	}
	return "application/sdp"
}

// byeGrace is how long a dialog we sent BYE on still answers a crossing
// BYE with 200 (64*T1, the life of the BYE transaction).
const byeGrace = 64 * timerT1

// byeSent remembers a dialog we end by BYE, for byeGrace.
func (c *Core) byeSent(key string) {
	c.byes.Store(key, struct{}{})
	time.AfterFunc(byeGrace, func() { c.byes.Delete(key) })
}
