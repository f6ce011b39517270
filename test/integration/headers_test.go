package integration

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/phone"
)

// injected matches a header line an attacker tried to smuggle in.
var injected = regexp.MustCompile(`(?i)(^|[\r\n])\s*X-(Injected|Evil)`)

// A header value with an embedded line break must not become a header of
// its own on the other leg, in either direction. The caller is a raw socket
// (the bytes are the test); the callee is a phone whose sipgo writes the
// reason phrase and header values it is given verbatim.
func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	n, _, b := setup(t)
	raw := phone.Raw(t)
	invite := func(callID, subject string) []byte {
		return raw.Request("INVITE", target(n, "bob"), callID, 1, []string{
			"From: <sip:raw@127.0.0.1>;tag=raw-" + callID,
			"To: <" + target(n, "bob") + ">",
			"Call-ID: " + callID,
			"CSeq: 1 INVITE",
			"Max-Forwards: 70",
			"Contact: <sip:raw@" + raw.Addr() + ">",
			subject,
		}, "")
	}

	// A bare CR cannot end a header line: the request does not parse and is
	// refused before it reaches the core.
	raw.Send(n.SIPAddr, invite("inj-cr", "Subject: cr\rX-Injected: cr"))
	if res := raw.ReadResponse("inj-cr", wait); res.StatusCode != 400 {
		t.Fatalf("bare CR in a header: %s, want 400", res.StartLine())
	}

	for _, tc := range []struct{ name, subject, want string }{
		{"bare LF", "Subject: lf\nX-Injected: lf", "lf"},
		{"folded", "Subject: fold\r\n X-Injected: fold", "fold"},
	} {
		callID := "inj-" + strings.ReplaceAll(tc.name, " ", "-")
		raw.Send(n.SIPAddr, invite(callID, tc.subject))
		in := b.NextInvite(wait)
		subj := header(in.Req, "Subject")
		t.Logf("%s: B sees Subject %q", tc.name, subj)
		if !strings.HasPrefix(subj, tc.want) || strings.ContainsAny(subj, "\r\n") {
			t.Errorf("%s: B's Subject %q", tc.name, subj)
		}
		for _, h := range in.Req.Headers() {
			if injected.MatchString(h.Name()) || strings.ContainsAny(h.Value(), "\r\n") {
				t.Errorf("%s: B's INVITE has %s: %q", tc.name, h.Name(), h.Value())
			}
		}
		if injected.MatchString(in.Req.String()) {
			t.Errorf("%s: injected line in B's INVITE:\n%s", tc.name, in.Req)
		}

		// The callee's reason phrase and an allowed header carry a bare LF
		// back: A must get them on one line each.
		in.Respond(486, "Busy\nX-Evil: reason", nil, sip.NewHeader("Subject", "busy\nX-Evil: header"))
		var res []byte
		for {
			res = raw.Read(wait)
			if bytes.HasPrefix(res, []byte("SIP/2.0 486 ")) {
				break
			}
			if !bytes.HasPrefix(res, []byte("SIP/2.0 1")) {
				t.Fatalf("%s: A got %q", tc.name, res)
			}
		}
		if injected.Match(res) || bytes.Contains(bytes.ReplaceAll(res, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s: A's 486 has a line break inside a value:\n%q", tc.name, res)
		}
		t.Logf("%s: A gets %q", tc.name, res[:bytes.Index(res, []byte("\r\n"))])
		msg, err := sip.ParseMessage(res)
		if err != nil {
			t.Fatalf("%s: A's 486 does not parse: %v", tc.name, err)
		}
		ack := raw.Request("ACK", target(n, "bob"), callID, 1, []string{
			"From: <sip:raw@127.0.0.1>;tag=raw-" + callID,
			"To: " + msg.(*sip.Response).To().Value(),
			"Call-ID: " + callID,
			"CSeq: 1 ACK",
			"Max-Forwards: 70",
		}, "")
		raw.Send(n.SIPAddr, ack)
	}
}
