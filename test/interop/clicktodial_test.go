package interop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Click-to-dial toward baresip (issue 7): baresip registers bob with
// Tandem's registrar, and a controller asks Tandem (Core.ReferPhone) to
// have bob's phone call carol, a scripted phone.
//
// baresip 1.0.0 (with libre 1.1.0, Debian bookworm's, the only one
// installable here) cannot be referred outside a dialog, and no option of
// it changes that. Its only REFER handling is libre's in-dialog one
// (sipsess, which leaves a REFER without a To tag alone); its own request
// handler takes OPTIONS only, and no module listens for REFER. libre then
// logs "unhandeled request from <addr>: REFER <uri>" and answers 501 Not
// Implemented, although baresip lists REFER in its Allow header. (Later
// baresip, from late 2022, takes an out-of-dialog REFER only with
// Refer-Sub: false, RFC 4488, which phones.refer sends with
// no_subscription, so it never sends NOTIFYs, and hands its target to the
// menu module to dial; with a subscription it still answers 501.)
//
// So click-to-dial reaches this baresip through the fallback: with
// fallback "originate" the 501 makes Tandem call bob's registered contact
// itself, with Answer-Mode: Auto (baresip answers by itself anyway:
// answermode=auto), then carol, and connect the two (RFC 3725 flow IV: bob
// on an inactive offer first, then carol's offer to bob in a re-INVITE).
// The test first pins that without the fallback baresip still answers the
// REFER with 501 and nothing else happens: if that fails because baresip
// accepted the REFER, click-to-dial by REFER works with this baresip, and
// the test should check that flow too (carol's INVITE from baresip, its
// NOTIFYs as click_to_dial transfer events).
//
// The registrar offers only MD5 digests: libre 1.1.0 gives up on the
// first challenge whose algorithm is not MD5 ("Register: Function not
// implemented") rather than answering the MD5 one that follows, so with
// Tandem's default SHA-256 then MD5 challenges baresip never registers.
func TestBaresipClickToDial(t *testing.T) {
	const aor = "sip:bob@example.test"
	carol := phone.New(t, "carol")
	// the node starts first so that it stops last: baresip de-registers
	// as it quits (t.Cleanup runs in reverse order)
	n := clickToDialNode(t, carol)
	bs := startBaresip(t, "baresip")

	// a second user agent in baresip: bob, registering with Tandem (its
	// outbound proxy) every 600 s, answering calls by itself
	bs.command("uanew", fmt.Sprintf(`<%s>;auth_user=bob;auth_pass=secret;outbound="sip:%s";regint=600;answermode=auto;audio_codecs=pcmu`, aor, n.SIPAddr))
	added := n.Events.Await(events.TypeBindingAddedV1, func(e harness.Event) bool { return bindingOf(t, e).AOR == aor }, wait)
	b := bindingOf(t, added)
	if !strings.Contains(b.Contact, fmt.Sprintf("@127.0.0.1:%d", bs.sipPort)) || b.User != "bob" || b.Instance == "" {
		t.Errorf("binding %+v, want baresip's contact (port %d) with its instance, authenticated as bob", b, bs.sipPort)
	}

	// without the fallback: baresip refuses the REFER, the command fails
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	rep, err := n.Server.Core().ReferPhone(ctx, events.PhonesReferRequestV1{Phone: aor, Target: "sip:carol@" + n.SIPAddr})
	var e *events.Error
	switch {
	case err == nil:
		t.Fatalf("baresip accepted the out-of-dialog REFER (%+v): click-to-dial by REFER works with this baresip; test that flow too", rep)
	case !errors.As(err, &e) || e.Code != events.ErrConflict || !strings.Contains(e.Message, "with 501 "):
		t.Fatalf("ReferPhone: %v, want a conflict: baresip answered the REFER with 501", err)
	}

	// with the fallback: the same 501, then Tandem calls baresip, which
	// answers by itself, then carol
	est := bs.mark()
	rep, err = n.Server.Core().ReferPhone(ctx, events.PhonesReferRequestV1{
		Phone: aor, Target: carol.URI("carol"), Fallback: events.ReferFallbackOriginate,
	})
	if err != nil {
		t.Fatalf("ReferPhone with fallback originate: %v", err)
	}
	if rep.Mode != events.ReferModeOriginate || rep.ReferRefused != 501 || rep.CallID == "" || rep.ALegID == "" {
		t.Fatalf("reply %+v, want mode originate after baresip's 501", rep)
	}
	id := rep.CallID
	lc := n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool { return e.LegID == rep.ALegID }, wait)
	if tg := decode[events.LegCreatedV1](t, lc).Target; tg != b.Contact {
		t.Errorf("the call's first leg goes to %s, want baresip's registered contact %s", tg, b.Contact)
	}
	n.Events.Await(events.TypeLegAnsweredV1, func(e harness.Event) bool { return e.LegID == rep.ALegID }, wait)
	call := bs.awaitEvent(est, "CALL_ESTABLISHED", "")
	if lcID := decode[events.LegCreatedV1](t, lc).SIPCallID; call.ID != lcID {
		t.Errorf("baresip established call %s, want Tandem's A leg %s", call.ID, lcID)
	}

	// carol is called without an offer; her offer goes to baresip in a
	// re-INVITE, and baresip's answer comes back in her ACK
	offers := bs.mark()
	inv := carol.NextInvite(wait)
	if len(inv.Body()) != 0 {
		t.Errorf("carol's INVITE carries an offer:\n%s", inv.Req)
	}
	if am := header(inv.Req, "Answer-Mode"); am != "" {
		t.Errorf("carol's INVITE carries Answer-Mode %q, want none (only the phone of the click-to-dial answers by itself)", am)
	}
	inv.Answer(carol.SDP(phone.SendRecv))
	bs.awaitEvent(offers, "CALL_REMOTE_SDP", "offer")
	ack := inv.ExpectRequest(sip.ACK, wait)
	if p := mediaPort(ack.Body()); p == 0 || p == mediaPort(carol.SDP(phone.SendRecv)) {
		t.Errorf("carol's ACK carries no answer from baresip:\n%s", ack.Body())
	}
	br := n.Events.Await(events.TypeLegBridgedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if br.LegID != rep.ALegID && decode[events.LegBridgedV1](t, br).PeerLegID != rep.ALegID {
		t.Errorf("leg_bridged %s, want baresip's leg %s in it", br.Raw, rep.ALegID)
	}

	// carol hangs up: baresip gets the BYE, and the call ends
	closed := bs.mark()
	inv.Bye().Expect(200, wait)
	bs.awaitEvent(closed, "CALL_CLOSED", "")
	ended(t, n, id)

	// baresip quits and de-registers; events arrive in order, so once the
	// binding is gone every event of the REFERs would have arrived too:
	// none is a transfer's (a refused REFER makes none, and the fallback's
	// progress is its call's events)
	bs.stop()
	n.Events.Await(events.TypeBindingRemovedV1, func(e harness.Event) bool { return bindingOf(t, e).AOR == aor }, wait)
	for _, e := range n.Events.All() {
		if strings.HasPrefix(e.Type, "tandem.transfer.") {
			t.Errorf("unexpected %s after a refused REFER: %s", e.Type, e.Raw)
		}
	}
	for _, r := range carol.Received() {
		if r.CallID().Value() != inv.Req.CallID().Value() {
			t.Errorf("carol got a request outside the fallback's call:\n%s", r)
		}
	}
}

// clickToDialNode starts a node whose registrar is authoritative for
// example.test, with account bob (password "secret"), offering MD5 digests
// only (see above), and a static route of carol to the phone c.
func clickToDialNode(t *testing.T, c *phone.Phone) *harness.Node {
	t.Helper()
	return harness.Start(t,
		harness.WithRoutes(b2bua.Route{Name: "carol", User: "^carol$", Target: c.URI("carol")}),
		harness.WithConfig(func(cfg *config.Config) {
			cfg.Registrar.Enabled = true
			cfg.Registrar.Domains = []string{"example.test"}
			cfg.Registrar.Auth.Algorithms = []string{"MD5"}
			// registrar.User is internal to b2bua; a struct of its shape
			// is assignable to it
			cfg.Registrar.Auth.Users = append(cfg.Registrar.Auth.Users, struct {
				User      string   `yaml:"user"`
				Password  string   `yaml:"password"`
				HA1       string   `yaml:"ha1"`
				HA1SHA256 string   `yaml:"ha1_sha256"`
				AORs      []string `yaml:"aors"`
			}{User: "bob", Password: "secret"})
		}))
}

// bindingOf decodes a registrar event's binding.
func bindingOf(t *testing.T, e harness.Event) events.BindingInfoV1 {
	t.Helper()
	var v struct {
		Binding events.BindingInfoV1 `json:"binding"`
	}
	if err := e.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", e.Type, err)
	}
	return v.Binding
}
