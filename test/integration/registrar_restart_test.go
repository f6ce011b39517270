package integration

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// restartGRUUKey is the node key of the restart test (64 hex digits): the
// same on both nodes, so temp-gruus minted before the restart still open.
// A test key, never a real one.
const restartGRUUKey = "bf101edd89b23a020d7d88ea5fc3fc1665dc6ce19e2732388903c870e316d50f"

// jetstreamRegistrarNode starts a node like registrarNode (example.test,
// account bob) whose bindings live in a JetStream KV bucket of the
// embedded NATS server's files in dataDir, with restartGRUUKey.
func jetstreamRegistrarNode(t *testing.T, dataDir string) *harness.Node {
	t.Helper()
	return harness.Start(t, harness.WithConfig(func(c *config.Config) {
		c.Registrar.Enabled = true
		c.Registrar.Domains = []string{"example.test"}
		c.Registrar.Store = "jetstream"
		c.Registrar.Auth.Users = append(c.Registrar.Auth.Users, userWithPassword("bob", "secret"))
		c.GRUU.Key = restartGRUUKey
		c.NATS.Embedded.DataDir = dataDir
	}))
}

// contactParam returns the value of the quoted Contact parameter name
// (pub-gruu, temp-gruu) of the binding whose URI holds addr, "" if none.
func contactParam(res *sip.Response, addr, name string) string {
	for _, h := range res.GetHeaders("Contact") {
		v := h.Value()
		if !strings.Contains(v, addr) {
			continue
		}
		i := strings.Index(v, name+`="`)
		if i < 0 {
			return ""
		}
		v = v[i+len(name)+2:]
		if j := strings.IndexByte(v, '"'); j >= 0 {
			return v[:j]
		}
	}
	return ""
}

// With registrar.store jetstream, bindings survive a restart: a phone
// registers at one node, the node shuts down, a second node starts on the
// same NATS data dir and GRUU key, and a call to the AOR through it reaches
// the phone; so do calls to the pub-gruu and the temp-gruu handed out
// before the restart.
func TestRegistrarJetStreamBindingsSurviveRestart(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "nats")
	const aor = "sip:bob@example.test"

	n1 := jetstreamRegistrarNode(t, dataDir)
	desk := phone.New(t, "desk")
	res := desk.Register(n1.SIPAddr, aor, "bob", "secret", 600,
		`+sip.instance="<urn:uuid:00000000-0000-4000-8000-0000000000a1>"`, sip.NewHeader("Supported", "gruu"))
	if res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d %s", res.StatusCode, res.Reason)
	}
	pub, temp := contactParam(res, desk.Addr(), "pub-gruu"), contactParam(res, desk.Addr(), "temp-gruu")
	if !strings.Contains(pub, ";gr=") || !strings.HasSuffix(temp, ";gr") {
		t.Fatalf("want a pub-gruu and a temp-gruu for the desk, got pub %q temp %q in %v", pub, temp, res.GetHeaders("Contact"))
	}

	// The first node goes away (its Cleanup's second Shutdown returns the
	// first one's result).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n1.Server.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown of the first node: %v", err)
	}

	n2 := jetstreamRegistrarNode(t, dataDir)
	a := phone.New(t, "alice")

	// The AOR: routed by the registrar to the binding made at n1.
	c := a.Invite(aor, phone.Via(n2.SIPAddr))
	in := desk.NextInvite(wait)
	in.Answer(desk.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	id := callID(t, n2, c.CallID())
	routed := n2.Events.Await(events.TypeCallRoutedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.CallRoutedV1](t, routed); r.By != "registrar" {
		t.Errorf("routed by %q, want registrar", r.By)
	}
	hangup(t, c, in)
	ended(t, n2, id)

	// The GRUUs minted before the restart reach the same instance: the
	// desk's 486 comes back (a GRUU never falls back to other routes).
	for _, gr := range []struct{ name, uri string }{{"pub-gruu", pub}, {"temp-gruu", temp}} {
		c := a.Invite(gr.uri, phone.Via(n2.SIPAddr))
		in := desk.NextInvite(wait)
		if in.Req.Recipient.Port != desk.Port() {
			t.Errorf("%s: the INVITE went to %s, want the desk's contact", gr.name, in.Req.Recipient.String())
		}
		in.Reject(486)
		if res := c.Final(wait); res.StatusCode != 486 {
			t.Errorf("call to the %s %s through the second node: %d, want the desk's 486", gr.name, gr.uri, res.StatusCode)
		}
	}
}
