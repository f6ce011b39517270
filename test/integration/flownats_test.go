package integration

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The call flow verbs over NATS, end to end through the SDK: a controller
// originates a leg to carol bridged to alice on answer, unbridges, bridges
// again, and a malformed request gets a typed bad_request.
func TestFlowOverNATS(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	carol := phone.New(t, "carol")
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	ops := controller(t, n, "ops")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := ops.ClaimCall(ctx, id, time.Minute); err != nil {
		t.Fatal(err)
	}
	cid, oLeg, err := ops.Originate(ctx, events.LegsOriginateRequestV1{Target: carol.URI("carol"), BridgeTo: id + "-a"})
	if err != nil || cid != id {
		t.Fatalf("originate: %q %q %v", cid, oLeg, err)
	}
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	inv.ExpectRequest(sip.ACK, wait)
	n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == oLeg }, wait)

	done := async(func() error { return ops.UnbridgeLeg(ctx, oLeg) })
	inv.ExpectRequest(sip.INVITE, wait).OK(carol.SDP(phone.Inactive))
	inv.ExpectRequest(sip.ACK, wait)
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.Inactive))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("unbridge: %v", err)
	}

	// bob (alone since carol was bridged) and carol now talk
	done = async(func() error { _, err := ops.BridgeLegs(ctx, id+"-b1", oLeg); return err })
	in.ExpectRequest(sip.INVITE, wait).OK(b.SDP(phone.SendRecv))
	re := inv.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(b) {
		t.Errorf("carol offered port %d, want bob's", mediaPort(re.Body()))
	}
	re.OK(carol.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	in.ExpectRequest(sip.ACK, wait)
	if err := <-done; err != nil {
		t.Fatalf("bridge: %v", err)
	}

	if _, _, err := ops.Originate(ctx, events.LegsOriginateRequestV1{Target: "mailto:x@y"}); errCode(err) != events.ErrBadRequest {
		t.Errorf("originate to mailto: %v, want bad_request", err)
	}
	if err := ops.ReleaseCall(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := ops.HangupLeg(ctx, id+"-a", 0, ""); err != nil {
		t.Fatal(err)
	}
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == id+"-a" }, wait)
	bye := inv.Bye()
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}
