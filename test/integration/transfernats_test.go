package integration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The command server serves the transfer verbs only for a core that
// implements natsapi.TransferController: the core must keep doing so.
var _ natsapi.TransferController = (*b2bua.Core)(nil)

// transfers.blind over the node's NATS, natively: the command names
// alice's leg and carol as the target; carol gets an INVITE without an
// offer, alice a re-INVITE offering carol's media, carol's ACK answers
// with alice's; bob (alice's former peer) gets BYE, and the transfer's
// events carry the id the reply gave. No phone sees a REFER.
func TestTransferNATSBlindNative(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferSetup(t)
	nc := commandConn(t, n)
	aLeg := id + "-a"

	// Sent to this node's subject; the reply comes once the transfer has
	// started, so it is awaited while the phones play.
	type result struct {
		rep events.TransfersBlindReplyV1
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		data, _ := json.Marshal(events.TransfersBlindRequestV1{RequestID: "xfer-nats-1", Controller: "ops", LegID: aLeg, Target: carol.URI("carol")})
		m, err := nc.Request(events.NodeCommandSubject(n.Config.Node, events.VerbTransfersBlind), data, wait)
		if r.err = err; err == nil {
			r.err = json.Unmarshal(m.Data, &r.rep)
		}
		done <- r
	}()

	inv := carol.NextInvite(wait)
	if len(inv.Body()) != 0 {
		t.Errorf("INVITE to the target carries an offer")
	}
	if u := inv.Req.From().Address.User; u != "alice" {
		t.Errorf("INVITE to the target from %q, want the transferee alice", inv.Req.From().Address.String())
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("transfers.blind: %v", r.err)
	}
	if r.rep.Error != nil || r.rep.RequestID != "xfer-nats-1" || r.rep.TransferID == "" {
		t.Fatalf("transfers.blind reply %+v (error %+v)", r.rep, r.rep.Error)
	}
	xid := r.rep.TransferID

	inv.Answer(carol.SDP(phone.SendRecv))
	re := c.Dialog.ExpectRequest(sip.INVITE, wait)
	if mediaPort(re.Body()) != portOf(carol) {
		t.Errorf("alice re-INVITEd to port %d, want carol's", mediaPort(re.Body()))
	}
	re.OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	if ack := inv.ExpectRequest(sip.ACK, wait); mediaPort(ack.Body()) != portOf(a) {
		t.Errorf("carol's ACK answers port %d, want alice's", mediaPort(ack.Body()))
	}
	in.ExpectRequest(sip.BYE, wait).OK(nil)

	req := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if tr := decode[events.TransferRequestedV1](t, req); tr.TransferID != xid || tr.Kind != "command" || tr.TargetLegID != aLeg || tr.ReferTo != carol.URI("carol") {
		t.Errorf("requested %+v, want transfer %s of %s to carol", tr, xid, aLeg)
	}
	comp := n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if d := decode[events.TransferCompletedV1](t, comp); d.TransferID != xid || d.NewLegID == "" {
		t.Errorf("completed %+v, want transfer %s", d, xid)
	}

	// The same request id again, on the load-shared subject, is answered
	// from memory: the same transfer id, no second transfer.
	var again events.TransfersBlindReplyV1
	command(t, nc, events.VerbTransfersBlind, events.TransfersBlindRequestV1{RequestID: "xfer-nats-1", Controller: "ops", LegID: aLeg, Target: carol.URI("carol")}, &again)
	if again.Error != nil || again.TransferID != xid {
		t.Errorf("replayed reply %+v, want transfer %s", again, xid)
	}

	// alice and carol now talk: carol's BYE ends the call.
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// Transfer commands the node refuses come back as typed errors in the
// verb's reply type: a request that fails the checks (bad_request, naming
// the field, before the core is called) and one the core refuses
// (unknown_leg, conflict); no phone hears of them.
func TestTransferNATSRefused(t *testing.T) {
	t.Parallel()
	n, _, _, carol, c, in, id := transferSetup(t)
	nc := commandConn(t, n)
	aLeg, bLeg := id+"-a", id+"-b1"

	for _, tt := range []struct {
		name  string
		verb  string
		req   any
		code  events.ErrorCode
		words string // in the message
	}{
		{"tel target", events.VerbTransfersBlind,
			events.TransfersBlindRequestV1{RequestID: "bad-1", LegID: aLeg, Target: "tel:+15551234"}, events.ErrBadRequest, "transfers.blind: target"},
		{"no leg", events.VerbTransfersBlind,
			events.TransfersBlindRequestV1{RequestID: "bad-2", Target: carol.URI("carol")}, events.ErrBadRequest, "leg_id"},
		{"target dialog natively", events.VerbTransfersBlind,
			events.TransfersBlindRequestV1{RequestID: "bad-3", LegID: aLeg, Target: carol.URI("carol"), TargetDialog: true}, events.ErrBadRequest, "target_dialog"},
		{"unknown mode", events.VerbTransfersAttended,
			events.TransfersAttendedRequestV1{RequestID: "bad-4", LegID: aLeg, OtherLegID: bLeg, Mode: "magic"}, events.ErrBadRequest, "mode"},
		{"same leg", events.VerbTransfersAttended,
			events.TransfersAttendedRequestV1{RequestID: "bad-5", LegID: aLeg, OtherLegID: aLeg}, events.ErrBadRequest, "other_leg_id"},
		{"unknown leg", events.VerbTransfersBlind,
			events.TransfersBlindRequestV1{RequestID: "bad-6", LegID: id + "-zz", Target: carol.URI("carol")}, events.ErrUnknownLeg, ""},
		{"unknown other leg", events.VerbTransfersAttended,
			events.TransfersAttendedRequestV1{RequestID: "bad-7", LegID: aLeg, OtherLegID: id + "-zz"}, events.ErrUnknownLeg, ""},
	} {
		var rep struct {
			events.Reply
			TransferID *string `json:"transfer_id"`
		}
		command(t, nc, tt.verb, tt.req, &rep)
		switch {
		case rep.Error == nil:
			t.Errorf("%s: no error, want %s", tt.name, tt.code)
		case rep.Error.Code != tt.code || rep.Error.Name != tt.code.String() || !strings.Contains(rep.Error.Message, tt.words):
			t.Errorf("%s: error %+v, want %s naming %q", tt.name, rep.Error, tt.code, tt.words)
		}
		if rep.TransferID != nil || !strings.HasPrefix(rep.RequestID, "bad-") {
			t.Errorf("%s: reply %+v", tt.name, rep)
		}
	}

	// The call is untouched: alice and bob still talk, and hang up.
	bye := c.Dialog.Bye()
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
	for _, typ := range n.Events.Types(id) {
		if strings.HasPrefix(typ, "tandem.transfer.") {
			t.Errorf("a refused transfer emitted %s", typ)
		}
	}
}
