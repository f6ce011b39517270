package integration

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/phone"
)

// A SUBSCRIBE to an AOR's reg event is its own dialog: the owner gets a
// full-state NOTIFY at once, a partial one when a phone registers (with its
// pub-gruu and temp-gruu), and a terminal one when it unsubscribes. A
// stranger is refused, and an INVITE inside the subscription dialog gets 603.
func TestRegEvent(t *testing.T) {
	t.Parallel()
	n := registrarNode(t)
	watcher := phone.New(t, "bob")

	if res, _ := watcher.Subscribe(n.SIPAddr, "sip:bob@example.test", "carol", "secret", 600); res.StatusCode != 403 {
		t.Errorf("carol watching bob: %d, want 403", res.StatusCode)
	}
	res, d := watcher.Subscribe(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600)
	if res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %d %s", res.StatusCode, res.Reason)
	}
	full := d.ExpectRequest(sip.NOTIFY, wait)
	full.OK(nil)
	body := string(full.Body())
	if header(full.Req, "Event") != "reg" || !strings.HasPrefix(header(full.Req, "Subscription-State"), "active") ||
		header(full.Req, "Content-Type") != "application/reginfo+xml" || !strings.Contains(body, `state="full"`) {
		t.Fatalf("first NOTIFY: %s %s %s\n%s", header(full.Req, "Event"), header(full.Req, "Subscription-State"), header(full.Req, "Content-Type"), body)
	}

	desk := phone.New(t, "desk")
	if r := desk.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600,
		`+sip.instance="<urn:uuid:00000000-0000-4000-8000-0000000000aa>"`, sip.NewHeader("Supported", "gruu")); r.StatusCode != 200 {
		t.Fatalf("REGISTER: %d", r.StatusCode)
	}
	part := d.ExpectRequest(sip.NOTIFY, wait)
	part.OK(nil)
	body = string(part.Body())
	for _, want := range []string{`state="partial"`, desk.Addr(), "pub-gruu", "temp-gruu"} {
		if !strings.Contains(body, want) {
			t.Errorf("partial NOTIFY lacks %q:\n%s", want, body)
		}
	}

	// a second usage inside the subscription's dialog is refused
	if r := d.Request(sip.INVITE, watcher.SDP(phone.SendRecv)).Final(wait); r.StatusCode != 603 {
		t.Errorf("INVITE in the subscription dialog: %d, want 603", r.StatusCode)
	}

	// unsubscribe: 200, then a terminal NOTIFY
	un := d.Request(sip.SUBSCRIBE, nil, sip.NewHeader("Event", "reg"), sip.NewHeader("Expires", "0"))
	if r := un.Final(wait); r.StatusCode != 200 {
		t.Fatalf("unsubscribe: %d", r.StatusCode)
	}
	last := d.ExpectRequest(sip.NOTIFY, wait)
	last.OK(nil)
	if s := header(last.Req, "Subscription-State"); !strings.HasPrefix(s, "terminated") {
		t.Errorf("last NOTIFY state %q, want terminated", s)
	}
}
