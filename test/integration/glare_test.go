package integration

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/phone"
)

// glareWait bounds the wait for a re-INVITE retried after 491: the RFC 3261
// §14.1 back-off is up to 4 s.
const glareWait = 8 * time.Second

// Both parties re-INVITE at once. Tandem relays the one that reaches it
// first (the winner's) and answers the other with 491; the loser, which has
// its own re-INVITE pending when the relayed one arrives, answers that with
// 491 too; Tandem retries after the back-off and the winner's re-INVITE
// completes. The call survives: the loser's own retry then succeeds.
func TestGlare(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())

	txA := c.Reinvite(a.SDP(phone.SendOnly))
	txB := in.Reinvite(b.SDP(phone.Inactive))

	// Whoever receives a relayed re-INVITE lost the race at Tandem.
	type party struct {
		name    string
		d       *phone.Dialog
		p       *phone.Phone
		tx      *phone.ClientTx
		offered string
	}
	pa := party{"a", c.Dialog, a, txA, phone.SendOnly}
	pb := party{"b", in.Dialog, b, txB, phone.Inactive}
	var winner, loser party
	var relayed *phone.ServerRequest
	select {
	case relayed = <-c.Requests():
		winner, loser = pb, pa
	case relayed = <-in.Requests():
		winner, loser = pa, pb
	case <-time.After(wait):
		t.Fatal("no re-INVITE relayed to either party")
	}
	t.Logf("%s's re-INVITE won", winner.name)
	if relayed.Method != sip.INVITE || phone.Direction(relayed.Body()) != winner.offered {
		t.Fatalf("%s got %s with direction %q, want the relayed re-INVITE", loser.name, relayed.Method, phone.Direction(relayed.Body()))
	}
	relayed.Respond(491, nil)
	loser.tx.Expect(491, wait)

	retry := loser.d.ExpectRequest(sip.INVITE, glareWait)
	if phone.Direction(retry.Body()) != winner.offered {
		t.Errorf("retried re-INVITE direction %q", phone.Direction(retry.Body()))
	}
	if retry.Req.CSeq().SeqNo <= relayed.Req.CSeq().SeqNo {
		t.Errorf("retry CSeq %d not above %d", retry.Req.CSeq().SeqNo, relayed.Req.CSeq().SeqNo)
	}
	retry.OK(loser.p.SDP(phone.RecvOnly))
	if res := winner.tx.Expect(200, wait); phone.Direction(res.Body()) != phone.RecvOnly {
		t.Errorf("%s's answer direction %q", winner.name, phone.Direction(res.Body()))
	}
	winner.tx.Ack()
	loser.d.ExpectRequest(sip.ACK, wait)

	// The call survived: the loser's own retry goes through.
	reinvite(t, loser.d, winner.d, loser.p.SDP(phone.SendRecv), winner.p.SDP(phone.SendRecv))
	hangup(t, c, in)

	evs, end := ended(t, n, id)
	if end.HungUpBy != events.SideA || end.Code != 200 {
		t.Errorf("call ended %+v", end)
	}
	winLeg := id + "-a"
	if winner.name == "b" {
		winLeg = id + "-b1"
	}
	if h := decode[events.LegHeldV1](t, find(t, evs, events.TypeLegHeldV1, winLeg)); h.Direction != winner.offered {
		t.Errorf("hold %+v, want %s", h, winner.offered)
	}
}
