package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/phone"
)

// A cancels while B rings: A's 487 carries the To-tag of its 180, B gets a
// CANCEL for its INVITE and answers it with 487.
func TestCancelWhileRinging(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	in.Ringing()
	ring := c.Expect(180, wait)

	c.Cancel().Expect(200, wait)
	cancel := in.ExpectRequest(sip.CANCEL, wait)
	// RFC 3261 §9.1: the CANCEL matches B's INVITE transaction.
	ibranch, _ := in.Req.Via().Params.Get("branch")
	cbranch, _ := cancel.Req.Via().Params.Get("branch")
	if cbranch != ibranch || cancel.Req.CallID().Value() != in.CallID() || cancel.Req.CSeq().SeqNo != in.Req.CSeq().SeqNo ||
		cancel.Req.Recipient.String() != in.Req.Recipient.String() || phone.ToTag(cancel.Req) != "" {
		t.Errorf("CANCEL does not match B's INVITE:\n%s\nINVITE:\n%s", cancel.Req, in.Req)
	}
	res := c.Expect(487, wait)
	if phone.ToTag(res) != phone.ToTag(ring) {
		t.Errorf("487 To-tag %q, 180 To-tag %q", phone.ToTag(res), phone.ToTag(ring))
	}

	evs, end := ended(t, n, id)
	b1 := id + "-b1"
	checkSteps(t, evs,
		step{events.TypeCallCreatedV1, ""}, step{events.TypeLegCreatedV1, id + "-a"}, step{events.TypeCallRoutedV1, ""},
		step{events.TypeLegCreatedV1, b1}, step{events.TypeLegRingingV1, b1},
		step{events.TypeLegEndedV1, b1}, step{events.TypeLegEndedV1, id + "-a"}, step{events.TypeCallEndedV1, ""})
	if end.HungUpBy != events.SideA || end.Code != 487 {
		t.Errorf("call ended %+v, want by a with 487", end)
	}
	if le := decode[events.LegEndedV1](t, find(t, evs, events.TypeLegEndedV1, b1)); le.Code != 487 {
		t.Errorf("B leg ended %+v, want 487", le)
	}
	// B's 487 was sipgo's, answered within the INVITE transaction: B sees
	// no other request in its dialog.
	in.NoRequest()
}

// A cancels while B has sent only 100 Trying: 100 is a provisional
// response, so Tandem may and must CANCEL B (RFC 3261 §9.1); after a 1xx
// B's INVITE transaction has no timer left, so without the CANCEL it would
// hang on for ever.
func TestCancelAfterTrying(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	in.Respond(100, "", nil)

	c.Cancel().Expect(200, wait)
	c.Expect(487, wait)
	in.ExpectRequest(sip.CANCEL, wait)

	evs, end := ended(t, n, id)
	if end.HungUpBy != events.SideA || end.Code != 487 {
		t.Errorf("call ended %+v, want by a with 487", end)
	}
	if le := decode[events.LegEndedV1](t, find(t, evs, events.TypeLegEndedV1, id+"-b1")); le.Code != 487 {
		t.Errorf("B leg ended %+v", le)
	}
}
