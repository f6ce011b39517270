package integration

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Click-to-dial (issue 7): over NATS, a controller asks bob's registered
// phone to call carol; the phone gets a REFER outside any dialog, accepts
// it, and its NOTIFYs become transfer events of no call. An unregistered
// phone is refused.
func TestClickToDial(t *testing.T) {
	t.Parallel()
	n, b := nodeWithBob(t)
	crm := controller(t, n, "crm")
	done := async(func() error {
		_, err := crm.ReferPhone(ctx10(t), "sip:bob@example.test", "sip:carol@example.test")
		return err
	})
	r := b.NextOutOfDialog(wait)
	if rt := header(r.Req, "Refer-To"); rt != "<sip:carol@example.test>" {
		t.Errorf("Refer-To %q", rt)
	}
	if !strings.Contains(header(r.Req, "To"), "bob@example.test") {
		t.Errorf("REFER To %q", header(r.Req, "To"))
	}
	r.Respond(202, nil)
	if err := <-done; err != nil {
		t.Fatalf("phones.refer: %v", err)
	}
	req := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == "" }, wait)
	id := req.LegID
	if tr := decode[events.TransferRequestedV1](t, req); tr.Kind != "click_to_dial" || tr.TransferID != id {
		t.Errorf("requested %+v leg %s", tr, id)
	}
	sendReferNotify(t, r.Dialog(), 180, false)
	prog := n.Events.Await(events.TypeTransferProgressV1, func(e harness.Event) bool { return e.LegID == id }, wait)
	if p := decode[events.TransferProgressV1](t, prog); p.Code != 180 {
		t.Errorf("progress %+v", p)
	}
	sendReferNotify(t, r.Dialog(), 200, true)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.LegID == id }, wait)
	// the subscription is over: another NOTIFY gets 481
	r.Dialog().Request(sip.NOTIFY, []byte("SIP/2.0 200 OK\r\n"), sip.NewHeader("Event", "refer"),
		sip.NewHeader("Subscription-State", "terminated"), sip.NewHeader("Content-Type", "message/sipfrag")).Expect(481, wait)

	if _, err := crm.ReferPhone(ctx10(t), "sip:nobody@example.test", "sip:carol@example.test"); errCode(err) != events.ErrConflict {
		t.Errorf("unregistered phone: %v, want conflict", err)
	}
}

// Click-to-dial without a subscription (RFC 4488): the REFER carries
// Refer-Sub: false and Supported: norefersub; a phone that accepts it with
// Refer-Sub: false sends no NOTIFY, and the refer ends at once with one
// transfer_requested event (no_subscription). A phone that accepts it
// without Refer-Sub: false made a subscription anyway: its NOTIFYs are
// served as usual.
func TestClickToDialNoSubscription(t *testing.T) {
	t.Parallel()
	n, b := nodeWithBob(t)
	crm := controller(t, n, "crm")
	req := events.PhonesReferRequestV1{Phone: "sip:bob@example.test", Target: "sip:carol@example.test", NoSubscription: true}
	type result struct {
		rep events.PhonesReferReplyV1
		err error
	}
	refer := func() <-chan result {
		done := make(chan result, 1)
		go func() {
			rep, err := crm.ReferPhoneWith(ctx10(t), req)
			done <- result{rep, err}
		}()
		return done
	}

	done := refer()
	r := b.NextOutOfDialog(wait)
	if rs := header(r.Req, "Refer-Sub"); rs != "false" {
		t.Errorf("REFER Refer-Sub %q, want false", rs)
	}
	if s := header(r.Req, "Supported"); !strings.Contains(s, "norefersub") {
		t.Errorf("REFER Supported %q, want norefersub", s)
	}
	r.Respond(200, nil, sip.NewHeader("Refer-Sub", "false"))
	res := <-done
	if res.err != nil {
		t.Fatalf("phones.refer: %v", res.err)
	}
	if res.rep.Mode != events.ReferModeRefer || !res.rep.NoSubscription || res.rep.ReferID == "" || res.rep.CallID != "" {
		t.Errorf("reply %+v, want mode refer, no subscription, a refer id", res.rep)
	}
	// the refer is over once the reply is in: nothing is kept for it, and
	// a NOTIFY finds no subscription
	if o := n.Server.Core().OpenPhoneRefers(); o != 0 {
		t.Errorf("%d click-to-dial refers open, want none", o)
	}
	r.Dialog().Request(sip.NOTIFY, []byte("SIP/2.0 200 OK\r\n"), sip.NewHeader("Event", "refer"),
		sip.NewHeader("Subscription-State", "terminated"), sip.NewHeader("Content-Type", "message/sipfrag")).Expect(481, wait)
	ev := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.LegID == res.rep.ReferID }, wait)
	if tr := decode[events.TransferRequestedV1](t, ev); tr.Kind != "click_to_dial" || !tr.NoSubscription || tr.TransferID != res.rep.ReferID {
		t.Errorf("requested %+v", tr)
	}

	// a phone that subscribes anyway (202, no Refer-Sub): its NOTIFYs count
	first := res.rep.ReferID
	done = refer()
	r = b.NextOutOfDialog(wait)
	r.Respond(202, nil)
	res = <-done
	if res.err != nil || res.rep.NoSubscription || res.rep.Mode != events.ReferModeRefer {
		t.Fatalf("phones.refer, subscribed anyway: %+v %v", res.rep, res.err)
	}
	ev = n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.LegID == res.rep.ReferID }, wait)
	if tr := decode[events.TransferRequestedV1](t, ev); tr.NoSubscription {
		t.Errorf("requested %+v, want a subscription", tr)
	}
	sendReferNotify(t, r.Dialog(), 200, true)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.LegID == res.rep.ReferID }, wait)
	if o := n.Server.Core().OpenPhoneRefers(); o != 0 {
		t.Errorf("%d click-to-dial refers open after the terminal NOTIFY, want none", o)
	}
	// the refer without a subscription had its transfer_requested only
	for _, e := range n.Events.All() {
		if e.LegID == first && e.Type != events.TypeTransferRequestedV1 {
			t.Errorf("%s of the refer without a subscription: %s", e.Type, e.Raw)
		}
	}
}

// Click-to-dial with fallback "originate": bob's phone cannot take a
// REFER (501), so Tandem calls it with Answer-Mode: Auto, bob answers, then
// carol (the target) is called without it and answers, and the two are
// bridged (RFC 3725 flow IV). A refusal that is not "cannot take a REFER"
// (603) fails without a call, and so does a 501 without the fallback.
func TestClickToDialFallbackOriginate(t *testing.T) {
	t.Parallel()
	n, b := nodeWithBob(t)
	c := phone.New(t, "carol")
	crm := controller(t, n, "crm")
	req := events.PhonesReferRequestV1{Phone: "sip:bob@example.test", Target: c.URI("carol"), From: "sip:crm@example.test"}
	type result struct {
		rep events.PhonesReferReplyV1
		err error
	}
	refer := func(fallback string, code int) result {
		t.Helper()
		done := make(chan result, 1)
		go func() {
			r := req
			r.Fallback = fallback
			rep, err := crm.ReferPhoneWith(ctx10(t), r)
			done <- result{rep, err}
		}()
		b.NextOutOfDialog(wait).Respond(code, nil)
		return <-done
	}

	if res := refer(events.ReferFallbackOriginate, 603); errCode(res.err) != events.ErrConflict || !strings.Contains(res.err.Error(), "603") {
		t.Errorf("603 with fallback: %+v %v, want a conflict naming 603 (a phone that declines is not called)", res.rep, res.err)
	}
	if res := refer(events.ReferFallbackNone, 501); errCode(res.err) != events.ErrConflict || !strings.Contains(res.err.Error(), "with 501 ") {
		t.Errorf("501 without fallback: %+v %v, want a conflict naming 501", res.rep, res.err)
	}
	if _, err := crm.ReferPhoneWith(ctx10(t), events.PhonesReferRequestV1{Phone: req.Phone, Target: req.Target, Fallback: "invite"}); errCode(err) != events.ErrBadRequest || !strings.Contains(err.Error(), "fallback") {
		t.Errorf("fallback invite: %v, want a bad request naming fallback", err)
	}

	res := refer(events.ReferFallbackOriginate, 501)
	if res.err != nil {
		t.Fatalf("phones.refer with fallback: %v", res.err)
	}
	rep := res.rep
	if rep.Mode != events.ReferModeOriginate || rep.ReferRefused != 501 || rep.CallID == "" || rep.ALegID == "" || rep.ReferID != "" {
		t.Fatalf("reply %+v, want mode originate, refer_refused 501, a call and its leg", rep)
	}
	cl := n.Events.Await(events.TypeCallClaimedV1, func(e harness.Event) bool { return e.CallID == rep.CallID }, wait)
	if cc := decode[events.CallClaimedV1](t, cl); cc.Controller != "crm" {
		t.Errorf("claimed by %q, want crm", cc.Controller)
	}
	created := n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool { return e.LegID == rep.ALegID }, wait)
	// bob's first INVITE is the fallback's: neither refused REFER before
	// it made a call
	ib := b.NextInvite(wait)
	if got, want := ib.Req.CallID().Value(), decode[events.LegCreatedV1](t, created).SIPCallID; got != want {
		t.Errorf("bob's INVITE has Call-ID %s, want the A leg's %s", got, want)
	}
	if am := header(ib.Req, "Answer-Mode"); am != "Auto" {
		t.Errorf("bob's INVITE Answer-Mode %q, want Auto", am)
	}
	if u := ib.Req.Recipient; u.Port != b.Port() {
		t.Errorf("bob's INVITE went to %s, want his registered contact (port %d)", u.String(), b.Port())
	}
	if to := ib.Req.To(); to == nil || to.Address.String() != "sip:bob@example.test" {
		t.Errorf("bob's INVITE To %v, want his AOR sip:bob@example.test (the contact is only its Request-URI)", to)
	}
	if f := ib.Req.From(); f == nil || f.Address.User != "crm" {
		t.Errorf("bob's INVITE From %v, want the request's", f)
	}
	if d := phone.Direction(ib.Body()); d != phone.Inactive {
		t.Errorf("bob was offered %q, want inactive (flow IV)", d)
	}
	ib.Answer(b.SDP(phone.Inactive))
	ib.ExpectRequest(sip.ACK, wait)
	ic := c.NextInvite(wait)
	if am := header(ic.Req, "Answer-Mode"); am != "" {
		t.Errorf("carol's INVITE Answer-Mode %q, want none", am)
	}
	if len(ic.Body()) != 0 {
		t.Errorf("carol's INVITE carries an offer")
	}
	ic.Answer(c.SDP(phone.SendRecv))
	re := ib.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(c) {
		t.Errorf("bob re-INVITEd to port %d, want carol's", mediaPort(re.Body()))
	}
	re.OK(b.SDP(phone.SendRecv))
	ib.ExpectRequest(sip.ACK, wait)
	ic.ExpectRequest(sip.ACK, wait)
	br := n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.LegID == rep.ALegID }, wait)
	if br.CallID != rep.CallID {
		t.Errorf("bridged in call %s, want %s", br.CallID, rep.CallID)
	}
	if err := n.Server.Core().HangupCall(ctx10(t), rep.CallID, 0, ""); err != nil {
		t.Fatal(err)
	}
	ib.ExpectRequest(sip.BYE, wait).OK(nil)
	ic.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(rep.CallID, wait)
	// no refer was left behind by the refused REFERs
	if o := n.Server.Core().OpenPhoneRefers(); o != 0 {
		t.Errorf("%d click-to-dial refers open, want none", o)
	}
}

// nodeWithBob starts a node with the registrar and registers bob's phone
// (sip:bob@example.test) with it.
func nodeWithBob(t *testing.T) (*harness.Node, *phone.Phone) {
	t.Helper()
	n := registrarNode(t)
	b := phone.New(t, "bob")
	if res := b.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, ""); res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d", res.StatusCode)
	}
	return n, b
}
