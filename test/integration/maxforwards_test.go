package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/phone"
)

// Max-Forwards: an INVITE that may not be forwarded is refused with 483
// and creates no call; otherwise B sees A's value decremented.
func TestMaxForwards(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)

	c := a.Invite(target(n, "bob"), phone.WithMaxForwards(0))
	c.Expect(483, wait)

	c = a.Invite(target(n, "bob"), phone.WithMaxForwards(10))
	in := b.NextInvite(wait)
	if mf := in.Req.MaxForwards(); mf == nil || mf.Val() != 9 {
		t.Errorf("B's Max-Forwards %v, want 9", mf)
	}
	in.Answer(b.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)

	// In dialog too: a relayed request carries the decremented value.
	tx := c.Dialog.Request(sip.INFO, []byte("Signal=1\r\n"), sip.NewHeader("Content-Type", "application/dtmf-relay"), sip.NewHeader("Max-Forwards", "5"))
	r := in.ExpectRequest(sip.INFO, wait)
	if mf := r.Req.MaxForwards(); mf == nil || mf.Val() != 4 {
		t.Errorf("relayed INFO Max-Forwards %v, want 4", mf)
	}
	r.OK(nil)
	tx.Expect(200, wait)
	hangup(t, c, in)

	// The refused INVITE made no call: the only call is the second one.
	id := callID(t, n, c.CallID())
	ended(t, n, id)
	for _, e := range n.Events.All() {
		if e.CallID != id {
			t.Errorf("event of another call: %s %s", e.Type, e.Raw)
		}
	}
}
