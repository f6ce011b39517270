package sdk_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// transferCore is a controlCore that also implements
// natsapi.TransferController: leg "l1" exists, claims of "c1" apply to it,
// every core call is recorded with the request it got.
type transferCore struct {
	*controlCore
}

var _ natsapi.TransferController = transferCore{}

func startTransferCore(t *testing.T) transferCore {
	t.Helper()
	c := transferCore{newControlCore(t)}
	serve(t, c.api, c)
	return c
}

func (c transferCore) BlindTransfer(_ context.Context, req events.TransfersBlindRequestV1) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(req.LegID, req.Controller, "blind %s %s %s %s %v %t", req.LegID, req.Target, req.Controller, req.Mode, req.TargetDialog, req.RequestID != ""); err != nil {
		return "", err
	}
	return fmt.Sprintf("t%d", len(c.log)), nil
}

func (c transferCore) AttendedTransfer(_ context.Context, req events.TransfersAttendedRequestV1) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(req.LegID, req.Controller, "attended %s %s %s %s %v %t", req.LegID, req.OtherLegID, req.Controller, req.Mode, req.TargetDialog, req.RequestID != ""); err != nil {
		return "", err
	}
	return fmt.Sprintf("t%d", len(c.log)), nil
}

// The transfer methods send the client's controller name and a request id,
// the options become the mode and target_dialog (native by default), the
// transfer id comes back; the core's checks and refusals come back typed.
func TestTransferCommands(t *testing.T) {
	c := startTransferCore(t)
	ops := start(t, c.core, plugin("ops", func(context.Context, *sdk.Client) error { return nil })).Client()
	other := start(t, c.core, plugin("ops", func(context.Context, *sdk.Client) error { return nil }), sdk.WithController("other")).Client()
	ctx := t.Context()

	for _, tt := range []struct {
		opts []sdk.TransferOption
		id   string
	}{
		{nil, "t1"},
		{[]sdk.TransferOption{sdk.ByRefer()}, "t2"},
		{[]sdk.TransferOption{sdk.TargetDialog()}, "t3"},
		{[]sdk.TransferOption{sdk.ByRefer(), sdk.TargetDialog()}, "t4"},
	} {
		id, err := ops.BlindTransfer(ctx, "l1", "sip:carol@example.com", tt.opts...)
		if err != nil || id != tt.id {
			t.Errorf("BlindTransfer(%d options) = %q, %v; want %q", len(tt.opts), id, err, tt.id)
		}
	}
	if id, err := ops.AttendedTransfer(ctx, "l1", "l2"); err != nil || id != "t5" {
		t.Errorf("AttendedTransfer = %q, %v", id, err)
	}
	if id, err := ops.AttendedTransfer(ctx, "l1", "l2", sdk.ByRefer()); err != nil || id != "t6" {
		t.Errorf("AttendedTransfer by REFER = %q, %v", id, err)
	}

	// Refused by the core's checks before it is called.
	if _, err := ops.BlindTransfer(ctx, "l1", "tel:+15551234"); !isCode(err, events.ErrBadRequest) {
		t.Errorf("BlindTransfer(tel:): %v, want bad_request", err)
	}
	if _, err := ops.BlindTransfer(ctx, "", "sip:carol@example.com"); !isCode(err, events.ErrBadRequest) {
		t.Errorf("BlindTransfer without a leg: %v, want bad_request", err)
	}
	if _, err := ops.AttendedTransfer(ctx, "l1", "l1"); !isCode(err, events.ErrBadRequest) {
		t.Errorf("AttendedTransfer(l1, l1): %v, want bad_request", err)
	}
	// Refused by the core.
	if id, err := ops.BlindTransfer(ctx, "l9", "sip:carol@example.com"); !isCode(err, events.ErrUnknownLeg) || id != "" {
		t.Errorf("BlindTransfer(l9) = %q, %v; want unknown_leg", id, err)
	}
	if _, err := ops.ClaimCall(ctx, "c1", 0); err != nil {
		t.Fatalf("ClaimCall: %v", err)
	}
	if _, err := other.BlindTransfer(ctx, "l1", "sip:carol@example.com"); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's BlindTransfer: %v, want conflict", err)
	}
	if _, err := other.AttendedTransfer(ctx, "l1", "l2", sdk.TargetDialog()); !isCode(err, events.ErrConflict) {
		t.Errorf("second controller's AttendedTransfer: %v, want conflict", err)
	}

	want := []string{
		"blind l1 sip:carol@example.com ops native false true",
		"blind l1 sip:carol@example.com ops refer false true",
		"blind l1 sip:carol@example.com ops refer true true",
		"blind l1 sip:carol@example.com ops refer true true",
		"attended l1 l2 ops native false true",
		"attended l1 l2 ops refer false true",
		"blind l9 sip:carol@example.com ops native false true",
		"claim c1 ops 30s",
		"blind l1 sip:carol@example.com other native false true",
		"attended l1 l2 other refer true true",
	}
	if got := c.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

// A retried transfer with the same request id, through Do, transfers once.
func TestTransferDoIdempotent(t *testing.T) {
	c := startTransferCore(t)
	ops := start(t, c.core, plugin("ops", func(context.Context, *sdk.Client) error { return nil })).Client()
	req := events.TransfersBlindRequestV1{RequestID: "x-1", Controller: "ops", LegID: "l1", Target: "sip:carol@example.com", Mode: events.TransferRefer}
	for range 2 {
		rep, err := sdk.Do(t.Context(), ops, sdk.TransfersBlind, req)
		if err != nil || rep.TransferID != "t1" || rep.RequestID != "x-1" {
			t.Errorf("Do = %+v, %v", rep, err)
		}
	}
	rep, err := sdk.DoOn(t.Context(), ops, node, sdk.TransfersAttended, events.TransfersAttendedRequestV1{LegID: "l1", OtherLegID: "l2"})
	if err != nil || rep.TransferID != "t2" || rep.RequestID == "" {
		t.Errorf("DoOn = %+v, %v", rep, err)
	}
	want := []string{"blind l1 sip:carol@example.com ops refer false true", "attended l1 l2  native false true"}
	if got := c.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}
