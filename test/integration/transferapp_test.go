package integration

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// withTransferApp runs the built-in transfer app (apps/transfer) with cfg
// on the node's embedded NATS, as plugins.list configures it, and gives it
// time to answer even on a loaded machine (route_deadline bounds the wait
// for the refer decision; the answer ends it).
func withTransferApp(cfg map[string]any) harness.Option {
	return harness.WithConfig(func(c *config.Config) {
		c.Plugins.List = append(c.Plugins.List, host.PluginConfig{
			Name: "transfer", Kind: host.KindBuiltin, Decisions: []string{"refer"}, Config: cfg,
		})
		c.RouteDeadline = wait
	})
}

// transferAppSetup is transferSetup with the transfer app running.
func transferAppSetup(t *testing.T, cfg map[string]any) (n *harness.Node, a, b, carol *phone.Phone, c *phone.Call, in *phone.Incoming, id string) {
	t.Helper()
	n, a, b, carol, c, in, id = transferSetup(t, withTransferApp(cfg))
	// the host has tried every plugin once when the node is up
	if st := n.Server.Plugins().Status(); len(st) != 1 || !st[0].Up {
		t.Fatalf("transfer app not up: %+v", st)
	}
	return n, a, b, carol, c, in, id
}

// refusedNotifies takes the two NOTIFYs of a transfer refused before any
// target was called, answers them and returns the final one's sipfrag
// status line. They are 100 Trying, then the final one, terminating the
// subscription; but the core sends the final one as soon as the decision
// comes, without waiting for the answer to the 100, so it may arrive
// first: they are put in order by CSeq, as a UA does.
func refusedNotifies(t *testing.T, d *phone.Dialog) string {
	t.Helper()
	type notify struct {
		seq         uint32
		frag, state string
	}
	ns := make([]notify, 2)
	for i := range ns {
		r := d.ExpectRequest(sip.NOTIFY, wait)
		line, _, _ := strings.Cut(string(r.Body()), "\r\n")
		ns[i] = notify{r.Req.CSeq().SeqNo, line, header(r.Req, "Subscription-State")}
		r.OK(nil)
	}
	slices.SortFunc(ns, func(a, b notify) int { return cmp.Compare(a.seq, b.seq) })
	if ns[0].frag != "SIP/2.0 100 Trying" || strings.HasPrefix(ns[0].state, "terminated") {
		t.Errorf("first NOTIFY %+v, want 100 Trying, subscription active", ns[0])
	}
	if !strings.HasPrefix(ns[1].state, "terminated") {
		t.Errorf("final NOTIFY %+v, want the subscription terminated", ns[1])
	}
	return ns[1].frag
}

// noInvite checks that p has received no INVITE so far.
func noInvite(t *testing.T, p *phone.Phone) {
	t.Helper()
	select {
	case inv := <-p.Invites():
		t.Errorf("%s was called: %s", p.Name(), inv.Req.Recipient.String())
	default:
	}
}

// completeTransfer carries a blind transfer, just REFERed from the party
// of dialog from, to its end: NOTIFY 100, the target's INVITE (returned,
// answered), the transferee's re-INVITE (in dialog to), NOTIFY 200 and the
// transferor's BYE.
func completeTransfer(t *testing.T, from, to *phone.Dialog, transferee, target *phone.Phone) *phone.Incoming {
	t.Helper()
	expectNotify(t, from, 100, false)
	inv := target.NextInvite(wait)
	inv.Answer(target.SDP(phone.SendRecv))
	to.ExpectRequest(sip.INVITE, wait).OK(transferee.SDP(phone.SendRecv))
	to.ExpectRequest(sip.ACK, wait)
	inv.ExpectRequest(sip.ACK, wait)
	expectNotify(t, from, 200, true)
	from.ExpectRequest(sip.BYE, wait).OK(nil)
	return inv
}

// A target the app denies: the final NOTIFY says 403 with the app's
// reason, nobody is called, and alice and bob still talk.
func TestTransferAppDenied(t *testing.T) {
	t.Parallel()
	n, _, _, carol, c, in, id := transferAppSetup(t, map[string]any{"deny": []string{`^sip:carol@`}})
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol"))).Expect(202, wait)
	if got := refusedNotifies(t, in.Dialog); got != "SIP/2.0 403 Transfer Target Not Allowed" {
		t.Errorf("final NOTIFY %q", got)
	}
	f := n.Events.Await(events.TypeTransferFailedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if ff := decode[events.TransferFailedV1](t, f); ff.Code != 403 {
		t.Errorf("failed %+v", ff)
	}
	rb := n.Events.Await(events.TypeTransferRolledBackV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.TransferRolledBackV1](t, rb); !r.Reconnected {
		t.Errorf("rolled back %+v, want the transferee still with the transferor", r)
	}
	info := c.Dialog.Request(sip.INFO, []byte("x"), sip.NewHeader("Content-Type", "text/plain"))
	in.ExpectRequest(sip.INFO, wait).OK(nil)
	info.Expect(200, wait)
	noInvite(t, carol)
	hangup(t, c, in)
	n.Events.AwaitCallEnd(id, wait)
}

// A target the app rewrites: the core calls the rewritten URI, not the
// Refer-To, and the transfer completes.
func TestTransferAppRewrite(t *testing.T) {
	t.Parallel()
	carol := phone.New(t, "carol")
	n, a, _, _, c, in, id := transferAppSetup(t, map[string]any{"rewrite": []map[string]any{
		{"match": `^sip:nobody@`, "target": "sip:nobody@127.0.0.1:1"},
		{"match": `^sip:7(?P<ext>\d+)@pbx\.invalid$`, "target": "sip:carol-${ext}@" + carol.Addr()},
	}})
	in.Dialog.Request(sip.REFER, nil, referTo("sip:7001@pbx.invalid")).Expect(202, wait)
	expectNotify(t, in.Dialog, 100, false)
	inv := carol.NextInvite(wait)
	if ru := inv.Req.Recipient; ru.User != "carol-001" || hostPort(ru) != carol.Addr() {
		t.Errorf("INVITE to %s, want sip:carol-001@%s", ru.String(), carol.Addr())
	}
	inv.Answer(carol.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.INVITE, wait).OK(a.SDP(phone.SendRecv))
	c.Dialog.ExpectRequest(sip.ACK, wait)
	inv.ExpectRequest(sip.ACK, wait)
	expectNotify(t, in.Dialog, 200, true)
	in.ExpectRequest(sip.BYE, wait).OK(nil)

	req := n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.TransferRequestedV1](t, req); r.ReferTo != "sip:7001@pbx.invalid" {
		t.Errorf("requested %+v, want the Refer-To as sent", r)
	}
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}

// max_transfers_per_call 1: bob transfers alice to carol, then carol's
// transfer of alice to dave, on the same call, is refused with 486 in the
// final NOTIFY; alice and carol still talk.
func TestTransferAppMaxTransfersPerCall(t *testing.T) {
	t.Parallel()
	n, a, _, carol, c, in, id := transferAppSetup(t, map[string]any{"max_transfers_per_call": 1})
	dave := phone.New(t, "dave")
	in.Dialog.Request(sip.REFER, nil, referTo(carol.URI("carol"))).Expect(202, wait)
	inv := completeTransfer(t, in.Dialog, c.Dialog, a, carol)
	n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool { return e.CallID == id }, wait)

	inv.Dialog.Request(sip.REFER, nil, referTo(dave.URI("dave"))).Expect(202, wait)
	if got := refusedNotifies(t, inv.Dialog); got != "SIP/2.0 486 Too Many Transfers" {
		t.Errorf("final NOTIFY %q", got)
	}
	f := n.Events.Await(events.TypeTransferFailedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if ff := decode[events.TransferFailedV1](t, f); ff.Code != 486 {
		t.Errorf("failed %+v", ff)
	}
	info := c.Dialog.Request(sip.INFO, []byte("x"), sip.NewHeader("Content-Type", "text/plain"))
	inv.ExpectRequest(sip.INFO, wait).OK(nil)
	info.Expect(200, wait)
	noInvite(t, dave)
	bye := inv.Bye()
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
	n.Events.AwaitCallEnd(id, wait)
}
