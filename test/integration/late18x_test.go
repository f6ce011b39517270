package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/phone"
)

// A callee that answers 180 and 200 back to back: sipgo often delivers the
// 180 to its transaction after the 200 and drops it; the core still acts
// on it first (late18x.go), so every call rings before it connects.
func TestRingingRightBeforeAnswer(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	for range 10 {
		c := a.Invite(target(n, "bob"))
		in := b.NextInvite(wait)
		in.Ringing()
		in.Answer(b.SDP(phone.SendRecv))
		c.Final(wait)
		c.Ack()
		in.ExpectRequest(sip.ACK, wait)
		id := callID(t, n, c.CallID())
		hangup(t, c, in)
		evs, _ := ended(t, n, id)
		ringing, answered := -1, -1
		for i, e := range evs {
			switch {
			case e.Type == events.TypeLegRingingV1 && ringing < 0:
				ringing = i
			case e.Type == events.TypeLegAnsweredV1 && e.LegID == id+"-b1":
				answered = i
			}
		}
		if ringing < 0 || ringing > answered {
			t.Fatalf("call %s: ringing at %d, answered at %d:\n%s", id, ringing, answered, describe(evs))
		}
	}
}
