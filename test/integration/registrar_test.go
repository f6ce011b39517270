package integration

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// userWithPassword is an account of the registrar's configuration.
func userWithPassword(user, password string) (u struct {
	User      string   `yaml:"user"`
	Password  string   `yaml:"password"`
	HA1       string   `yaml:"ha1"`
	HA1SHA256 string   `yaml:"ha1_sha256"`
	AORs      []string `yaml:"aors"`
}) {
	u.User, u.Password = user, password
	return u
}

// registrarNode starts a node whose registrar is authoritative for
// example.test, with accounts bob and carol (password "secret").
func registrarNode(t *testing.T) *harness.Node {
	t.Helper()
	return harness.Start(t, harness.WithConfig(func(c *config.Config) {
		c.Registrar.Enabled = true
		c.Registrar.Domains = []string{"example.test"}
		c.Registrar.Auth.Users = append(c.Registrar.Auth.Users,
			userWithPassword("bob", "secret"), userWithPassword("carol", "secret"))
	}))
}

// A REGISTER without credentials is challenged; with them it binds the
// phone's Contact; an INVITE to the AOR reaches the registered phone.
func TestRegisterAndCallAOR(t *testing.T) {
	t.Parallel()
	n := registrarNode(t)
	bob := phone.New(t, "bob")
	res := bob.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, "")
	if res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d %s", res.StatusCode, res.Reason)
	}
	if c := res.GetHeader("Contact"); c == nil || !strings.Contains(c.Value(), bob.Addr()) {
		t.Errorf("200 lists %v, want the phone's contact", c)
	}
	if wrong := phone.New(t, "bob").Register(n.SIPAddr, "sip:bob@example.test", "bob", "wrong", 600, ""); wrong.StatusCode < 400 {
		t.Errorf("a wrong password got %d", wrong.StatusCode)
	}

	a := phone.New(t, "alice")
	c := a.Invite("sip:bob@example.test", phone.Via(n.SIPAddr))
	in := bob.NextInvite(wait)
	in.Answer(bob.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	id := callID(t, n, c.CallID())
	routed := n.Events.Await(events.TypeCallRoutedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if r := decode[events.CallRoutedV1](t, routed); r.By != "registrar" {
		t.Errorf("routed by %q, want registrar", r.By)
	}
	hangup(t, c, in)
	ended(t, n, id)

	// an AOR of the domain nobody registered: 404 (the registrar is
	// authoritative for example.test)
	if res := a.Invite("sip:carol@example.test", phone.Via(n.SIPAddr)).Final(wait); res.StatusCode != 404 {
		t.Errorf("unregistered AOR: %d, want 404", res.StatusCode)
	}
}

// Two phones registered for one AOR both ring; the first to answer wins and
// the other gets CANCEL. A GRUU of one instance rings only that one.
func TestRegistrarForkAndGRUU(t *testing.T) {
	t.Parallel()
	n := registrarNode(t)
	desk, mobile := phone.New(t, "desk"), phone.New(t, "mobile")
	gr := sip.NewHeader("Supported", "gruu")
	res := desk.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, `+sip.instance="<urn:uuid:00000000-0000-4000-8000-00000000000d>"`, gr)
	if res.StatusCode != 200 {
		t.Fatalf("desk REGISTER: %d", res.StatusCode)
	}
	pub := ""
	for _, h := range res.GetHeaders("Contact") {
		v := h.Value()
		if i := strings.Index(v, `pub-gruu="`); i >= 0 && strings.Contains(v, desk.Addr()) {
			pub = v[i+len(`pub-gruu="`):]
			pub = pub[:strings.IndexByte(pub, '"')]
		}
	}
	if !strings.Contains(pub, ";gr=") {
		t.Fatalf("no pub-gruu for the desk instance in %v", res.GetHeaders("Contact"))
	}
	if res := mobile.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, `+sip.instance="<urn:uuid:00000000-0000-4000-8000-00000000000e>"`, gr); res.StatusCode != 200 {
		t.Fatalf("mobile REGISTER: %d", res.StatusCode)
	}

	a := phone.New(t, "alice")
	c := a.Invite("sip:bob@example.test", phone.Via(n.SIPAddr))
	inD, inM := desk.NextInvite(wait), mobile.NextInvite(wait)
	inM.Answer(mobile.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	inM.ExpectRequest(sip.ACK, wait)
	inD.ExpectRequest(sip.CANCEL, wait)
	hangup(t, c, inM)
	ended(t, n, callID(t, n, c.CallID()))

	// The pub-gruu reaches the desk only; the mobile never rings.
	c = a.Invite(pub, phone.Via(n.SIPAddr))
	inD = desk.NextInvite(wait)
	inD.Reject(486)
	if res := c.Final(wait); res.StatusCode != 486 {
		t.Errorf("call to the GRUU got %d, want the desk's 486", res.StatusCode)
	}
	if len(mobile.Invites()) != 0 {
		t.Errorf("a GRUU forked to another instance")
	}
}

// Every Contact Tandem puts on a leg is a GRUU it minted: it answers while
// the leg lives and gets 404 once the leg has ended.
func TestLegContactIsGRUU(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	contact := in.Req.Contact()
	if contact == nil || !contact.Address.UriParams.Has("gr") {
		t.Fatalf("B leg Contact %v is not a GRUU", contact)
	}
	if strings.Contains(contact.Address.String(), c.CallID()) {
		t.Errorf("the GRUU reveals A's Call-ID")
	}
	raw := phone.Raw(t)
	sent := 0
	options := func() int {
		sent++
		id := "gruu-probe-" + itoa(sent) + "-" + raw.Addr()
		raw.Send(n.SIPAddr, raw.Request("OPTIONS", contact.Address.String(), id, 1, []string{
			"From: <sip:probe@127.0.0.1>;tag=g" + itoa(sent),
			"To: <" + contact.Address.String() + ">",
			"Call-ID: " + id,
			"CSeq: 1 OPTIONS",
			"Max-Forwards: 70",
		}, ""))
		return raw.ReadResponse(id, wait).StatusCode
	}
	if code := options(); code != 200 {
		t.Errorf("OPTIONS to a live leg's GRUU: %d, want 200", code)
	}
	hangup(t, c, in)
	ended(t, n, callID(t, n, c.CallID()))
	if code := options(); code != 404 {
		t.Errorf("OPTIONS to an ended leg's GRUU: %d, want 404", code)
	}
}
