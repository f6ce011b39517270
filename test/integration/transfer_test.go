package integration

import (
	"net/url"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// expectNotify takes the next refer NOTIFY in d, checks its sipfrag status
// and subscription state, and answers it.
func expectNotify(t *testing.T, d *phone.Dialog, code int, terminated bool) {
	t.Helper()
	r := d.ExpectRequest(sip.NOTIFY, wait)
	defer r.OK(nil)
	if ev := header(r.Req, "Event"); ev != "refer" {
		t.Errorf("NOTIFY Event %q", ev)
	}
	if ct := header(r.Req, "Content-Type"); !strings.HasPrefix(ct, "message/sipfrag") {
		t.Errorf("NOTIFY Content-Type %q", ct)
	}
	if want := "SIP/2.0 " + itoa(code) + " "; !strings.HasPrefix(string(r.Body()), want) {
		t.Errorf("NOTIFY sipfrag %q, want %q...", r.Body(), want)
	}
	st := header(r.Req, "Subscription-State")
	if terminated != strings.HasPrefix(st, "terminated") {
		t.Errorf("NOTIFY after %d: Subscription-State %q, terminated %v wanted", code, st, terminated)
	}
}

func referTo(uri string) sip.Header { return sip.NewHeader("Refer-To", "<"+uri+">") }

// transferSetup connects alice (A) to bob (B) and gives a carol to
// transfer to.
func transferSetup(t *testing.T, opts ...harness.Option) (n *harness.Node, a, b, carol *phone.Phone, c *phone.Call, in *phone.Incoming, id string) {
	n, a, b = setup(t, opts...)
	carol = phone.New(t, "carol")
	c, in = connect(t, n, a, b)
	return n, a, b, carol, c, in, callID(t, n, c.CallID())
}

// Blind transfer by in-dialog REFER from bob: 202 at once, NOTIFY 100, a
// new leg to carol (no offer, Referred-By and alice's identity carried),
// NOTIFY 180, carol's offer to alice in a re-INVITE, alice's answer in
// carol's ACK, NOTIFY 200 terminating the subscription, BYE to bob. Then
// alice and carol talk through the same call.
func TestBlindTransfer(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferSetup(t)
	bLeg := id + "-b1"
	tx := in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Referred-By", "<sip:bob@example.com>"))
	res := tx.Expect(202, wait)
	if s := header(res, "Supported"); !strings.Contains(s, "norefersub") || !strings.Contains(s, "tdialog") {
		t.Errorf("202 Supported %q", s)
	}
	expectNotify(t, in.Dialog, 100, false)
	inv := carol.NextInvite(wait)
	if len(inv.Body()) != 0 {
		t.Errorf("INVITE to the target carries an offer")
	}
	if rb := header(inv.Req, "Referred-By"); rb != "<sip:bob@example.com>" {
		t.Errorf("Referred-By %q", rb)
	}
	if u := inv.Req.From().Address.User; u != "alice" {
		t.Errorf("INVITE to target from %q, want the transferee alice", inv.Req.From().Address.String())
	}
	inv.Ringing()
	expectNotify(t, in.Dialog, 180, false)
	inv.Answer(carol.SDP(phone.SendRecv))
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(carol) {
		t.Errorf("transferee re-INVITEd to port %d, want carol's", mediaPort(re.Body()))
	}
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	if ack := inv.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(a) {
		t.Errorf("target's ACK answers port %d, want alice's", mediaPort(ack.Body()))
	}
	expectNotify(t, in.Dialog, 200, true)
	in.ExpectRequest(sip.BYE, wait).OK(nil)

	req := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	tr := decode[events.TransferRequestedV1](t, req)
	if tr.Kind != "refer" || tr.TargetLegID != id+"-a" || req.LegID != bLeg || tr.ReferredBy == "" {
		t.Errorf("requested %+v leg %s", tr, req.LegID)
	}
	prog := n.Events.Await(events.TypeTransferProgressV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if p := decode[events.TransferProgressV1](t, prog); p.Code != 180 || p.TransferID != tr.TransferID {
		t.Errorf("progress %+v", p)
	}
	done := n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if d := decode[events.TransferCompletedV1](t, done); d.TransferID != tr.TransferID || d.NewLegID == "" {
		t.Errorf("completed %+v", d)
	}

	// alice and carol now talk: BYE from carol ends the call
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// With Refer-Sub: false the REFER gets 200 saying so and no NOTIFY is
// sent; the transfer still happens.
func TestBlindTransferNoSubscription(t *testing.T) {
	t.Parallel()
	_, a, _, carol, c, in, _ := transferSetup(t)
	res := in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	if rs := header(res, "Refer-Sub"); rs != "false" {
		t.Errorf("2xx Refer-Sub %q, want false", rs)
	}
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	// the first request bob sees after his REFER is the BYE: no NOTIFY
	if r := in.Dialog.NextRequest(wait); r == nil || r.Method != sip.BYE {
		t.Fatalf("transferor got %v, want BYE and no NOTIFY", r)
	} else {
		r.OK(nil)
	}
}

// The target is busy: the final NOTIFY says 486, the transferee stays
// with the transferor (rolled back) and they still talk.
func TestBlindTransferTargetBusy(t *testing.T) {
	t.Parallel()
	n, _, _, carol, c, in, id := transferSetup(t)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol"))).Expect(202, wait)
	expectNotify(t, in.Dialog, 100, false)
	carol.NextInvite(wait).Reject(486)
	expectNotify(t, in.Dialog, 486, true)
	rb := n.Events.Await(events.TypeTransferRolledBackV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.TransferRolledBackV1](t, rb); !r.Reconnected {
		t.Errorf("rolled back %+v, want reconnected", r)
	}
	f := n.Events.Await(events.TypeTransferFailedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if ff := decode[events.TransferFailedV1](t, f); ff.Code != 486 {
		t.Errorf("failed %+v", ff)
	}
	info := c.Dialog.Request(sip.INFO, []byte("x"), sip.NewHeader("Content-Type", "text/plain"))
	in.ExpectRequest(sip.INFO, wait).OK(nil)
	info.Expect(200, wait)
	hangup(t, c, in)
}

// The transferor hangs up before the target answers: the transfer goes on
// and completes.
func TestBlindTransferTransferorLeaves(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferSetup(t)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	inv.Ringing()
	in.Dialog.Bye().Expect(200, wait)
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == id+"-b1" }, wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	bye := c.Dialog.Bye()
	inv.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// The transferee hangs up while the target rings: the new leg is
// cancelled, the transferor gets BYE, nothing stays up.
func TestBlindTransferTransfereeLeaves(t *testing.T) {
	t.Parallel()
	n, _, _, carol, c, in, id := transferSetup(t)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	inv.Ringing()
	c.Dialog.Bye().Expect(200, wait)
	inv.ExpectRequest(sip.CANCEL, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(id, wait)
	if _, ok := n.Server.Core().GetCall(id); ok {
		t.Error("call still listed after it ended")
	}
}

// Refusals: a second REFER during a transfer (491), a Refer-To that is
// not SIP (403) or asks another method (501); REFER in a call that is not
// connected to anybody else cannot happen, tested with a lone leg elsewhere.
func TestReferRefusals(t *testing.T) {
	t.Parallel()
	_, _, _, carol, c, in, _ := transferSetup(t)
	in.Dialog.Request(sip.REFER, nil, referTo("tel:+15551234")).Expect(403, wait)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")+";method=BYE")).Expect(501, wait)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	// both parties REFER at once: the second one waits for the first
	c.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(491, wait)
	inv.Reject(480)
	hangup(t, c, in)
}

// Out-of-dialog REFER (RFC 4538): bob sends REFER to the GRUU Tandem gave
// him as Contact, naming his dialog in Target-Dialog; it is answered in a
// dialog of its own, whose NOTIFYs report the transfer. Without
// Target-Dialog, or naming someone else's dialog, it is refused.
func TestReferOutOfDialog(t *testing.T) {
	t.Parallel()
	_, a, b, carol, c, in, _ := transferSetup(t)
	gruu := in.Dialog.RemoteTarget()
	td := in.Dialog.CallID() + ";local-tag=" + in.Dialog.LocalTag() + ";remote-tag=" + in.Dialog.RemoteTag()

	if res, _ := b.ReferOutOfDialog(gruu, "bob", referTo(carol.URI("carol"))); res.StatusCode != 403 {
		t.Errorf("REFER without Target-Dialog: %d, want 403", res.StatusCode)
	}
	wrong := in.Dialog.CallID() + ";local-tag=nope;remote-tag=" + in.Dialog.RemoteTag()
	if res, _ := b.ReferOutOfDialog(gruu, "bob", referTo(carol.URI("carol")), sip.NewHeader("Target-Dialog", wrong)); res.StatusCode != 403 {
		t.Errorf("REFER naming another dialog: %d, want 403", res.StatusCode)
	}
	res, d := b.ReferOutOfDialog(gruu, "bob", referTo(carol.URI("carol")), sip.NewHeader("Target-Dialog", td))
	if res.StatusCode != 202 || d.RemoteTag() == "" {
		t.Fatalf("REFER with Target-Dialog: %d tag %q", res.StatusCode, d.RemoteTag())
	}
	if d.RemoteTag() == in.Dialog.RemoteTag() {
		t.Error("out-of-dialog REFER answered inside the call's dialog")
	}
	expectNotify(t, d, 100, false)
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	expectNotify(t, d, 200, true)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
}

// Attended transfer: alice talks to bob (call X) and bob consults carol
// (call Y, bob calling). Bob REFERs alice to carol with Replaces naming his
// dialog with carol: alice and carol are bridged directly (carol's leg
// moves to X: an offerless re-INVITE to alice, her offer to carol, carol's
// answer in alice's ACK), the final NOTIFY goes to bob, then both of bob's
// legs get BYE and call Y ends.
func TestAttendedTransfer(t *testing.T) {
	t.Parallel()
	a, b, carol := phone.New(t, "alice"), phone.New(t, "bob"), phone.New(t, "carol")
	n := harness.Start(t, harness.WithRoutes(
		b2bua.Route{Name: "carol", User: "^carol$", Target: "sip:carol@" + carol.Addr()},
		b2bua.Route{Name: "bob", User: "^bob$", Target: "sip:bob@" + b.Addr()},
	))
	c, in := connect(t, n, a, b)
	x := callID(t, n, c.CallID())

	c2 := b.Invite(target(n, "carol"), phone.WithBody(b.SDP(phone.SendRecv)))
	inC := carol.NextInvite(wait)
	inC.Answer(carol.SDP(phone.SendRecv))
	c2.Expect(200, wait)
	c2.Ack()
	inC.ExpectRequest(sip.ACK, wait)
	y := callID(t, n, c2.CallID())

	rep := url.QueryEscape(c2.CallID() + ";to-tag=" + c2.Dialog.RemoteTag() + ";from-tag=" + c2.Dialog.LocalTag())
	in.Dialog.Request(sip.REFER, nil, referTo(target(n, "carol")+"?Replaces="+rep)).Expect(202, wait)
	expectNotify(t, in.Dialog, 100, false)

	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if len(re.Body()) != 0 {
		t.Errorf("attended transfer: first re-INVITE to alice carries an offer")
	}
	re.OK(a.SDP(phone.SendRecv))
	re2 := inC.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re2.Body()) != portOf(a) {
		t.Errorf("carol re-INVITEd to port %d, want alice's", mediaPort(re2.Body()))
	}
	re2.OK(carol.SDP(phone.SendRecv))
	inC.ExpectRequest(sip.ACK, wait)
	if ack := c.Dialog.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(carol) {
		t.Errorf("alice's ACK answers port %d, want carol's", mediaPort(ack.Body()))
	}
	expectNotify(t, in.Dialog, 200, true)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	c2.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	if end := n.Events.AwaitCallEnd(y, wait); end.Reason != "no legs left" {
		t.Errorf("consultation call ended %+v", end)
	}
	done := n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == x }, wait)
	if d := decode[events.TransferCompletedV1](t, done); d.NewLegID != y+"-b1" {
		t.Errorf("completed %+v, want carol's leg %s-b1", d, y)
	}
	bye := c.Dialog.Bye()
	inC.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(x, wait)
}

// A Replaces naming a dialog that is not Tandem's goes onward in the
// INVITE to the target, whose UA does the replacing.
func TestAttendedTransferElsewhere(t *testing.T) {
	t.Parallel()
	_, a, _, carol, c, in, _ := transferSetup(t)
	rep := url.QueryEscape("other-call@elsewhere;to-tag=t1;from-tag=f1")
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")+"?Replaces="+rep), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	if r := header(inv.Req, "Replaces"); r != "other-call@elsewhere;to-tag=t1;from-tag=f1" {
		t.Errorf("INVITE to the target: Replaces %q", r)
	}
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
}

// A hold re-INVITE in flight when the target answers: the bridge waits for
// it, then runs; a re-INVITE from the transferee during the bridge gets
// 491 (and is retried by its sender).
func TestBlindTransferDuringReinvite(t *testing.T) {
	t.Parallel()
	n, a, b, carol, c, in, id := transferSetup(t)
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	hold := c.Dialog.Reinvite(a.SDP(phone.SendOnly)) // alice holds bob
	held := in.ExpectRequest(sip.INVITE, wait)       // relayed, not answered yet
	inv.Answer(carol.SDP(phone.SendRecv))            // carol answers meanwhile
	held.OK(b.SDP(phone.RecvOnly))
	hold.Expect(200, wait)
	hold.Ack()
	in.ExpectRequest(sip.ACK, wait)
	// now the bridge: alice gets carol's offer
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(carol) {
		t.Fatalf("after the hold, alice re-INVITEd to port %d, want carol's", mediaPort(re.Body()))
	}
	// alice re-INVITEs during the bridge: glare
	c.Dialog.Reinvite(a.SDP(phone.SendRecv)).Expect(491, wait)
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	inv.ExpectRequest(sip.ACK, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
}

// An INVITE with Replaces (RFC 3891) naming bob's leg: carol takes bob's
// place; alice is re-INVITEd with carol's offer, carol gets alice's
// answer, bob gets BYE. A Replaces naming nothing of ours gets 481.
func TestInviteWithReplaces(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferSetup(t)
	bad := carol.Invite(target(n, "bob"), phone.WithBody(carol.SDP(phone.SendRecv)),
		phone.WithHeader("Replaces", "nope@x;to-tag=1;from-tag=2"))
	bad.Expect(481, wait)

	rp := in.CallID() + ";to-tag=" + in.Dialog.RemoteTag() + ";from-tag=" + in.Dialog.LocalTag()
	nc := carol.Invite(target(n, "bob"), phone.WithBody(carol.SDP(phone.SendRecv)),
		phone.WithHeader("Replaces", rp), phone.WithHeader("Require", "replaces"))
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(carol) {
		t.Errorf("alice re-INVITEd to port %d, want carol's", mediaPort(re.Body()))
	}
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	ok := nc.Expect(200, wait)
	if mediaPort(ok.Body()) != portOf(a) {
		t.Errorf("carol's 200 has port %d, want alice's", mediaPort(ok.Body()))
	}
	nc.Ack()
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == id+"-b1" }, wait)
	bye := nc.Dialog.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
}

// With refer_auth, a REFER without credentials is challenged (401) and one
// with the right digest is accepted.
func TestReferAuth(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, harness.WithConfig(func(c *config.Config) {
		c.Registrar.Enabled = true
		c.Registrar.Domains = []string{"example.test"}
		c.Registrar.Auth.Users = append(c.Registrar.Auth.Users, userWithPassword("bob", "secret"))
		c.ReferAuth = true
	}))
	a, b, carol := phone.New(t, "alice"), phone.New(t, "bob"), phone.New(t, "carol")
	if res := b.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, ""); res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d", res.StatusCode)
	}
	c := a.Invite("sip:bob@example.test", phone.Via(n.SIPAddr), phone.WithBody(a.SDP(phone.SendRecv)))
	in := b.NextInvite(wait)
	in.Answer(b.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)

	res := in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(401, wait)
	chal, err := digest.ParseChallenge(header(res, "WWW-Authenticate"))
	if err != nil {
		t.Fatalf("challenge %q: %v", header(res, "WWW-Authenticate"), err)
	}
	target := in.Dialog.RemoteTarget()
	cred, err := digest.Digest(chal, digest.Options{Method: "REFER", URI: target.String(), Username: "bob", Password: "secret", Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false"),
		sip.NewHeader("Authorization", cred.String())).Expect(200, wait)
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
}

// Connected identity (RFC 4916): alice said Supported: from-change; after
// bob transferred her to carol she gets an UPDATE whose From is carol.
func TestTransferConnectedIdentity(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	carol := phone.New(t, "carol")
	c, in := connect(t, n, a, b, phone.WithHeader("Supported", "from-change"))
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Refer-Sub", "false")).Expect(200, wait)
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	// the ACK of the re-INVITE and the UPDATE may reach the phone in
	// either order
	var up *phone.ServerRequest
	for range 2 {
		r := c.Dialog.NextRequest(wait)
		if r == nil {
			t.Fatal("alice: no ACK and UPDATE")
		}
		if r.Method == sip.UPDATE {
			up = r
		}
	}
	if up == nil {
		t.Fatal("alice got no identity UPDATE")
	}
	if u := up.Req.From().Address.User; u != "carol" {
		t.Errorf("identity UPDATE From %s, want carol", up.Req.From().Address.String())
	}
	if tag, _ := up.Req.From().Params.Get("tag"); tag != c.Dialog.RemoteTag() {
		t.Errorf("identity UPDATE changed the From tag: %q", tag)
	}
	up.OK(nil)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	_ = n
}
