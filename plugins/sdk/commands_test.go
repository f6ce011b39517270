package sdk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// The typed commands reach the core's command server and come back typed;
// a refusal is an *events.Error with its code.
func TestCommands(t *testing.T) {
	c := startCore(t)
	cl := start(t, c, plugin("ctl", func(context.Context, *sdk.Client) error { return nil })).Client()
	ctx := t.Context()

	calls, err := cl.ListCalls(ctx)
	if err != nil || len(calls) != 1 || calls[0].CallID != "c1" {
		t.Fatalf("ListCalls = %+v, %v", calls, err)
	}
	call, err := cl.GetCall(ctx, "c1")
	if err != nil || call.State != "connected" {
		t.Fatalf("GetCall = %+v, %v", call, err)
	}
	if err := cl.Hangup(ctx, "c1", 0, "test"); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	_, err = cl.GetCall(ctx, "c1")
	if code, ok := sdk.ErrorCode(err); !ok || code != events.ErrUnknownCall {
		t.Errorf("GetCall after hangup: %v, want unknown_call", err)
	}
	var e *events.Error
	if err := cl.Hangup(ctx, "c1", 0, ""); !errors.As(err, &e) || e.Code != events.ErrUnknownCall {
		t.Errorf("second Hangup: %v", err)
	}

	// Do with a request id set by the caller is idempotent: the repeat gets
	// the first reply.
	req := events.CallsHangupRequestV1{RequestID: "r-1", CallID: "nope"}
	_, err1 := sdk.Do(ctx, cl, sdk.CallsHangup, req)
	c.mu.Lock()
	c.calls["nope"] = events.CallInfoV1{CallID: "nope"}
	c.mu.Unlock()
	_, err2 := sdk.Do(ctx, cl, sdk.CallsHangup, req)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("repeated request id: %v then %v, want the same refusal", err1, err2)
	}

	// Addressed to one node.
	rep, err := sdk.DoOn(ctx, cl, node, sdk.CallsList, events.CallsListRequestV1{})
	if err != nil || rep.RequestID == "" {
		t.Errorf("DoOn = %+v, %v; want a reply with a generated request id", rep, err)
	}
	_, err = sdk.DoOn(ctx, cl, "elsewhere", sdk.CallsList, events.CallsListRequestV1{})
	if !errors.Is(err, sdk.ErrNoCore) || !errors.Is(err, nats.ErrNoResponders) {
		t.Errorf("DoOn(elsewhere) = %v, want ErrNoCore", err)
	}
}
