package sdk_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// flowCore is a controlCore that also implements natsapi.FlowController:
// legs "l1" and "l2" exist, claims of "c1" apply to them, every core call
// is recorded.
type flowCore struct {
	*controlCore
}

var _ natsapi.FlowController = flowCore{}

func startFlowCore(t *testing.T) flowCore {
	t.Helper()
	c := flowCore{newControlCore(t)}
	serve(t, c.api, c)
	return c
}

// checkLeg records a core call and checks the leg and the controller.
func (c flowCore) checkLeg(legID, controller, format string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, fmt.Sprintf(format, args...))
	if legID != "l1" && legID != "l2" {
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	if c.owner != "" && c.owner != controller {
		return events.NewError(events.ErrConflict, "controlled by %s", c.owner)
	}
	return nil
}

func (c flowCore) Originate(_ context.Context, req events.LegsOriginateRequestV1) (string, string, error) {
	if err := c.checkLeg("l1", req.Controller, "originate %s %s %s %s", req.Controller, req.Target, req.BridgeTo, req.SDP); err != nil {
		return "", "", err
	}
	return "c2", "l3", nil
}

func (c flowCore) AnswerLeg(_ context.Context, legID, controller string, sdp []byte) error {
	return c.checkLeg(legID, controller, "answer %s %s %q", legID, controller, sdp)
}

func (c flowCore) RejectLeg(_ context.Context, legID, controller string, code int, reason string) error {
	return c.checkLeg(legID, controller, "reject %s %s %d %s", legID, controller, code, reason)
}

func (c flowCore) RedirectLeg(_ context.Context, legID, controller string, code int, targets []string) error {
	return c.checkLeg(legID, controller, "redirect %s %s %d %s", legID, controller, code, strings.Join(targets, ","))
}

func (c flowCore) BridgeLegs(_ context.Context, legID, otherLegID, controller string) (string, error) {
	if err := c.checkLeg(legID, controller, "bridge %s %s %s", legID, otherLegID, controller); err != nil {
		return "", err
	}
	if otherLegID != "l1" && otherLegID != "l2" {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", otherLegID)
	}
	return "c1", nil
}

func (c flowCore) UnbridgeLeg(_ context.Context, legID, controller string) error {
	return c.checkLeg(legID, controller, "unbridge %s %s", legID, controller)
}

// The call flow methods send the client's controller name, reach the core
// with the core's defaults applied, and come back typed; a claimed call
// refuses another controller with ErrConflict.
func TestFlowCommands(t *testing.T) {
	c := startFlowCore(t)
	ivr := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil })).Client()
	other := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil }), sdk.WithController("other")).Client()
	ctx := t.Context()

	callID, legID, err := ivr.Originate(ctx, events.LegsOriginateRequestV1{Target: "sip:bob@example.com", BridgeTo: "l1"})
	if err != nil || callID != "c2" || legID != "l3" {
		t.Errorf("Originate = %q, %q, %v", callID, legID, err)
	}
	// An explicit controller is kept.
	if _, _, err := ivr.Originate(ctx, events.LegsOriginateRequestV1{Controller: "ops", Target: "sip:carol@example.com", SDP: "v=0"}); err != nil {
		t.Errorf("Originate as ops: %v", err)
	}
	// Refused by the core's checks before it is called.
	if _, _, err := ivr.Originate(ctx, events.LegsOriginateRequestV1{Target: "tel:+123"}); !isCode(err, events.ErrBadRequest) {
		t.Errorf("Originate(tel:): %v, want bad_request", err)
	}
	if err := ivr.AnswerLeg(ctx, "l1", []byte("v=0\r\n")); err != nil {
		t.Errorf("AnswerLeg: %v", err)
	}
	if err := ivr.AnswerLeg(ctx, "l2", nil); err != nil {
		t.Errorf("AnswerLeg without SDP: %v", err)
	}
	if err := ivr.RejectLeg(ctx, "l1", 0, ""); err != nil {
		t.Errorf("RejectLeg: %v", err)
	}
	if err := ivr.RejectLeg(ctx, "l1", 603, "Decline"); err != nil {
		t.Errorf("RejectLeg(603): %v", err)
	}
	if err := ivr.RejectLeg(ctx, "l1", 200, ""); !isCode(err, events.ErrBadRequest) {
		t.Errorf("RejectLeg(200): %v, want bad_request", err)
	}
	if err := ivr.RedirectLeg(ctx, "l1", 0, "sip:a@example.com", "sip:b@example.com"); err != nil {
		t.Errorf("RedirectLeg: %v", err)
	}
	if err := ivr.RedirectLeg(ctx, "l1", 301); !isCode(err, events.ErrBadRequest) {
		t.Errorf("RedirectLeg without targets: %v, want bad_request", err)
	}

	if _, err := ivr.ClaimCall(ctx, "c1", 0); err != nil {
		t.Fatalf("ClaimCall: %v", err)
	}
	if call, err := ivr.BridgeLegs(ctx, "l1", "l2"); err != nil || call != "c1" {
		t.Errorf("BridgeLegs = %q, %v", call, err)
	}
	if _, err := other.BridgeLegs(ctx, "l1", "l2"); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's BridgeLegs: %v, want conflict", err)
	}
	if _, err := ivr.BridgeLegs(ctx, "l1", "l9"); !isCode(err, events.ErrUnknownLeg) {
		t.Errorf("BridgeLegs(l9): %v, want unknown_leg", err)
	}
	if err := other.UnbridgeLeg(ctx, "l2"); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's UnbridgeLeg: %v, want conflict", err)
	}
	if err := ivr.UnbridgeLeg(ctx, "l2"); err != nil {
		t.Errorf("UnbridgeLeg: %v", err)
	}
	if err := ivr.UnbridgeLeg(ctx, "nope"); !isCode(err, events.ErrUnknownLeg) {
		t.Errorf("UnbridgeLeg(nope): %v, want unknown_leg", err)
	}

	want := []string{
		"originate ivr sip:bob@example.com l1 ", "originate ops sip:carol@example.com  v=0",
		`answer l1 ivr "v=0\r\n"`, `answer l2 ivr ""`,
		"reject l1 ivr 486 ", "reject l1 ivr 603 Decline",
		"redirect l1 ivr 302 sip:a@example.com,sip:b@example.com",
		"claim c1 ivr 30s",
		"bridge l1 l2 ivr", "bridge l1 l2 other", "bridge l1 l9 ivr",
		"unbridge l2 other", "unbridge l2 ivr", "unbridge nope ivr",
	}
	if got := c.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}
