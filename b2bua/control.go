package b2bua

import (
	"context"
	"sort"

	"github.com/tandem-sip/tandem/events"
)

// ListCalls describes every call in progress (for the calls.list command).
func (c *Core) ListCalls() []events.CallInfoV1 {
	var out []events.CallInfoV1
	c.calls.Range(func(_, v any) bool {
		if ci, ok := v.(*call).query(); ok {
			out = append(out, ci)
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt < out[j].CreatedAt })
	return out
}

// GetCall describes one call with its legs.
func (c *Core) GetCall(callID string) (events.CallInfoV1, bool) {
	v, ok := c.calls.Load(callID)
	if !ok {
		return events.CallInfoV1{}, false
	}
	return v.(*call).query()
}

// query takes a snapshot on the call's executor.
func (cl *call) query() (events.CallInfoV1, bool) {
	type answer struct {
		ci events.CallInfoV1
		ok bool
	}
	ch := make(chan answer, 1)
	if !cl.post(func() { ch <- answer{cl.snapshot(), cl.state != stEnded} }) {
		return events.CallInfoV1{}, false
	}
	select {
	case a := <-ch:
		return a.ci, a.ok // an ended call whose INVITE still settles is gone
	case <-cl.done:
		return events.CallInfoV1{}, false
	}
}

// HangupCall ends a call: BYE to answered legs; a call still ringing is
// answered with cause (default 480) towards A and cancelled towards B.
// It returns an *events.Error for an unknown call.
func (c *Core) HangupCall(ctx context.Context, callID string, cause int, reason string) error {
	v, ok := c.calls.Load(callID)
	if !ok {
		return events.NewError(events.ErrUnknownCall, "no call %q", callID)
	}
	cl := v.(*call)
	if cause == 0 {
		cause = 480
	}
	if cause < 300 || cause > 699 {
		return events.NewError(events.ErrBadRequest, "cause %d not in 300-699", cause)
	}
	if reason == "" {
		reason = "hangup command"
	}
	errc := make(chan error, 1)
	if !cl.post(func() { errc <- cl.hangup("command", cause, reason) }) {
		return events.NewError(events.ErrUnknownCall, "call %q has ended", callID)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hangup ends the call from the core's side, in whatever state it is.
func (cl *call) hangup(by string, cause int, reason string) error {
	switch cl.state {
	case stEnded:
		return events.NewError(events.ErrUnknownCall, "call %q has ended", cl.id)
	case stConnected:
		cl.hangupConnected(by, reason)
	default:
		cl.transition(inHangup)
		cl.answerA(cause, reasonPhrase(cause), nil, nil)
		cl.cancelB()
		cl.finish(by, cause, reason, "cancelled")
	}
	return nil
}
