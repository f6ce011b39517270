package integration

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// basicCall sets up a call from alice to bob through the node, checking on
// the way that nothing of one leg's SIP identity reaches the other leg, that
// the allow-listed Subject crosses and X-Secret does not.
func basicCall(t *testing.T) (*harness.Node, *phone.Phone, *phone.Phone, *phone.Call, *phone.Incoming) {
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"), phone.WithHeader("Subject", "Lunch?"), phone.WithHeader("X-Secret", "a's internals"))
	if res := c.Next(wait); res.StatusCode != 100 {
		t.Fatalf("first response %d, want 100 Trying", res.StatusCode)
	}
	in := b.NextInvite(wait)

	// B's INVITE is Tandem's own: no identity of A's leg.
	inv := in.Req
	if inv.Recipient.String() != b.URI("bob") {
		t.Errorf("B's Request-URI %s, want %s", inv.Recipient.String(), b.URI("bob"))
	}
	if in.CallID() == c.CallID() {
		t.Errorf("B sees A's Call-ID %s", c.CallID())
	}
	if phone.FromTag(inv) == c.LocalTag() || phone.FromTag(inv) == "" {
		t.Errorf("B's From-tag %q (A's %q)", phone.FromTag(inv), c.LocalTag())
	}
	if vias := inv.GetHeaders("Via"); len(vias) != 1 {
		t.Errorf("B's INVITE has %d Via, want 1 (Tandem's)", len(vias))
	}
	if via := inv.Via(); via.Host+":"+itoa(via.Port) != n.SIPAddr {
		t.Errorf("B's Via sent-by %s:%d, want %s", via.Host, via.Port, n.SIPAddr)
	}
	if ct := inv.Contact(); ct == nil || hostPort(ct.Address) != n.SIPAddr {
		t.Errorf("B's Contact %v, want one at %s", ct, n.SIPAddr)
	}
	if got := header(inv, "Subject"); got != "Lunch?" {
		t.Errorf("B's Subject %q, want the allow-listed header to cross", got)
	}
	if got := header(inv, "X-Secret"); got != "" {
		t.Errorf("B sees X-Secret %q, not on the allow list", got)
	}
	if o := origin(t, inv.Body()); o.User != "tandem" {
		t.Errorf("B's offer origin %+v, want Tandem's", o)
	}
	// Nothing in B's INVITE names A's dialog or transaction.
	raw := inv.String()
	branch, _ := c.Req.Via().Params.Get("branch")
	for _, leak := range []string{c.CallID(), c.LocalTag(), branch} {
		if leak != "" && strings.Contains(raw, leak) {
			t.Errorf("B's INVITE contains %q of A's leg:\n%s", leak, raw)
		}
	}

	in.Ringing()
	ring := c.Expect(180, wait)
	in.Answer(b.SDP(phone.SendRecv))
	ok := c.Expect(200, wait)
	for _, res := range []*sip.Response{ring, ok} {
		if phone.ToTag(res) == in.LocalTag() || phone.ToTag(res) == "" {
			t.Errorf("A's %d To-tag %q (B's %q)", res.StatusCode, phone.ToTag(res), in.LocalTag())
		}
		if ct := res.Contact(); ct == nil || hostPort(ct.Address) != n.SIPAddr {
			t.Errorf("A's %d Contact %v, want one at %s", res.StatusCode, ct, n.SIPAddr)
		}
	}
	if phone.ToTag(ring) != phone.ToTag(ok) {
		t.Errorf("A's 180 and 200 have To-tags %q and %q", phone.ToTag(ring), phone.ToTag(ok))
	}
	if o := origin(t, ok.Body()); o.User != "tandem" {
		t.Errorf("A's answer origin %+v, want Tandem's", o)
	}
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	return n, a, b, c, in
}

func TestBasicCallHangupByA(t *testing.T) {
	t.Parallel()
	n, a, b, c, in := basicCall(t)
	id := callID(t, n, c.CallID())
	bye := c.Bye()
	r := in.ExpectRequest(sip.BYE, wait)
	if r.Req.CallID().Value() != in.CallID() || phone.ToTag(r.Req) != in.LocalTag() {
		t.Errorf("BYE to B outside B's dialog:\n%s", r.Req)
	}
	r.OK(nil)
	bye.Expect(200, wait)

	evs, end := ended(t, n, id)
	checkSteps(t, evs, append(connectedSteps(id), endSteps(id, id+"-b1")...)...)
	if end.HungUpBy != events.SideA || end.Code != 200 {
		t.Errorf("call ended %+v, want hung up by a with 200", end)
	}
	noLeaks(t, a, b, c, in)
}

func TestBasicCallHangupByB(t *testing.T) {
	t.Parallel()
	n, a, b, c, in := basicCall(t)
	id := callID(t, n, c.CallID())
	bye := in.Bye()
	r := c.ExpectRequest(sip.BYE, wait)
	if r.Req.CallID().Value() != c.CallID() || phone.ToTag(r.Req) != c.LocalTag() {
		t.Errorf("BYE to A outside A's dialog:\n%s", r.Req)
	}
	r.OK(nil)
	bye.Expect(200, wait)

	evs, end := ended(t, n, id)
	checkSteps(t, evs, append(connectedSteps(id), endSteps(id, id+"-b1")...)...)
	if end.HungUpBy != events.SideB || end.Code != 200 {
		t.Errorf("call ended %+v, want hung up by b with 200", end)
	}
	created := decode[events.LegCreatedV1](t, find(t, evs, events.TypeLegCreatedV1, id+"-b1"))
	if created.SIPCallID != in.CallID() || created.Side != events.SideB {
		t.Errorf("B leg created %+v, B's Call-ID %s", created, in.CallID())
	}
	noLeaks(t, a, b, c, in)
}

// noLeaks checks every request each phone received for the other leg's
// Call-ID and tags.
func noLeaks(t *testing.T, a, b *phone.Phone, c *phone.Call, in *phone.Incoming) {
	t.Helper()
	for _, r := range b.Received() {
		for _, leak := range []string{c.CallID(), c.LocalTag()} {
			if strings.Contains(r.String(), leak) {
				t.Errorf("B received A's %q in:\n%s", leak, r)
			}
		}
	}
	for _, r := range a.Received() {
		for _, leak := range []string{in.CallID(), in.LocalTag()} {
			if strings.Contains(r.String(), leak) {
				t.Errorf("A received B's %q in:\n%s", leak, r)
			}
		}
	}
}
