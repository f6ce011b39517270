package interop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Click-to-dial toward baresip (issue 7): baresip registers bob with
// Tandem's registrar, and a controller asks Tandem (Core.ReferPhone) to
// have bob's phone call carol, a scripted phone Tandem routes to.
//
// baresip 1.0.0 (with libre 1.1.0) cannot be referred outside a dialog,
// and no option of it changes that. Its only REFER handling is libre's
// in-dialog one (sipsess, which leaves a REFER without a To tag alone);
// its own request handler takes OPTIONS only, and no module listens for
// REFER. libre then logs "unhandeled request from <addr>: REFER <uri>" and
// answers 501 Not Implemented, although baresip lists REFER in its Allow
// header. (Later baresip, from late 2022, takes an out-of-dialog REFER
// only with Refer-Sub: false, RFC 4488, so it never sends NOTIFYs, and
// hands its target to the menu module to dial; with a subscription it
// still answers 501. ReferPhone asks for the subscription.) So this test
// pins what really happens: Tandem reaches baresip's registered contact,
// baresip answers 501, ReferPhone fails with a conflict naming the 501,
// and there is no transfer event and no call. If it fails because baresip
// accepted the REFER, replace it with the whole flow: carol gets the
// INVITE, and baresip's NOTIFYs become click_to_dial transfer events.
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

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	rep, err := n.Server.Core().ReferPhone(ctx, events.PhonesReferRequestV1{Phone: aor, Target: "sip:carol@" + n.SIPAddr})
	id := rep.ReferID
	var e *events.Error
	switch {
	case err == nil:
		t.Fatalf("baresip accepted the out-of-dialog REFER (refer %s): click-to-dial works with this baresip; test the whole flow instead", id)
	case !errors.As(err, &e) || e.Code != events.ErrConflict || !strings.Contains(e.Message, "with 501 "):
		t.Fatalf("ReferPhone: %v, want a conflict: baresip answered the REFER with 501", err)
	}

	// baresip quits and de-registers; events arrive in order, so once the
	// binding is gone every event of the REFER would have arrived too
	bs.stop()
	n.Events.Await(events.TypeBindingRemovedV1, func(e harness.Event) bool { return bindingOf(t, e).AOR == aor }, wait)
	for _, e := range n.Events.All() {
		if strings.HasPrefix(e.Type, "tandem.transfer.") {
			t.Errorf("unexpected %s after a refused REFER: %s", e.Type, e.Raw)
		}
	}
	if got := carol.Received(); len(got) != 0 {
		t.Errorf("carol got %d requests, want none; the first:\n%s", len(got), got[0])
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
