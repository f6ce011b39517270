package integration

import (
	"net/url"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// sendReferNotify sends a refer NOTIFY with a sipfrag of code from a phone's dialog.
func sendReferNotify(t *testing.T, d *phone.Dialog, code int, terminated bool) {
	t.Helper()
	state := "active;expires=60"
	if terminated {
		state = "terminated;reason=noresource"
	}
	d.Request(sip.NOTIFY, []byte("SIP/2.0 "+itoa(code)+" X\r\n"),
		sip.NewHeader("Event", "refer"), sip.NewHeader("Subscription-State", state),
		sip.NewHeader("Content-Type", "message/sipfrag;version=2.0")).Expect(200, wait)
}

// transfers.blind, native: alice (the leg named) goes to carol; bob (her
// peer) ends; no phone sees a REFER.
func TestTransferCommandBlindNative(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferSetup(t)
	xid, err := n.Server.Core().BlindTransfer(ctx10(t), events.TransfersBlindRequestV1{LegID: id + "-a", Target: carol.URI("carol")})
	if err != nil || xid == "" {
		t.Fatalf("blind transfer: %q %v", xid, err)
	}
	inv := carol.NextInvite(wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	req := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.TransferRequestedV1](t, req); r.Kind != "command" || r.TransferID != xid {
		t.Errorf("requested %+v", r)
	}
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
}

// transfers.blind, refer: bob's phone gets the REFER (in its dialog, then
// out of dialog with Target-Dialog) and its NOTIFYs become events.
func TestTransferCommandBlindRefer(t *testing.T) {
	t.Parallel()
	for _, ood := range []bool{false, true} {
		n, _, b, carol, _, in, id := transferSetup(t)
		_ = b
		done := make(chan error, 1)
		go func() {
			_, err := n.Server.Core().BlindTransfer(ctx10(t), events.TransfersBlindRequestV1{
				LegID: id + "-b1", Target: carol.URI("carol"), Mode: events.TransferRefer, TargetDialog: ood,
			})
			done <- err
		}()
		var r *phone.ServerRequest
		var d *phone.Dialog
		if ood {
			r = b.NextOutOfDialog(wait)
			d = r.Dialog()
			td := header(r.Req, "Target-Dialog")
			want := in.CallID() + ";local-tag=" + in.Dialog.RemoteTag() + ";remote-tag=" + in.Dialog.LocalTag()
			if td != want {
				t.Errorf("Target-Dialog %q, want %q", td, want)
			}
		} else {
			r = in.ExpectRequest(sip.REFER, wait)
			d = in.Dialog
		}
		if rt := header(r.Req, "Refer-To"); rt != "<"+carol.URI("carol")+">" {
			t.Errorf("Refer-To %q", rt)
		}
		r.Respond(202, nil)
		if err := <-done; err != nil {
			t.Fatalf("blind transfer by REFER (ood %v): %v", ood, err)
		}
		sendReferNotify(t, d, 100, false)
		prog := n.Events.Await(events.TypeTransferProgressV1, func(e harness.Event) bool { return e.CallID == id }, wait)
		if p := decode[events.TransferProgressV1](t, prog); p.Code != 100 {
			t.Errorf("progress %+v", p)
		}
		sendReferNotify(t, d, 200, true)
		n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	}
}

// attendedSetup: alice calls bob (call X) and carol calls bob (call Y);
// bob is the transferor with a leg in each.
func attendedSetup(t *testing.T) (n *harness.Node, a, b, carol *phone.Phone, c, c2 *phone.Call, in, in2 *phone.Incoming, x, y string) {
	n, a, b = setup(t)
	carol = phone.New(t, "carol")
	c, in = connect(t, n, a, b)
	c2, in2 = connect(t, n, carol, b)
	return n, a, b, carol, c, c2, in, in2, callID(t, n, c.CallID()), callID(t, n, c2.CallID())
}

// transfers.attended, native: alice and carol are bridged (carol's leg
// moves to alice's call), both of bob's legs get BYE, call Y ends.
func TestTransferCommandAttendedNative(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, c2, in, in2, x, y := attendedSetup(t)
	done := make(chan error, 1)
	go func() {
		_, err := n.Server.Core().AttendedTransfer(ctx10(t), events.TransfersAttendedRequestV1{LegID: x + "-b1", OtherLegID: y + "-b1"})
		done <- err
	}()
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	re.OK(a.SDP(phone.SendRecv))
	re2 := c2.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re2.Body()) != portOf(a) {
		t.Errorf("carol offered port %d, want alice's", mediaPort(re2.Body()))
	}
	re2.OK(carol.SDP(phone.SendRecv))
	c2.Dialog.ExpectRequest(sip.ACK, wait)
	if ack := c.Dialog.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(carol) {
		t.Errorf("alice's ACK answers port %d, want carol's", mediaPort(ack.Body()))
	}
	if err := <-done; err != nil {
		t.Fatalf("attended: %v", err)
	}
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	in2.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(y, wait)
	bye := c.Dialog.Bye()
	c2.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(x, wait)
}

// transfers.attended, refer: alice's phone gets a REFER whose Refer-To is
// the GRUU of bob's leg in call Y with Replaces naming it; the INVITE with
// Replaces alice sends there takes that leg's place: carol is re-INVITEd
// with alice's offer and bob's Y leg gets BYE.
func TestTransferCommandAttendedRefer(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, c2, in, in2, x, y := attendedSetup(t)
	done := make(chan error, 1)
	go func() {
		_, err := n.Server.Core().AttendedTransfer(ctx10(t), events.TransfersAttendedRequestV1{LegID: x + "-b1", OtherLegID: y + "-b1", Mode: events.TransferRefer})
		done <- err
	}()
	r := c.Dialog.ExpectRequest(sip.REFER, wait)
	rt := strings.Trim(header(r.Req, "Refer-To"), "<>")
	r.Respond(202, nil)
	if err := <-done; err != nil {
		t.Fatalf("attended by REFER: %v", err)
	}
	uri, query, _ := strings.Cut(rt, "?Replaces=")
	rp, err := url.QueryUnescape(query)
	if err != nil || !strings.HasPrefix(rp, in2.CallID()+";") {
		t.Fatalf("Refer-To %q: Replaces %q does not name bob's leg in call Y (%s)", rt, rp, in2.CallID())
	}
	nc := a.Invite(uri, phone.WithBody(a.SDP(phone.SendRecv)), phone.WithHeader("Replaces", rp))
	re := c2.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(a) {
		t.Errorf("carol re-INVITEd to port %d, want alice's", mediaPort(re.Body()))
	}
	re.OK(carol.SDP(phone.SendRecv))
	c2.Dialog.ExpectRequest(sip.ACK, wait)
	nc.Expect(200, wait)
	nc.Ack()
	in2.ExpectRequest(sip.BYE, wait).OK(nil)
	sendReferNotify(t, c.Dialog, 200, true)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == x }, wait)
	// alice leaves her old call as a transferee does: bob gets BYE
	c.Dialog.Bye().Expect(200, wait)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	bye := nc.Dialog.Bye()
	c2.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
}
