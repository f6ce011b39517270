package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/phone"
)

// An INVITE without SDP (late offer): B's 200 carries the offer to A and
// A's ACK carries the answer to B, each under the origin of its leg.
func TestLateOffer(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"), phone.WithBody(nil))
	in := b.NextInvite(wait)
	if len(in.Body()) != 0 {
		t.Fatalf("B's INVITE has a body %q", in.Body())
	}
	in.Answer(b.SDP(phone.SendRecv))
	ok := c.Expect(200, wait)
	if o := origin(t, ok.Body()); o.User != "tandem" {
		t.Errorf("offer to A: origin %+v", o)
	}
	c.AckWithBody(a.SDP(phone.SendRecv))
	ack := in.ExpectRequest(sip.ACK, wait)
	if o := origin(t, ack.Body()); o.User != "tandem" || phone.Direction(ack.Body()) != phone.SendRecv {
		t.Errorf("answer in B's ACK: %q", ack.Body())
	}

	// A re-INVITE without SDP from B: A makes the offer in its 200, B
	// answers in its ACK.
	tx := in.Reinvite(nil)
	r := c.ExpectRequest(sip.INVITE, wait)
	if len(r.Body()) != 0 {
		t.Errorf("A's re-INVITE has a body %q", r.Body())
	}
	r.OK(a.SDP(phone.SendOnly))
	res := tx.Expect(200, wait)
	if phone.Direction(res.Body()) != phone.SendOnly {
		t.Errorf("offer to B: %q", res.Body())
	}
	tx.AckWithBody(b.SDP(phone.RecvOnly))
	ack = c.ExpectRequest(sip.ACK, wait)
	if phone.Direction(ack.Body()) != phone.RecvOnly || origin(t, ack.Body()).User != "tandem" {
		t.Errorf("answer in A's ACK: %q", ack.Body())
	}
	hangup(t, c, in)
}
