package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// controlCore is a core that also implements natsapi.LegController: call
// "c1" with leg "l1", one claim per call, every core call recorded.
type controlCore struct {
	*core

	mu      sync.Mutex // guards the fields below
	log     []string
	owner   string // c1's controller
	now     time.Time
	headers []events.HeaderV1
	body    []byte
	// claimErr, when set, refuses every claim.
	claimErr error
	// claims, when set, is told of every claim (without blocking).
	claims chan string
}

var _ natsapi.LegController = (*controlCore)(nil)

// startControlCore serves the commands of a controlCore on a real embedded
// NATS server.
func startControlCore(t *testing.T) *controlCore {
	t.Helper()
	c := newControlCore(t)
	serve(t, c.api, c)
	return c
}

// newControlCore starts the embedded NATS server of a controlCore; its
// commands are not served yet.
func newControlCore(t *testing.T) *controlCore {
	t.Helper()
	return &controlCore{
		core: &core{api: startAPI(t), calls: map[string]events.CallInfoV1{"c1": {CallID: "c1", Node: node, State: "connected"}}},
		now:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// check records a core call and checks the leg and the controller's right.
func (c *controlCore) check(legID, controller, format string, args ...any) error {
	c.log = append(c.log, fmt.Sprintf(format, args...))
	if legID != "l1" {
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	if c.owner != "" && c.owner != controller {
		return events.NewError(events.ErrConflict, "controlled by %s", c.owner)
	}
	return nil
}

func (c *controlCore) HoldLeg(_ context.Context, legID, controller string, hold bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check(legID, controller, "hold %s %s %v", legID, controller, hold)
}

func (c *controlCore) SendDTMF(_ context.Context, legID, controller, digits, method string, durationMS int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check(legID, controller, "dtmf %s %s %s %s %d", legID, controller, digits, method, durationMS)
}

func (c *controlCore) SendRequest(_ context.Context, legID, controller, method string, headers []events.HeaderV1, contentType string, body []byte) (int, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headers, c.body = headers, body
	if err := c.check(legID, controller, "request %s %s %s %s", legID, controller, method, contentType); err != nil {
		return 0, "", err
	}
	return 481, "Call/Transaction Does Not Exist", nil
}

func (c *controlCore) HangupLeg(_ context.Context, legID, controller string, cause int, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check(legID, controller, "hangup %s %s %d %s", legID, controller, cause, reason)
}

func (c *controlCore) ClaimCall(_ context.Context, callID, controller string, ttl time.Duration) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, fmt.Sprintf("claim %s %s %v", callID, controller, ttl))
	select {
	case c.claims <- controller:
	default:
	}
	if c.claimErr != nil {
		return time.Time{}, c.claimErr
	}
	if callID != "c1" {
		return time.Time{}, events.NewError(events.ErrUnknownCall, "no call %q", callID)
	}
	if c.owner != "" && c.owner != controller {
		return time.Time{}, events.NewError(events.ErrConflict, "controlled by %s", c.owner)
	}
	c.owner = controller
	return c.now.Add(ttl), nil
}

func (c *controlCore) ReleaseCall(_ context.Context, callID, controller string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, fmt.Sprintf("release %s %s", callID, controller))
	if c.owner != controller {
		return events.NewError(events.ErrConflict, "not controlled by %s", controller)
	}
	c.owner = ""
	return nil
}

func (c *controlCore) calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// The call control methods send the client's controller name and come back
// typed; a claimed call refuses another controller with ErrConflict.
func TestControlCommands(t *testing.T) {
	c := startControlCore(t)
	ivr := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil })).Client()
	other := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil }), sdk.WithController("other")).Client()
	ctx := t.Context()
	if ivr.Controller() != "ivr" || other.Controller() != "other" {
		t.Fatalf("controllers %q, %q", ivr.Controller(), other.Controller())
	}

	expires, err := ivr.ClaimCall(ctx, "c1", 10*time.Second)
	if err != nil || !expires.Equal(c.now.Add(10*time.Second)) {
		t.Fatalf("ClaimCall = %v, %v", expires, err)
	}
	if _, err := other.ClaimCall(ctx, "c1", 0); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's ClaimCall: %v, want conflict", err)
	}
	if err := other.HoldLeg(ctx, "l1"); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's HoldLeg: %v, want conflict", err)
	}

	if err := ivr.HoldLeg(ctx, "l1"); err != nil {
		t.Errorf("HoldLeg: %v", err)
	}
	if err := ivr.ResumeLeg(ctx, "l1"); err != nil {
		t.Errorf("ResumeLeg: %v", err)
	}
	if err := ivr.SendDTMF(ctx, "l1", "1#", "", 120); err != nil {
		t.Errorf("SendDTMF: %v", err)
	}
	headers := []events.HeaderV1{{Name: "Event", Value: "refer"}, {Name: "Subscription-State", Value: "active"}}
	code, reason, err := ivr.SendRequest(ctx, "l1", "NOTIFY", headers, "message/sipfrag", []byte("SIP/2.0 200 OK"))
	if err != nil || code != 481 || reason != "Call/Transaction Does Not Exist" {
		t.Errorf("SendRequest = %d %q, %v", code, reason, err)
	}
	c.mu.Lock()
	if !reflect.DeepEqual(c.headers, headers) || string(c.body) != "SIP/2.0 200 OK" {
		t.Errorf("core got headers %+v, body %q", c.headers, c.body)
	}
	c.mu.Unlock()
	if _, _, err := ivr.SendRequest(ctx, "l1", "BYE", nil, "", nil); !isCode(err, events.ErrBadRequest) {
		t.Errorf("SendRequest(BYE): %v, want bad_request", err)
	}
	if err := ivr.HangupLeg(ctx, "nope", 0, ""); !isCode(err, events.ErrUnknownLeg) {
		t.Errorf("HangupLeg(nope): %v, want unknown_leg", err)
	}
	if err := other.ReleaseCall(ctx, "c1"); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's ReleaseCall: %v, want conflict", err)
	}
	if err := ivr.ReleaseCall(ctx, "c1"); err != nil {
		t.Errorf("ReleaseCall: %v", err)
	}
	if err := other.HangupLeg(ctx, "l1", 486, "done"); err != nil {
		t.Errorf("HangupLeg after release: %v", err)
	}
	if _, err := ivr.ClaimCall(ctx, "c9", 0); !isCode(err, events.ErrUnknownCall) {
		t.Errorf("ClaimCall(c9): %v, want unknown_call", err)
	}

	want := []string{
		"claim c1 ivr 10s", "claim c1 other 30s", "hold l1 other true",
		"hold l1 ivr true", "hold l1 ivr false", "dtmf l1 ivr 1# info 120",
		"request l1 ivr NOTIFY message/sipfrag", "hangup nope ivr 0 ",
		"release c1 other", "release c1 ivr", "hangup l1 other 486 done", "claim c9 ivr 30s",
	}
	if got := c.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

// Do sends a control command with an explicit request id: a retry gets the
// first answer and the core is called once.
func TestControlCommandsIdempotent(t *testing.T) {
	c := startControlCore(t)
	cl := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil })).Client()
	req := events.CallsClaimRequestV1{RequestID: "claim-1", Controller: "ivr", CallID: "c1", TTLMS: 2000}
	r1, err1 := sdk.Do(t.Context(), cl, sdk.CallsClaim, req)
	r2, err2 := sdk.DoOn(t.Context(), cl, node, sdk.CallsClaim, req)
	if err1 != nil || err2 != nil || r1 != r2 || r1.Controller != "ivr" || r1.RequestID != "claim-1" {
		t.Errorf("claims: %+v, %v; %+v, %v", r1, err1, r2, err2)
	}
	if got := c.calls(); !reflect.DeepEqual(got, []string{"claim c1 ivr 2s"}) {
		t.Errorf("core calls %q", got)
	}
}

func isCode(err error, code events.ErrorCode) bool {
	var e *events.Error
	return errors.As(err, &e) && e.Code == code
}
