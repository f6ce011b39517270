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
	n := registrarNode(t)
	b := phone.New(t, "bob")
	if res := b.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, ""); res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d", res.StatusCode)
	}
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
