package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// moved answers an INVITE with 302 to carol.
func moved(in *phone.Incoming, carol *phone.Phone) {
	var u sip.Uri
	_ = sip.ParseUri(carol.URI("carol"), &u)
	in.Respond(302, "", nil, &sip.ContactHeader{Address: u})
}

// With max_redirects > 0 the core follows B's 3xx to the Contact it names
// in a new B leg; A sees only the final answer.
func TestRedirectFollowed(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.MaxRedirects = 2 }))
	carol := phone.New(t, "carol")
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	moved(in, carol)

	in2 := carol.NextInvite(wait)
	if in2.Req.Recipient.String() != carol.URI("carol") {
		t.Errorf("redirected INVITE to %s, want %s", in2.Req.Recipient.String(), carol.URI("carol"))
	}
	if in2.CallID() == in.CallID() || in2.CallID() == c.CallID() {
		t.Errorf("redirected leg reuses Call-ID %s", in2.CallID())
	}
	in2.Answer(carol.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in2.ExpectRequest(sip.ACK, wait)
	hangup(t, c, in2)

	evs, end := ended(t, n, id)
	b1, b2 := id+"-b1", id+"-b2"
	checkSteps(t, evs,
		step{events.TypeCallCreatedV1, ""}, step{events.TypeLegCreatedV1, id + "-a"}, step{events.TypeCallRoutedV1, ""},
		step{events.TypeLegCreatedV1, b1}, step{events.TypeLegEndedV1, b1},
		step{events.TypeLegCreatedV1, b2}, step{events.TypeLegAnsweredV1, b2},
		step{events.TypeLegAnsweredV1, id + "-a"}, step{events.TypeCallConnectedV1, ""},
		step{events.TypeLegEndedV1, b2}, step{events.TypeLegEndedV1, id + "-a"}, step{events.TypeCallEndedV1, ""})
	if le := decode[events.LegEndedV1](t, find(t, evs, events.TypeLegEndedV1, b1)); le.Code != 302 {
		t.Errorf("first B leg ended %+v, want 302", le)
	}
	if lc := decode[events.LegCreatedV1](t, find(t, evs, events.TypeLegCreatedV1, b2)); lc.Target != carol.URI("carol") || lc.SIPCallID != in2.CallID() {
		t.Errorf("second B leg created %+v", lc)
	}
	if end.HungUpBy != events.SideA || end.Code != 200 {
		t.Errorf("call ended %+v", end)
	}
}

// With max_redirects: 0 the 3xx goes to A, with the Contact that makes it
// useful, and the call ends.
func TestRedirectRelayed(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.MaxRedirects = 0 }))
	carol := phone.New(t, "carol")
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	moved(in, carol)

	res := c.Expect(302, wait)
	if ct := res.Contact(); ct == nil || ct.Address.String() != carol.URI("carol") {
		t.Errorf("302 to A has Contact %v, want %s", ct, carol.URI("carol"))
	}
	_, end := ended(t, n, id)
	if end.HungUpBy != events.SideB || end.Code != 302 {
		t.Errorf("call ended %+v, want by b with 302", end)
	}
}
