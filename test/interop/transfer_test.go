package interop

import (
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Blind transfer with baresip in each of the three roles; the other two
// parties are scripted phones. In each, Tandem calls the target without an
// offer and from the transferee, re-INVITEs the transferee with the
// target's offer, gives the target the transferee's answer in its ACK,
// reports the transfer by NOTIFY and events, and ends the transferor's leg;
// the transferee and the target then talk through the same Tandem call.
//
// A 180 sent right before the 200 is often lost in Tandem: sipgo hands
// each response it reads to a goroutine of its own, the 200 can win, and
// the INVITE transaction then ignores the 180. Where a phone rings, the
// test waits for Tandem to have the 180 before answering; baresip answers
// at once, so the NOTIFY for its 180 may be missing.

// baresip is the transferor. alice calls it through Tandem and it answers
// by itself; told to transfer the call (its transfer command: an in-dialog
// REFER, Refer-To carol) it hands alice over to carol and closes its call
// when the final NOTIFY reports carol's 200.
func TestBaresipTransferor(t *testing.T) {
	bs := startBaresip(t, "baresip")
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{Name: "baresip", User: "^baresip$", Target: bs.URI()}))
	alice := phone.New(t, "alice")
	carol := phone.New(t, "carol")

	// alice calls baresip, which answers at once
	c := alice.Invite("sip:baresip@" + n.SIPAddr)
	if res := c.Final(wait); res.StatusCode != 200 || mediaPort(res.Body()) == 0 {
		t.Fatalf("baresip answered %d %s, want 200 with an answer:\n%s", res.StatusCode, res.Reason, res)
	}
	c.Ack()
	id := callID(t, n, c.CallID())
	aLeg, bLeg := id+"-a", id+"-b1"
	bs.awaitEvent(0, "CALL_ESTABLISHED", "")

	bs.command("transfer", carol.URI("carol"))
	tr := requested(t, n, id, bLeg, aLeg, carol)

	inv := carol.NextInvite(wait)
	checkTargetInvite(t, inv, "alice")
	inv.Ringing()
	progress(t, n, id, tr)
	inv.Answer(carol.SDP(phone.SendRecv))

	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if got, want := mediaPort(re.Body()), mediaPort(carol.SDP(phone.SendRecv)); got != want {
		t.Errorf("alice re-INVITEd with media port %d, want carol's %d:\n%s", got, want, re.Body())
	}
	re.OK(alice.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	ack := inv.ExpectRequest(sip.ACK, wait)
	if got, want := mediaPort(ack.Body()), mediaPort(alice.SDP(phone.SendRecv)); got != want {
		t.Errorf("carol's ACK answers with media port %d, want alice's %d:\n%s", got, want, ack.Body())
	}
	completed(t, n, id, tr, bLeg)

	// baresip closes its call on the final NOTIFY (sipfrag 200: "Call
	// transfered", its spelling), not on a BYE
	if cl := bs.awaitEvent(0, "CALL_CLOSED", ""); !strings.Contains(strings.ToLower(cl.Param), "transfer") {
		t.Errorf("baresip closed its call with %q, want a successful transfer:\n%s", cl.Param, bs.describe())
	}

	// alice and carol talk through the same call: carol hangs up
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	ended(t, n, id)
}

// baresip is the transferee. It calls bob through Tandem (its dial
// command); bob transfers it to carol; baresip takes carol's offer in
// Tandem's re-INVITE and answers it by itself; carol hangs up and baresip
// gets the BYE.
func TestBaresipTransferee(t *testing.T) {
	bs := startBaresip(t, "baresip")
	bob := phone.New(t, "bob")
	carol := phone.New(t, "carol")
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{Name: "bob", User: "^bob$", Target: bob.URI("bob")}))

	bs.command("dial", "sip:bob@"+n.SIPAddr)
	in := bob.NextInvite(wait)
	if mediaPort(in.Body()) == 0 {
		t.Fatalf("baresip's INVITE has no offer:\n%s", in.Req)
	}
	in.Answer(bob.SDP(phone.SendRecv))
	in.ExpectRequest(sip.ACK, wait)
	est := bs.awaitEvent(0, "CALL_ESTABLISHED", "")
	id := callID(t, n, est.ID) // baresip's SIP Call-ID
	aLeg, bLeg := id+"-a", id+"-b1"
	offers := bs.mark()

	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol")), sip.NewHeader("Referred-By", "<"+bob.URI("bob")+">")).Expect(202, wait)
	tr := requested(t, n, id, bLeg, aLeg, carol)
	expectNotify(t, in.Dialog, 100, false)

	inv := carol.NextInvite(wait)
	checkTargetInvite(t, inv, "baresip")
	if rb := inv.Req.GetHeader("Referred-By"); rb == nil || !strings.Contains(rb.Value(), bob.URI("bob")) {
		t.Errorf("INVITE to the target: Referred-By %v, want bob's", rb)
	}
	inv.Ringing()
	expectNotify(t, in.Dialog, 180, false)
	inv.Answer(carol.SDP(phone.SendRecv))

	// baresip gets carol's offer in a re-INVITE and answers it; its answer
	// reaches carol in the ACK
	bs.awaitEvent(offers, "CALL_REMOTE_SDP", "offer")
	ack := inv.ExpectRequest(sip.ACK, wait)
	if p := mediaPort(ack.Body()); p == 0 || p == mediaPort(carol.SDP(phone.SendRecv)) {
		t.Errorf("carol's ACK carries no answer from baresip:\n%s", ack.Body())
	}
	expectNotify(t, in.Dialog, 200, true)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	completed(t, n, id, tr, bLeg)

	// baresip and carol talk through the same call: carol hangs up
	closed := bs.mark()
	inv.Bye().Expect(200, wait)
	bs.awaitEvent(closed, "CALL_CLOSED", "")
	ended(t, n, id)
}

// baresip is the target. alice calls bob; bob transfers alice to baresip,
// which Tandem calls without an offer: baresip answers by itself with an
// offer, which reaches alice in Tandem's re-INVITE, and gets alice's answer
// in the ACK; alice hangs up and baresip gets the BYE.
func TestBaresipTarget(t *testing.T) {
	bs := startBaresip(t, "baresip")
	bob := phone.New(t, "bob")
	alice := phone.New(t, "alice")
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{Name: "bob", User: "^bob$", Target: bob.URI("bob")}))

	c := alice.Invite("sip:bob@" + n.SIPAddr)
	in := bob.NextInvite(wait)
	in.Answer(bob.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	id := callID(t, n, c.CallID())
	aLeg, bLeg := id+"-a", id+"-b1"

	in.Dialog.Request(sip.REFER, nil, referTo(bs.URI())).Expect(202, wait)
	tr := requested(t, n, id, bLeg, aLeg, nil)
	if !strings.HasPrefix(tr.ReferTo, bs.URI()) {
		t.Errorf("transfer requested to %s, want %s", tr.ReferTo, bs.URI())
	}
	expectNotify(t, in.Dialog, 100, false)

	// baresip's offer, from its 200, reaches alice in a re-INVITE
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if p := mediaPort(re.Body()); p == 0 || p == mediaPort(alice.SDP(phone.SendRecv)) || p == mediaPort(bob.SDP(phone.SendRecv)) {
		t.Errorf("alice re-INVITEd without baresip's offer:\n%s", re.Body())
	}
	re.OK(alice.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	bs.awaitEvent(0, "CALL_ESTABLISHED", "")

	// baresip rings and answers back to back, so the NOTIFY for its 180
	// may be missing (see above); the final one reports its 200
	r := in.Dialog.NextRequest(wait)
	if r.Method == sip.NOTIFY && strings.HasPrefix(string(r.Body()), "SIP/2.0 180 ") {
		checkNotify(t, r, 180, false)
		r.OK(nil)
		r = in.Dialog.NextRequest(wait)
	}
	checkNotify(t, r, 200, true)
	r.OK(nil)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	completed(t, n, id, tr, bLeg)

	// alice and baresip talk through the same call: alice hangs up
	closed := bs.mark()
	c.Dialog.Bye().Expect(200, wait)
	bs.awaitEvent(closed, "CALL_CLOSED", "")
	ended(t, n, id)
}

// requested awaits the transfer.requested event of call id and checks it:
// an in-dialog refer by leg from of leg to, to target (nil: not checked).
func requested(t *testing.T, n *harness.Node, id, from, to string, target *phone.Phone) events.TransferRequestedV1 {
	t.Helper()
	e := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	tr := decode[events.TransferRequestedV1](t, e)
	if tr.Kind != "refer" || e.LegID != from || tr.TargetLegID != to || tr.NoSubscription || tr.TransferID == "" {
		t.Errorf("transfer requested %+v by leg %s, want a refer by %s of %s", tr, e.LegID, from, to)
	}
	if target != nil && !strings.HasPrefix(tr.ReferTo, "sip:carol@"+target.Addr()) {
		t.Errorf("transfer requested to %s, want %s", tr.ReferTo, target.URI("carol"))
	}
	return tr
}

// progress awaits the transfer's progress event and requires a 180.
func progress(t *testing.T, n *harness.Node, id string, tr events.TransferRequestedV1) {
	t.Helper()
	e := n.Events.Await(events.TypeTransferProgressV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if p := decode[events.TransferProgressV1](t, e); p.TransferID != tr.TransferID || p.Code != 180 {
		t.Errorf("transfer progress %+v, want 180 of %s", p, tr.TransferID)
	}
}

// completed awaits the transfer's completed event (on a new leg) and the
// end of the transferor's leg.
func completed(t *testing.T, n *harness.Node, id string, tr events.TransferRequestedV1, transferor string) {
	t.Helper()
	e := n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if d := decode[events.TransferCompletedV1](t, e); d.TransferID != tr.TransferID || d.NewLegID == "" || d.NewLegID == transferor {
		t.Errorf("transfer completed %+v, want %s on a new leg", d, tr.TransferID)
	}
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == transferor }, wait)
}

// ended awaits the end of the call and requires that no transfer failed
// or was rolled back in it.
func ended(t *testing.T, n *harness.Node, id string) {
	t.Helper()
	n.Events.AwaitCallEnd(id, wait)
	for _, e := range n.Events.Call(id) {
		if e.Type == events.TypeTransferFailedV1 || e.Type == events.TypeTransferRolledBackV1 {
			t.Errorf("unexpected %s: %s", e.Type, e.Raw)
		}
	}
}

// checkTargetInvite checks Tandem's INVITE to the transfer target: no
// offer, from the transferee.
func checkTargetInvite(t *testing.T, inv *phone.Incoming, transferee string) {
	t.Helper()
	if len(inv.Body()) != 0 {
		t.Errorf("INVITE to the transfer target carries an offer:\n%s", inv.Req)
	}
	if u := inv.Req.From().Address.User; u != transferee {
		t.Errorf("INVITE to the target from %q, want the transferee %s", inv.Req.From().Address.String(), transferee)
	}
}

// expectNotify takes the next request in d, requires a refer NOTIFY with
// sipfrag status code and the subscription terminated or not, and answers it.
func expectNotify(t *testing.T, d *phone.Dialog, code int, terminated bool) {
	t.Helper()
	r := d.ExpectRequest(sip.NOTIFY, wait)
	defer r.OK(nil)
	checkNotify(t, r, code, terminated)
}

func checkNotify(t *testing.T, r *phone.ServerRequest, code int, terminated bool) {
	t.Helper()
	if r.Method != sip.NOTIFY {
		t.Fatalf("got %s, want NOTIFY %d:\n%s", r.Method, code, r.Req)
	}
	if ev := header(r.Req, "Event"); ev != "refer" {
		t.Errorf("NOTIFY Event %q, want refer", ev)
	}
	if ct := header(r.Req, "Content-Type"); !strings.HasPrefix(ct, "message/sipfrag") {
		t.Errorf("NOTIFY Content-Type %q, want message/sipfrag", ct)
	}
	if want := "SIP/2.0 " + strconv.Itoa(code) + " "; !strings.HasPrefix(string(r.Body()), want) {
		t.Errorf("NOTIFY sipfrag %q, want %q...", r.Body(), want)
	}
	if st := header(r.Req, "Subscription-State"); terminated != strings.HasPrefix(st, "terminated") {
		t.Errorf("NOTIFY %d: Subscription-State %q, terminated %v wanted", code, st, terminated)
	}
}

func referTo(uri string) sip.Header { return sip.NewHeader("Refer-To", "<"+uri+">") }

// header is the value of a header, "" when absent.
func header(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// callID is Tandem's call id of the call whose A leg has SIP Call-ID sipCallID.
func callID(t *testing.T, n *harness.Node, sipCallID string) string {
	t.Helper()
	e := n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool {
		var lc events.LegCreatedV1
		return e.Decode(&lc) == nil && lc.Side == events.SideA && lc.SIPCallID == sipCallID
	}, wait)
	return e.CallID
}

// decode unmarshals an event's payload.
func decode[T any](t *testing.T, e harness.Event) T {
	t.Helper()
	var v T
	if err := e.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", e.Type, err)
	}
	return v
}

// mediaPort is the port of the first m= line of an SDP body, 0 without one.
func mediaPort(body []byte) int {
	for _, l := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "m=")); strings.HasPrefix(l, "m=") && len(f) > 1 {
			p, _ := strconv.Atoi(f[1])
			return p
		}
	}
	return 0
}
