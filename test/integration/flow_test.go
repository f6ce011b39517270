package integration

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

var mLine = regexp.MustCompile(`(?m)^m=audio (\d+) `)

// mediaPort is the audio port of a session description, 0 without one.
func mediaPort(body []byte) int {
	m := mLine.FindSubmatch(body)
	if m == nil {
		return 0
	}
	p, _ := strconv.Atoi(string(m[1]))
	return p
}

// portOf is the audio port phone p puts in its SDP.
func portOf(p *phone.Phone) int { return mediaPort(p.SDP(phone.SendRecv)) }

func ctx10(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// An originated leg bridged on answer (what a blind transfer does):
// alice talks to bob; carol is called without SDP; her 2xx offer goes to
// alice in a re-INVITE and alice's answer returns to carol in the ACK. Bob,
// now alone in a claimed call, is hung up by command without ending the
// call; once the claim is released, carol's BYE ends the call.
func TestOriginateBridgedOnAnswer(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	carol := phone.New(t, "carol")
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	core := n.Server.Core()
	ctx := ctx10(t)
	aLeg, bLeg := id+"-a", id+"-b1"
	if _, err := core.ClaimCall(ctx, id, "xfer", time.Minute); err != nil {
		t.Fatal(err)
	}

	callID2, oLeg, err := core.Originate(ctx, events.LegsOriginateRequestV1{Controller: "xfer", Target: carol.URI("carol"), BridgeTo: aLeg})
	if err != nil {
		t.Fatalf("originate: %v", err)
	}
	if callID2 != id {
		t.Errorf("originated leg in call %s, want the bridge_to leg's %s", callID2, id)
	}
	inv := carol.NextInvite(wait)
	if len(inv.Body()) != 0 {
		t.Errorf("originated INVITE carries an offer:\n%s", inv.Body())
	}
	inv.Ringing()
	n.Events.Await(events.TypeLegRingingV1, func(e harness.Event) bool { return e.LegID == oLeg }, wait)
	inv.Answer(carol.SDP(phone.SendRecv))

	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if got := mediaPort(re.Body()); got != portOf(carol) {
		t.Errorf("alice re-INVITEd to port %d, want carol's %d:\n%s", got, portOf(carol), re.Body())
	}
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	ack := inv.ExpectRequest(sip.ACK, wait)
	if got := mediaPort(ack.Body()); got != portOf(a) {
		t.Errorf("carol's ACK answers with port %d, want alice's %d:\n%s", got, portOf(a), ack.Body())
	}
	n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == oLeg }, wait)
	unb := n.Events.Await(events.TypeLegUnbridgedV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)
	if u := decode[events.LegUnbridgedV1](t, unb); u.Why != "rebridged" || u.PeerLegID != aLeg {
		t.Errorf("bob's unbridged event %+v", u)
	}

	// bob, alone, hung up by the controller: the call goes on
	if err := core.HangupLeg(ctx, bLeg, "xfer", 0, "transferred"); err != nil {
		t.Fatalf("hangup bob: %v", err)
	}
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == bLeg }, wait)
	ci, ok := core.GetCall(id)
	if !ok || ci.State != "connected" {
		t.Fatalf("call after bob left: %+v %v", ci, ok)
	}

	// in-dialog requests now go between alice and carol
	info := c.Dialog.Request(sip.INFO, []byte("Signal=5\r\nDuration=100\r\n"), sip.NewHeader("Content-Type", "application/dtmf-relay"))
	inv.ExpectRequest(sip.INFO, wait).OK(nil)
	info.Expect(200, wait)

	if err := core.ReleaseCall(ctx, id, "xfer"); err != nil {
		t.Fatal(err)
	}
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	if end := n.Events.AwaitCallEnd(id, wait); end.Reason != "bye" {
		t.Errorf("call ended %+v", end)
	}
}

// Two calls, then a bridge of one leg of each: carol's leg, originated
// alone (answered with inactive media), moves into alice's call; alice gets
// an offerless re-INVITE, her offer goes to carol, carol's answer returns in
// alice's ACK. The emptied call ends; bob stays alone until hung up.
func TestBridgeAcrossCalls(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	carol := phone.New(t, "carol")
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	core := n.Server.Core()
	ctx := ctx10(t)
	aLeg, bLeg := id+"-a", id+"-b1"

	other, oLeg, err := core.Originate(ctx, events.LegsOriginateRequestV1{Controller: "ops", Target: carol.URI("carol")})
	if err != nil {
		t.Fatalf("originate: %v", err)
	}
	if other == id {
		t.Fatal("an originated leg without call_id or bridge_to joined an existing call")
	}
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	ack := inv.ExpectRequest(sip.ACK, wait)
	if d := phone.Direction(ack.Body()); d != phone.Inactive {
		t.Errorf("lone originated leg answered with direction %q, want inactive:\n%s", d, ack.Body())
	}

	// another controller may not move ops' leg
	if _, err := core.BridgeLegs(ctx, aLeg, oLeg, "intruder"); errCode(err) != events.ErrConflict {
		t.Errorf("bridge by another controller: %v, want conflict", err)
	}
	if err := core.ReleaseCall(ctx, other, "ops"); err != nil {
		t.Fatal(err)
	}
	if _, err := core.ClaimCall(ctx, id, "ops", time.Minute); err != nil {
		t.Fatal(err)
	}

	type result struct {
		call string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		cid, err := core.BridgeLegs(ctx, aLeg, oLeg, "ops")
		done <- result{cid, err}
	}()
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if len(re.Body()) != 0 {
		t.Errorf("first re-INVITE of a bridge carries an offer:\n%s", re.Body())
	}
	re.OK(a.SDP(phone.SendRecv))
	re2 := inv.ExpectRequest(sip.INVITE, wait)
	if got := mediaPort(re2.Body()); got != portOf(a) {
		t.Errorf("carol offered port %d, want alice's %d", got, portOf(a))
	}
	re2.OK(carol.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	ackA := c.Dialog.ExpectRequest(sip.ACK, wait)
	if got := mediaPort(ackA.Body()); got != portOf(carol) {
		t.Errorf("alice's ACK answers port %d, want carol's %d:\n%s", got, portOf(carol), ackA.Body())
	}
	r := <-done
	if r.err != nil || r.call != id {
		t.Fatalf("bridge: call %q err %v, want call %s", r.call, r.err, id)
	}
	moved := n.Events.Await(events.TypeLegMovedV1, func(e harness.Event) bool { return e.LegID == oLeg && e.CallID == id }, wait)
	if m := decode[events.LegMovedV1](t, moved); m.FromCallID != other {
		t.Errorf("moved event %+v", m)
	}
	if end := n.Events.AwaitCallEnd(other, wait); end.Reason != "no legs left" {
		t.Errorf("emptied call ended %+v", end)
	}

	ci, _ := core.GetCall(id)
	peers := map[string]string{}
	for _, l := range ci.Legs {
		peers[l.LegID] = l.PeerLegID
	}
	if peers[aLeg] != oLeg || peers[oLeg] != aLeg || peers[bLeg] != "" {
		t.Errorf("peers after bridge: %v", peers)
	}

	// unbridge: both re-INVITEd inactive, both stay up
	go func() { done <- result{"", core.UnbridgeLeg(ctx, oLeg, "ops")} }()
	h := inv.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(h.Body()); d != phone.Inactive {
		t.Errorf("unbridge offered carol %q", d)
	}
	h.OK(carol.SDP(phone.Inactive))
	inv.ExpectRequest(sip.ACK, wait)
	h = c.Dialog.ExpectRequest(sip.INVITE, wait)
	if d := phone.Direction(h.Body()); d != phone.Inactive {
		t.Errorf("unbridge offered alice %q", d)
	}
	h.OK(a.SDP(phone.Inactive))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	if r := <-done; r.err != nil {
		t.Fatalf("unbridge: %v", r.err)
	}

	if err := core.HangupCall(ctx, id, 0, ""); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*phone.Dialog{c.Dialog, in.Dialog, inv.Dialog} {
		d.ExpectRequest(sip.BYE, wait).OK(nil)
	}
	n.Events.AwaitCallEnd(id, wait)
}

// A call parked by its route decision waits for a controller: answered
// (inactive media), then joined to an originated leg; a second parked call
// is rejected and a third redirected by command.
func TestParkedCalls(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RoutePark, Controller: "ivr"}
	})
	core := n.Server.Core()
	ctx := ctx10(t)

	c := a.Invite(target(n, "park"), phone.WithBody(a.SDP(phone.SendRecv)))
	id := callID(t, n, c.CallID())
	n.Events.Await(events.TypeCallParkedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	aLeg := id + "-a"
	if err := core.AnswerLeg(ctx, aLeg, "someone-else", nil); errCode(err) != events.ErrConflict {
		t.Errorf("answer by another controller: %v", err)
	}
	if err := core.AnswerLeg(ctx, aLeg, "ivr", nil); err != nil {
		t.Fatalf("answer: %v", err)
	}
	ok := c.Expect(200, wait)
	if d := phone.Direction(ok.Body()); d != phone.Inactive {
		t.Errorf("parked call answered %q, want inactive", d)
	}
	c.Ack()
	n.Events.Await(events.TypeCallConnectedV1, func(e harness.Event) bool { return e.CallID == id }, wait)

	_, oLeg, err := core.Originate(ctx, events.LegsOriginateRequestV1{Controller: "ivr", Target: b.URI("bob"), BridgeTo: aLeg})
	if err != nil {
		t.Fatal(err)
	}
	inv := b.NextInvite(wait)
	inv.Answer(b.SDP(phone.SendRecv))
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(b) {
		t.Errorf("alice not re-INVITEd to bob:\n%s", re.Body())
	}
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	inv.ExpectRequest(sip.ACK, wait)
	n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == oLeg }, wait)
	if err := core.ReleaseCall(ctx, id, "ivr"); err != nil {
		t.Fatal(err)
	}
	bye := c.Bye()
	inv.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)

	// reject
	c2 := a.Invite(target(n, "park"), phone.WithBody(a.SDP(phone.SendRecv)))
	id2 := callID(t, n, c2.CallID())
	n.Events.Await(events.TypeCallParkedV1, func(e harness.Event) bool { return e.CallID == id2 }, wait)
	if err := core.RejectLeg(ctx, id2+"-a", "ivr", 603, "Go Away"); err != nil {
		t.Fatal(err)
	}
	if res := c2.Expect(603, wait); res.Reason != "Go Away" {
		t.Errorf("reject reason %q", res.Reason)
	}
	n.Events.AwaitCallEnd(id2, wait)

	// redirect
	c3 := a.Invite(target(n, "park"), phone.WithBody(a.SDP(phone.SendRecv)))
	id3 := callID(t, n, c3.CallID())
	n.Events.Await(events.TypeCallParkedV1, func(e harness.Event) bool { return e.CallID == id3 }, wait)
	if err := core.RedirectLeg(ctx, id3+"-a", "ivr", 0, []string{"sip:voicemail@127.0.0.1:5999"}); err != nil {
		t.Fatal(err)
	}
	res := c3.Expect(302, wait)
	if h := res.GetHeader("Contact"); h == nil || h.Value() != "<sip:voicemail@127.0.0.1:5999>" {
		t.Errorf("302 Contact %v", h)
	}
	n.Events.AwaitCallEnd(id3, wait)
	if err := core.AnswerLeg(ctx, id3+"-a", "ivr", nil); errCode(err) != events.ErrUnknownLeg {
		t.Errorf("answer after redirect: %v, want unknown leg", err)
	}
}

// An originated leg that is refused or never answered ends, and so does
// the call made for it.
func TestOriginateFailures(t *testing.T) {
	t.Parallel()
	n, _, b := setup(t)
	core := n.Server.Core()
	ctx := ctx10(t)

	id, leg, err := core.Originate(ctx, events.LegsOriginateRequestV1{Target: b.URI("bob")})
	if err != nil {
		t.Fatal(err)
	}
	b.NextInvite(wait).Reject(486)
	ended := n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == leg }, wait)
	if le := decode[events.LegEndedV1](t, ended); le.Code != 486 {
		t.Errorf("leg ended %+v", le)
	}
	n.Events.AwaitCallEnd(id, wait)

	id, leg, err = core.Originate(ctx, events.LegsOriginateRequestV1{Target: b.URI("bob"), TimeoutMS: 300})
	if err != nil {
		t.Fatal(err)
	}
	inv := b.NextInvite(wait)
	inv.Ringing()
	inv.ExpectRequest(sip.CANCEL, wait)
	ended = n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == leg }, wait)
	if le := decode[events.LegEndedV1](t, ended); le.Code != 487 {
		t.Errorf("unanswered leg ended %+v", le)
	}
	n.Events.AwaitCallEnd(id, wait)

	for _, bad := range []events.LegsOriginateRequestV1{
		{Target: "tel:+123"},
		{Target: b.URI("bob"), CallID: "c-none"},
		{Target: b.URI("bob"), BridgeTo: "c-none-a"},
	} {
		if _, _, err := core.Originate(ctx, bad); err == nil {
			t.Errorf("originate %+v succeeded", bad)
		}
	}
}
