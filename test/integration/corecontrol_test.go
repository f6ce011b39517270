package integration

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The core's control methods (what the legs.* and calls.claim commands
// call), driven directly: claim, hold and resume B by re-INVITE, DTMF by
// INFO to A, an in-dialog request with the party's answer, a second
// controller refused, the claim released, then the B leg hung up.
func TestCoreLegControl(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	core := n.Server.Core()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bLeg, aLeg := id+"-b1", id+"-a"

	if _, err := core.ClaimCall(ctx, id, "ops", time.Minute); err != nil {
		t.Fatalf("claim: %v", err)
	}
	n.Events.Await(events.TypeCallClaimedV1, func(e harness.Event) bool { return e.CallID == id }, wait)

	// hold: B gets a re-INVITE offering sendonly and answers recvonly
	done := make(chan error, 1)
	go func() { done <- core.HoldLeg(ctx, bLeg, "ops", true) }()
	r := in.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(r.Body()); d != "sendonly" {
		t.Errorf("hold offered %q, want sendonly", d)
	}
	r.OK(b.SDP(phone.RecvOnly))
	in.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("hold: %v", err)
	}
	held := n.Events.Await(events.TypeLegHeldV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)
	if h := decode[events.LegHeldV1](t, held); h.By != "command" || h.Direction != "sendonly" {
		t.Errorf("held event %+v", h)
	}

	// resume
	go func() { done <- core.HoldLeg(ctx, bLeg, "ops", false) }()
	r = in.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(r.Body()); d != "sendrecv" {
		t.Errorf("resume offered %q, want sendrecv", d)
	}
	r.OK(b.SDP(phone.SendRecv))
	in.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("resume: %v", err)
	}
	n.Events.Await(events.TypeLegResumedV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)

	// DTMF by INFO to A, one INFO per digit
	go func() { done <- core.SendDTMF(ctx, aLeg, "ops", "1#", "info", 0) }()
	for _, d := range []string{"1", "#"} {
		info := c.Dialog.ExpectRequest(sip.INFO, wait)
		if !strings.Contains(string(info.Body()), "Signal="+d) || header(info.Req, "Content-Type") != "application/dtmf-relay" {
			t.Errorf("INFO body %q type %q", info.Body(), header(info.Req, "Content-Type"))
		}
		info.OK(nil)
	}
	if err := <-done; err != nil {
		t.Fatalf("dtmf: %v", err)
	}

	// an in-dialog request: the party's final code comes back
	type result struct {
		code int
		err  error
	}
	res := make(chan result, 1)
	go func() {
		code, _, err := core.SendRequest(ctx, bLeg, "ops", "MESSAGE", []events.HeaderV1{{Name: "X-Note", Value: "hi"}}, "text/plain", []byte("hello"))
		res <- result{code, err}
	}()
	m := in.ExpectRequest(sip.MESSAGE, wait)
	if string(m.Body()) != "hello" || header(m.Req, "X-Note") != "hi" {
		t.Errorf("MESSAGE body %q X-Note %q", m.Body(), header(m.Req, "X-Note"))
	}
	m.Respond(488, nil)
	if got := <-res; got.err != nil || got.code != 488 {
		t.Errorf("request result %d %v, want 488", got.code, got.err)
	}

	// a second controller is refused; a bad request is refused
	var e *events.Error
	if err := core.HoldLeg(ctx, bLeg, "intruder", true); !errors.As(err, &e) || e.Code != events.ErrConflict {
		t.Errorf("intruder hold: %v, want conflict", err)
	}
	if _, err := core.ClaimCall(ctx, id, "intruder", 0); !errors.As(err, &e) || e.Code != events.ErrConflict {
		t.Errorf("intruder claim: %v, want conflict", err)
	}
	if _, _, err := core.SendRequest(ctx, bLeg, "ops", "BYE", nil, "", nil); !errors.As(err, &e) || e.Code != events.ErrBadRequest {
		t.Errorf("BYE by request: %v, want bad request", err)
	}
	if err := core.HoldLeg(ctx, id+"-b9", "ops", true); !errors.As(err, &e) || e.Code != events.ErrUnknownLeg {
		t.Errorf("unknown leg: %v, want unknown leg", err)
	}
	if err := core.ReleaseCall(ctx, id, "ops"); err != nil {
		t.Fatalf("release: %v", err)
	}
	rel := n.Events.Await(events.TypeCallReleasedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.CallReleasedV1](t, rel); r.Why != events.ReleasedByController {
		t.Errorf("released %+v", r)
	}

	// hang up the B leg: both parties get BYE
	if err := core.HangupLeg(ctx, bLeg, "", 0, ""); err != nil {
		t.Fatalf("hangup leg: %v", err)
	}
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	if _, end := ended(t, n, id); end.HungUpBy != "command" {
		t.Errorf("ended by %q", end.HungUpBy)
	}
}

// A claim that is not renewed lapses; the call goes on.
func TestCoreClaimLapses(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := n.Server.Core().ClaimCall(ctx, id, "ghost", 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	rel := n.Events.Await(events.TypeCallReleasedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.CallReleasedV1](t, rel); r.Why != events.ReleasedExpired || r.Controller != "ghost" {
		t.Errorf("released %+v", r)
	}
	hangup(t, c, in)
	ended(t, n, id)
}
