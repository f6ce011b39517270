package b2bua

import (
	"context"
	"strconv"
	"strings"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// withCall runs f on the call's executor and waits for f's reply, which f
// gives exactly once, at once or later (when a SIP transaction finishes).
func (c *Core) withCall(ctx context.Context, callID string, f func(cl *call, reply func(error))) error {
	v, ok := c.calls.Load(callID)
	if !ok {
		return events.NewError(events.ErrUnknownCall, "no call %q", callID)
	}
	cl := v.(*call)
	errc := make(chan error, 1)
	reply := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	if !cl.post(func() {
		if cl.state == stEnded {
			reply(events.NewError(events.ErrUnknownCall, "call %q has ended", callID))
			return
		}
		f(cl, reply)
	}) {
		return events.NewError(events.ErrUnknownCall, "call %q has ended", callID)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// withLeg runs f on the executor of the call owning legID, after checking
// that controller may control the call.
func (c *Core) withLeg(ctx context.Context, legID, controller string, f func(cl *call, l *leg, reply func(error))) error {
	unknown := events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	v, ok := c.legIDs.Load(legID)
	if !ok {
		return unknown
	}
	l := v.(*leg)
	errc := make(chan error, 1)
	reply := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	if !c.postLeg(l, func(cl *call) {
		if cl.state == stEnded || l.state == legEnded {
			reply(unknown)
			return
		}
		if err := cl.mayControl(controller); err != nil {
			reply(err)
			return
		}
		f(cl, l, reply)
	}) {
		return unknown
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// HoldLeg puts a leg's party on hold (hold true: a re-INVITE offering
// sendonly, the last SDP Tandem sent it otherwise unchanged) or resumes it
// (sendrecv). It returns once the party answered; a refusal is an
// ErrConflict naming the party's code.
func (c *Core) HoldLeg(ctx context.Context, legID, controller string, hold bool) error {
	dir := "sendrecv"
	if hold {
		dir = "sendonly"
	}
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		cl.holdLeg(l, dir, reply)
	})
}

// holdLeg offers dir to l's party; a 2xx still waiting for its ACK (the
// call was just answered or re-INVITEd) delays it until that ACK.
func (cl *call) holdLeg(l *leg, dir string, reply func(error)) {
	w := waitingACKOf(l)
	switch {
	case w != nil && cl.offer == nil && cl.state == stConnected:
		w.then = append(w.then, func() { cl.holdLeg(l, dir, reply) })
		return
	case cl.state != stConnected || l.state != legConfirmed:
		reply(events.NewError(events.ErrConflict, "leg %s is not connected", l.id))
		return
	case cl.offer != nil || w != nil:
		reply(events.NewError(events.ErrConflict, "an offer is in progress on call %s; retry", cl.id))
		return
	}
	body, ok := withDirection(l.origin.out, dir)
	if !ok {
		reply(events.NewError(events.ErrConflict, "leg %s has no SDP Tandem can change", l.id))
		return
	}
	o := &offerTx{to: l, method: sipx.INVITE, body: body}
	o.done = func(code int, reason string) {
		if code >= 200 && code < 300 {
			reply(nil)
			return
		}
		reply(events.NewError(events.ErrConflict, "leg %s answered %d %s", l.id, code, reason))
	}
	cl.offer = o
	cl.sendOffer(o)
}

// waitingACKOf is a 2xx of l's call (on l or its peer) waiting for its ACK.
func waitingACKOf(l *leg) *ackWait {
	if l.ackWait != nil {
		return l.ackWait
	}
	if o := l.other(); o != nil {
		return o.ackWait
	}
	return nil
}

// HangupLeg ends a leg; with two legs to a call, that ends the call (BYE to
// answered legs; a leg still ringing gets cause, default 480).
func (c *Core) HangupLeg(ctx context.Context, legID, controller string, cause int, reason string) error {
	if cause == 0 {
		cause = 480
	}
	if cause < 300 || cause > 699 {
		return events.NewError(events.ErrBadRequest, "cause %d not in 300-699", cause)
	}
	if reason == "" {
		reason = "hangup command"
	}
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		switch {
		case cl.state == stConnected && l.orig && l.state != legConfirmed:
			cl.cancelLeg(l) // the 487 ends it
			reply(nil)
		case cl.state == stConnected:
			cl.sendBye(l)
			cl.dropLeg(l, "command", 200, reason)
			reply(nil)
		default:
			reply(cl.hangup("command", cause, reason))
		}
	})
}

// validDTMF are the digits an INFO dtmf-relay can carry.
const validDTMF = "0123456789*#ABCD"

// SendDTMF sends digits to a leg's party, one INFO (application/dtmf-relay)
// per digit, each after the previous one was answered. RFC 4733 needs media
// anchoring, which the core does not do yet: method "rfc4733" is refused.
func (c *Core) SendDTMF(ctx context.Context, legID, controller, digits, method string, durationMS int) error {
	switch method {
	case "", "info":
	case "rfc4733":
		return events.NewError(events.ErrConflict, "rfc4733 needs media anchoring, which this core does not do; use info")
	default:
		return events.NewError(events.ErrBadRequest, "unknown dtmf method %q", method)
	}
	digits = strings.ToUpper(digits)
	if digits == "" || strings.Trim(digits, validDTMF) != "" {
		return events.NewError(events.ErrBadRequest, "digits %q: want one or more of %s", digits, validDTMF)
	}
	if durationMS <= 0 {
		durationMS = 160
	}
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		if !l.hasDialog() {
			reply(events.NewError(events.ErrConflict, "leg %s has no dialog yet", legID))
			return
		}
		var next func(i int)
		next = func(i int) {
			if i == len(digits) {
				reply(nil)
				return
			}
			body := "Signal=" + digits[i:i+1] + "\r\nDuration=" + itoa(durationMS) + "\r\n"
			hdrs := []events.HeaderV1{{Name: "Content-Type", Value: "application/dtmf-relay"}}
			cl.sendLocal(l, sipx.INFO, hdrs, []byte(body), func(code int, reason string) {
				if code < 200 || code >= 300 {
					reply(events.NewError(events.ErrConflict, "leg %s answered INFO with %d %s", legID, code, reason))
					return
				}
				next(i + 1)
			})
		}
		next(0)
	})
}

// sessionMethods change the INVITE session; commands other than hold,
// resume and hangup may not send them.
var sessionMethods = map[string]bool{"INVITE": true, "ACK": true, "CANCEL": true, "BYE": true, "PRACK": true, "UPDATE": true, "REGISTER": true}

// SendRequest sends an in-dialog request (NOTIFY, INFO, MESSAGE, OPTIONS…)
// on a leg and returns the party's final code and reason. Failures are
// classified as for every in-dialog request: one that destroys the call's
// usage or dialog ends the call. legID may also be a subscription's id
// (plugsub.go): then only NOTIFY, sent in the subscription's dialog, and
// controller is not checked.
func (c *Core) SendRequest(ctx context.Context, legID, controller, method string, headers []events.HeaderV1, contentType string, body []byte) (int, string, error) {
	method = strings.ToUpper(method)
	if method == "" || strings.IndexFunc(method, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return 0, "", events.NewError(events.ErrBadRequest, "method %q is not a SIP method token", method)
	}
	if sessionMethods[method] {
		return 0, "", events.NewError(events.ErrBadRequest, "%s changes the session; use the hold, resume or hangup commands", method)
	}
	for _, h := range headers {
		if n := strings.ToLower(strings.TrimSpace(h.Name)); neverCopied[n] || n == "" {
			return 0, "", events.NewError(events.ErrBadRequest, "header %q may not be set", h.Name)
		}
	}
	if contentType != "" {
		headers = append(headers, events.HeaderV1{Name: "Content-Type", Value: contentType})
	}
	if v, ok := c.plugSubIDs.Load(legID); ok {
		return v.(*plugSub).request(ctx, method, headers, body) // a subscription's id: NOTIFY in its dialog (plugsub.go)
	}
	var code int
	var reason string
	err := c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		if !l.hasDialog() {
			reply(events.NewError(events.ErrConflict, "leg %s has no dialog yet", legID))
			return
		}
		cl.sendLocal(l, sipx.RequestMethod(method), headers, body, func(cd int, rs string) {
			code, reason = cd, rs
			reply(nil)
		})
	})
	return code, reason, err
}

// sendLocal sends a request Tandem makes itself on leg l and calls done on
// the executor with the final code (CodeTimeout when none came). A failure
// that destroys the INVITE usage or the dialog ends the call.
func (cl *call) sendLocal(l *leg, method sipx.RequestMethod, headers []events.HeaderV1, body []byte, done func(code int, reason string)) {
	req := l.dlg.request(method)
	req.AppendHeader(l.contact.Clone())
	for _, h := range headers {
		req.AppendHeader(sipx.NewHeader(sanitize(h.Name), sanitize(h.Value)))
	}
	if len(body) > 0 {
		req.SetBody(body)
	}
	tx, err := cl.core.stack.Request(context.Background(), req)
	if err != nil {
		cl.localFailed(l, string(method), CodeTimeout)
		done(CodeTimeout, err.Error())
		return
	}
	go cl.readFinal(tx, func(res *sipx.Response) {
		if res.StatusCode >= 300 {
			cl.localFailed(l, string(method), res.StatusCode)
		}
		done(res.StatusCode, res.Reason)
	}, func() {
		cl.localFailed(l, string(method), CodeTimeout)
		done(CodeTimeout, "timeout")
	})
}

// localFailed ends the call when a failure of a request Tandem sent on l
// destroyed its INVITE usage or its dialog. A request outside the INVITE
// usage (NOTIFY, INFO…) destroys at most its own usage, not the call's.
func (cl *call) localFailed(l *leg, method string, code int) {
	scope := Classify(method, code)
	if scope == ScopeUsage && !inviteUsageMethod(method) && code != CodeTimeout {
		scope = ScopeTransaction
	}
	cl.core.metrics.midcall.WithLabelValues(scope.String()).Inc()
	if scope == ScopeTransaction || cl.state == stEnded {
		return
	}
	cl.log.Info("b2bua: request on leg failed, ending call", "leg_id", l.id, "method", method, "code", code, "scope", scope)
	if cl.state == stConnected {
		cl.endOnFailure(l, scope, code, "leg "+scope.String()+" failed")
	}
}

// inviteUsageMethod reports whether a method belongs to the INVITE usage.
func inviteUsageMethod(m string) bool {
	switch m {
	case "INVITE", "UPDATE", "PRACK", "ACK", "BYE":
		return true
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
