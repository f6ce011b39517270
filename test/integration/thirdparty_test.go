package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Third-party call control, RFC 3725 flow IV (the default): A is called
// with an inactive offer and acknowledged; B is called without an offer;
// B's offer goes to A in a re-INVITE and A's answer to B in its ACK.
func TestOriginateCallFlow4(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	id, aLeg, err := n.Server.Core().OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: a.URI("alice"), B: b.URI("bob"), Controller: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	ia := a.NextInvite(wait)
	if d := phone.Direction(ia.Body()); d != phone.Inactive {
		t.Errorf("A offered %q, want inactive", d)
	}
	ia.Answer(a.SDP(phone.Inactive))
	ia.ExpectRequest(sip.ACK, wait)
	ib := b.NextInvite(wait)
	if len(ib.Body()) != 0 {
		t.Errorf("B's INVITE carries an offer")
	}
	ib.Ringing()
	ib.Answer(b.SDP(phone.SendRecv))
	re := ia.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(b) {
		t.Errorf("A re-INVITEd to port %d, want B's", mediaPort(re.Body()))
	}
	re.OK(a.SDP(phone.SendRecv))
	ia.ExpectRequest(sip.ACK, wait)
	if ack := ib.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(a) {
		t.Errorf("B's ACK answers port %d, want A's", mediaPort(ack.Body()))
	}
	br := n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == aLeg }, wait)
	if br.CallID != id {
		t.Errorf("bridged in call %s, want %s", br.CallID, id)
	}
	if err := n.Server.Core().ReleaseCall(ctx10(t), id, "crm"); err != nil {
		t.Fatal(err)
	}
	bye := ia.Bye()
	ib.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// Flow I: A is called without an offer; A's offer goes to B in B's INVITE;
// B's answer goes to A in A's ACK.
func TestOriginateCallFlow1(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	id, _, err := n.Server.Core().OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: a.URI("alice"), B: b.URI("bob"), Flow: events.Flow1})
	if err != nil {
		t.Fatal(err)
	}
	ia := a.NextInvite(wait)
	if len(ia.Body()) != 0 {
		t.Errorf("flow I: A's INVITE carries an offer")
	}
	ia.Answer(a.SDP(phone.SendRecv))
	ib := b.NextInvite(wait)
	if mediaPort(ib.Body()) != portOf(a) {
		t.Errorf("B offered port %d, want A's", mediaPort(ib.Body()))
	}
	ib.Answer(b.SDP(phone.SendRecv))
	ib.ExpectRequest(sip.ACK, wait)
	if ack := ia.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(b) {
		t.Errorf("A's ACK answers port %d, want B's", mediaPort(ack.Body()))
	}
	bye := ib.Bye()
	ia.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// B busy: A, already answered, is hung up; the call ends.
func TestOriginateCallBFails(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	id, _, err := n.Server.Core().OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: a.URI("alice"), B: b.URI("bob")})
	if err != nil {
		t.Fatal(err)
	}
	ia := a.NextInvite(wait)
	ia.Answer(a.SDP(phone.Inactive))
	ia.ExpectRequest(sip.ACK, wait)
	b.NextInvite(wait).Reject(486)
	ia.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(id, wait)

	if _, _, err := n.Server.Core().OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: "tel:1", B: b.URI("bob")}); errCode(err) != events.ErrBadRequest {
		t.Errorf("bad A: %v", err)
	}
}

// calls.originate over NATS through the SDK: flow IV end to end, the call
// claimed by the sender.
func TestOriginateCallOverNATS(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	crm := controller(t, n, "crm")
	id, aLeg, err := crm.OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: a.URI("alice"), B: b.URI("bob")})
	if err != nil || id == "" || aLeg == "" {
		t.Fatalf("originate: %q %q %v", id, aLeg, err)
	}
	cl := n.Events.Await(events.TypeCallClaimedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if c := decode[events.CallClaimedV1](t, cl); c.Controller != "crm" {
		t.Errorf("claimed by %q", c.Controller)
	}
	ia := a.NextInvite(wait)
	ia.Answer(a.SDP(phone.Inactive))
	ia.ExpectRequest(sip.ACK, wait)
	ib := b.NextInvite(wait)
	ib.Answer(b.SDP(phone.SendRecv))
	ia.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	ia.ExpectRequest(sip.ACK, wait)
	ib.ExpectRequest(sip.ACK, wait)
	n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == aLeg }, wait)
	if _, _, err := crm.OriginateCall(ctx10(t), events.CallsOriginateRequestV1{A: a.URI("alice"), B: "mailto:x"}); errCode(err) != events.ErrBadRequest {
		t.Errorf("bad b over NATS: %v", err)
	}
	if err := n.Server.Core().HangupCall(ctx10(t), id, 0, ""); err != nil {
		t.Fatal(err)
	}
	ia.ExpectRequest(sip.BYE, wait).OK(nil)
	ib.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(id, wait)
}
