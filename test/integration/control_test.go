package integration

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The command server serves the call control verbs only for a core that
// implements natsapi.LegController: the core must keep doing so.
var _ natsapi.LegController = (*b2bua.Core)(nil)

// controller starts an SDK client named name on the node's NATS, as a
// plugin controlling calls would be.
func controller(t *testing.T, n *harness.Node, name string) *sdk.Client {
	t.Helper()
	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-"+name))
	if err != nil {
		t.Fatalf("nats: %v", err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	inst, err := sdk.Start(ctx, nc, sdk.Plugin{Name: name, Start: func(context.Context, *sdk.Client) error { return nil }})
	if err != nil {
		t.Fatalf("sdk start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = inst.Stop(ctx)
	})
	return inst.Client()
}

// async runs fn (a command that waits for a phone) in the background; its
// result is read from the channel.
func async(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return done
}

// errCode is the code of the *events.Error in err, 0 without one.
func errCode(err error) events.ErrorCode {
	var e *events.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// Call control over NATS, end to end: a controller claims a live call,
// holds and resumes B (re-INVITEs with a=sendonly then a=sendrecv), sends
// DTMF to A by INFO, sends NOTIFY and OPTIONS to B and gets B's answers
// back; a second controller is refused with code 4 (conflict); the claim
// is released; hanging up the B leg ends the call with BYE to both phones.
func TestControlOverNATS(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	aLeg, bLeg := id+"-a", id+"-b1"
	ops := controller(t, n, "ops")
	intruder := controller(t, n, "intruder")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Claim: the reply and the claimed event agree.
	expires, err := ops.ClaimCall(ctx, id, time.Minute)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if d := time.Until(expires); d < 50*time.Second || d > 61*time.Second {
		t.Errorf("claim expires in %v, want about 1m", d)
	}
	claimed := decode[events.CallClaimedV1](t, n.Events.Await(events.TypeCallClaimedV1, func(e harness.Event) bool { return e.CallID == id }, wait))
	if claimed.Controller != "ops" || !claimed.ExpiresAt.Equal(expires) {
		t.Errorf("claimed event %+v, reply expires %v", claimed, expires)
	}

	// A second controller is refused with code 4, through the SDK and on
	// the wire.
	if _, err := intruder.ClaimCall(ctx, id, 0); errCode(err) != events.ErrConflict {
		t.Errorf("second controller's claim: %v, want conflict", err)
	}
	var hold events.LegsHoldReplyV1
	command(t, commandConn(t, n), events.VerbLegsHold, events.LegsHoldRequestV1{RequestID: "intruder-hold", Controller: "intruder", LegID: bLeg}, &hold)
	if hold.Error == nil || hold.Error.Code != 4 || hold.Error.Name != "conflict" || hold.RequestID != "intruder-hold" {
		t.Errorf("second controller's hold: %+v, want code 4", hold)
	}
	if err := intruder.HangupLeg(ctx, bLeg, 0, ""); errCode(err) != events.ErrConflict {
		t.Errorf("second controller's hangup: %v, want conflict", err)
	}

	// Hold B: a re-INVITE offering sendonly, then leg_held.
	done := async(func() error { return ops.HoldLeg(ctx, bLeg) })
	r := in.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(r.Body()); d != "sendonly" {
		t.Errorf("hold offered a=%s, want sendonly", d)
	}
	r.OK(b.SDP(phone.RecvOnly))
	in.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("hold: %v", err)
	}
	n.Events.Await(events.TypeLegHeldV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)

	// Resume B: a re-INVITE offering sendrecv, then leg_resumed.
	done = async(func() error { return ops.ResumeLeg(ctx, bLeg) })
	r = in.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(r.Body()); d != "sendrecv" {
		t.Errorf("resume offered a=%s, want sendrecv", d)
	}
	r.OK(b.SDP(phone.SendRecv))
	in.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("resume: %v", err)
	}
	n.Events.Await(events.TypeLegResumedV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)

	// DTMF to A by INFO, application/dtmf-relay, one INFO a digit.
	done = async(func() error { return ops.SendDTMF(ctx, aLeg, "5*", events.DTMFInfo, 100) })
	for _, d := range []string{"5", "*"} {
		info := c.Dialog.ExpectRequest(sip.INFO, wait)
		if ct := header(info.Req, "Content-Type"); ct != "application/dtmf-relay" || !strings.Contains(string(info.Body()), "Signal="+d) {
			t.Errorf("INFO %s body %q, want application/dtmf-relay Signal=%s", ct, info.Body(), d)
		}
		info.OK(nil)
	}
	if err := <-done; err != nil {
		t.Fatalf("dtmf: %v", err)
	}
	if err := ops.SendDTMF(ctx, aLeg, "1", events.DTMFRFC4733, 0); errCode(err) != events.ErrConflict {
		t.Errorf("rfc4733 DTMF without media anchoring: %v, want conflict", err)
	}

	// NOTIFY to B with headers and a body; B's 489 comes back as the reply.
	type answer struct {
		code   int
		reason string
		err    error
	}
	res := make(chan answer, 1)
	go func() {
		code, reason, err := ops.SendRequest(ctx, bLeg, "NOTIFY",
			[]events.HeaderV1{{Name: "Event", Value: "dialog"}, {Name: "Subscription-State", Value: "active;expires=60"}},
			"text/plain", []byte("state=on"))
		res <- answer{code, reason, err}
	}()
	notify := in.ExpectRequest(sip.NOTIFY, wait)
	if header(notify.Req, "Event") != "dialog" || header(notify.Req, "Subscription-State") != "active;expires=60" ||
		header(notify.Req, "Content-Type") != "text/plain" || string(notify.Body()) != "state=on" {
		t.Errorf("NOTIFY at B:\n%s", notify.Req)
	}
	if notify.Req.CallID().Value() != in.CallID() {
		t.Errorf("NOTIFY Call-ID %s, want B's dialog %s", notify.Req.CallID().Value(), in.CallID())
	}
	notify.Respond(489, nil)
	if got := <-res; got.err != nil || got.code != 489 || got.reason == "" {
		t.Errorf("NOTIFY answer %d %q, %v; want 489", got.code, got.reason, got.err)
	}

	// OPTIONS on the wire: the reply carries B's 200 OK.
	nc := commandConn(t, n)
	type optsReply struct {
		raw []byte
		err error
	}
	opts := make(chan optsReply, 1)
	go func() {
		data := []byte(`{"request_id":"opt-1","controller":"ops","leg_id":"` + bLeg + `","method":"OPTIONS"}`)
		m, err := nc.RequestWithContext(ctx, events.CommandSubject(events.VerbLegsRequest), data)
		if err != nil {
			opts <- optsReply{err: err}
			return
		}
		opts <- optsReply{raw: m.Data}
	}()
	in.ExpectRequest(sip.OPTIONS, wait).OK(nil)
	got := <-opts
	var rep events.LegsRequestReplyV1
	if got.err != nil {
		t.Fatalf("legs.request OPTIONS: %v", got.err)
	}
	if err := json.Unmarshal(got.raw, &rep); err != nil || rep.Error != nil || rep.Code != 200 || rep.Reason != "OK" || rep.RequestID != "opt-1" {
		t.Errorf("legs.request OPTIONS reply %s (%v), want 200 OK", got.raw, err)
	}

	// Release; the released event says so; then anyone may act.
	if err := intruder.ReleaseCall(ctx, id); errCode(err) != events.ErrConflict {
		t.Errorf("second controller's release: %v, want conflict", err)
	}
	if err := ops.ReleaseCall(ctx, id); err != nil {
		t.Fatalf("release: %v", err)
	}
	rel := decode[events.CallReleasedV1](t, n.Events.Await(events.TypeCallReleasedV1, func(e harness.Event) bool { return e.CallID == id }, wait))
	if rel.Controller != "ops" || rel.Why != events.ReleasedByController {
		t.Errorf("released event %+v", rel)
	}

	// Hang up the B leg (as the former intruder, now that the call is free):
	// both phones get BYE.
	done = async(func() error { return intruder.HangupLeg(ctx, bLeg, 0, "operator") })
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	if err := <-done; err != nil {
		t.Fatalf("hangup leg: %v", err)
	}
	evs, end := ended(t, n, id)
	if end.HungUpBy != "command" {
		t.Errorf("call ended by %q, want command", end.HungUpBy)
	}
	for _, typ := range []string{events.TypeCallClaimedV1, events.TypeLegHeldV1, events.TypeLegResumedV1, events.TypeCallReleasedV1} {
		find(t, evs, typ, "")
	}
}
