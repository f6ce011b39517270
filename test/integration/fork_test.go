package integration

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// A plugin forks a call to two phones at once: both ring, the first to
// answer wins, the other gets CANCEL; the caller sees one call.
func TestForkParallelFirstAnswerWins(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	bob, carol := phone.New(t, "bob"), phone.New(t, "carol")
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteForward, Targets: []string{bob.URI("bob"), carol.URI("carol")}}
	})
	a := phone.New(t, "alice")
	c := a.Invite(target(n, "both"))
	inB, inC := bob.NextInvite(wait), carol.NextInvite(wait)
	if inB.Req.CallID().Value() == inC.Req.CallID().Value() {
		t.Errorf("the two forks share a Call-ID")
	}
	inB.Ringing()
	c.Expect(180, wait)
	inC.Answer(carol.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	inC.ExpectRequest(sip.ACK, wait)
	inB.ExpectRequest(sip.CANCEL, wait)

	id := callID(t, n, c.CallID())
	c.Dialog.Bye().Expect(200, wait)
	inC.ExpectRequest(sip.BYE, wait).OK(nil)
	evs, end := ended(t, n, id)
	if end.HungUpBy != events.SideA || end.Code != 200 {
		t.Errorf("ended by %q with %d", end.HungUpBy, end.Code)
	}
	// two B legs were created and both ended
	created, endedLegs := 0, 0
	for _, e := range evs {
		switch e.Type {
		case events.TypeLegCreatedV1:
			created++
		case events.TypeLegEndedV1:
			endedLegs++
		}
	}
	if created != 3 || endedLegs != 3 {
		t.Errorf("legs created %d ended %d, want 3 and 3:\n%s", created, endedLegs, describe(evs))
	}
}

// When every fork fails, the caller gets the best response (RFC 3261
// §16.7): a 6xx beats a 4xx.
func TestForkAllFailBestResponse(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	bob, carol := phone.New(t, "bob"), phone.New(t, "carol")
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteForward, Targets: []string{bob.URI("bob"), carol.URI("carol")}}
	})
	a := phone.New(t, "alice")
	c := a.Invite(target(n, "both"))
	inB, inC := bob.NextInvite(wait), carol.NextInvite(wait)
	inB.Reject(486)
	inC.Reject(603)
	res := c.Final(wait)
	if res.StatusCode != 603 {
		t.Fatalf("A got %d, want 603", res.StatusCode)
	}
	_, end := ended(t, n, callID(t, n, c.CallID()))
	if end.Code != 603 {
		t.Errorf("call ended with %d, want 603", end.Code)
	}
}

// Serial forking: the second target is called only after the first failed.
func TestForkSerial(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	bob, carol := phone.New(t, "bob"), phone.New(t, "carol")
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteForward, Targets: []string{bob.URI("bob"), carol.URI("carol")}, Serial: true}
	})
	a := phone.New(t, "alice")
	c := a.Invite(target(n, "both"))
	inB := bob.NextInvite(wait)
	inB.Ringing()
	c.Expect(180, wait)
	if len(carol.Invites()) != 0 { // nothing queued at carol while bob rings
		t.Fatalf("carol called before bob failed")
	}
	inB.Reject(480)
	inC := carol.NextInvite(wait)
	inC.Answer(carol.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	inC.ExpectRequest(sip.ACK, wait)
	hangup(t, c, inC)
	ended(t, n, callID(t, n, c.CallID()))
}
