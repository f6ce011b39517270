package sipguard

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// baseInvite is a well-formed INVITE; each Validate row edits it.
const baseInvite = "INVITE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@example.com>\r\n" +
	"From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Contact: <sip:alice@192.0.2.1>\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Length: 4\r\n" +
	"\r\n" +
	"v=0\n"

// edit returns baseInvite with each old string replaced by the following
// new string; an empty new string removes the line holding old.
func edit(pairs ...string) string {
	s := baseInvite
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic("edit: " + pairs[i] + " not in baseInvite")
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func parseRequest(t *testing.T, raw string) *sip.Request {
	t.Helper()
	msg, err := sip.ParseMessage([]byte(raw))
	if err != nil {
		t.Fatalf("sip.ParseMessage: %v\n%s", err, raw)
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		t.Fatalf("not a request: %T", msg)
	}
	return req
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		code   int    // 0: accepted
		reason string // checked when code != 0
	}{
		{name: "well-formed INVITE", raw: baseInvite},
		{name: "no Max-Forwards (RFC 2543 peer)", raw: edit("Max-Forwards: 70\r\n", "")},
		{name: "Max-Forwards 0", raw: edit("Max-Forwards: 70", "Max-Forwards: 0")},
		{name: "Max-Forwards 255", raw: edit("Max-Forwards: 70", "Max-Forwards: 255")},
		{name: "Max-Forwards 256", raw: edit("Max-Forwards: 70", "Max-Forwards: 256"), code: 400, reason: "Max-Forwards Out Of Range"},
		{name: "branch without magic cookie", raw: edit("branch=z9hG4bK776asdhds", "branch=1")},
		{name: "branch absent", raw: edit(";branch=z9hG4bK776asdhds", "")},
		{name: "branch is the bare cookie", raw: edit("branch=z9hG4bK776asdhds", "branch=z9hG4bK")},
		{name: "lower-case version", raw: edit("SIP/2.0\r\nVia", "sip/2.0\r\nVia")},

		{name: "version SIP/3.0", raw: edit("SIP/2.0\r\nVia", "SIP/3.0\r\nVia"), code: 505, reason: "Version Not Supported"},
		{name: "version SIP/2.00", raw: edit("SIP/2.0\r\nVia", "SIP/2.00\r\nVia"), code: 505, reason: "Version Not Supported"},

		{name: "method not a token", raw: edit("INVITE sip:bob", "INV<ITE sip:bob", "314159 INVITE", "314159 INV<ITE"), code: 400, reason: "Invalid Method"},
		{name: "extension method", raw: edit("INVITE sip:bob", "FOO sip:bob", "314159 INVITE", "314159 FOO")},

		{name: "sips Request-URI", raw: edit("INVITE sip:bob", "INVITE sips:bob")},
		{name: "tel Request-URI", raw: edit("INVITE sip:bob@example.com SIP", "INVITE tel:+15551234567 SIP")},
		{name: "unknown scheme", raw: edit("INVITE sip:bob@example.com SIP", "INVITE nobodyKnowsThisScheme:opaque SIP"), code: 416, reason: "Unsupported URI Scheme"},
		{name: "http scheme", raw: edit("INVITE sip:bob@example.com SIP", "INVITE http://example.com/ SIP"), code: 416, reason: "Unsupported URI Scheme"},
		{name: "tel without number", raw: edit("INVITE sip:bob@example.com SIP", "INVITE tel: SIP"), code: 400, reason: "Invalid Request-URI"},
		{name: "sip URI without host", raw: edit("INVITE sip:bob@example.com SIP", "INVITE sip:bob@ SIP"), code: 400, reason: "Invalid Request-URI"},
		{name: "headers in Request-URI", raw: edit("INVITE sip:bob@example.com SIP", "INVITE sip:bob@example.com?Route=%3Csip:example.com%3E SIP"), code: 400, reason: "Headers In Request-URI"},

		{name: "missing Via", raw: edit("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n", ""), code: 400, reason: "Missing Via"},
		{name: "missing From", raw: edit("From: Alice <sip:alice@example.com>;tag=1928301774\r\n", ""), code: 400, reason: "Missing From"},
		{name: "missing To", raw: edit("To: Bob <sip:bob@example.com>\r\n", ""), code: 400, reason: "Missing To"},
		{name: "missing Call-ID", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com\r\n", ""), code: 400, reason: "Missing Call-ID"},
		{name: "missing CSeq", raw: edit("CSeq: 314159 INVITE\r\n", ""), code: 400, reason: "Missing CSeq"},

		{name: "two Vias", raw: edit("Max-Forwards", "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKx\r\nMax-Forwards")},
		{name: "duplicate From", raw: edit("Max-Forwards", "From: <sip:eve@example.com>;tag=2\r\nMax-Forwards"), code: 400, reason: "Duplicate From"},
		{name: "duplicate To", raw: edit("Max-Forwards", "t: <sip:eve@example.com>\r\nMax-Forwards"), code: 400, reason: "Duplicate To"},
		{name: "duplicate Call-ID", raw: edit("Max-Forwards", "i: other@example.com\r\nMax-Forwards"), code: 400, reason: "Duplicate Call-ID"},
		{name: "duplicate CSeq", raw: edit("Max-Forwards", "CSeq: 314160 INVITE\r\nMax-Forwards"), code: 400, reason: "Duplicate CSeq"},
		{name: "duplicate Max-Forwards", raw: edit("Max-Forwards: 70", "Max-Forwards: 70\r\nMax-Forwards: 5"), code: 400, reason: "Duplicate Max-Forwards"},
		{name: "duplicate Content-Length", raw: edit("Content-Length: 4", "l: 4\r\nContent-Length: 4"), code: 400, reason: "Duplicate Content-Length"},
		{name: "duplicate Content-Type", raw: edit("Content-Type: application/sdp", "c: application/sdp\r\nContent-Type: text/plain"), code: 400, reason: "Duplicate Content-Type"},

		{name: "Via SIP/1.0", raw: edit("Via: SIP/2.0/UDP", "Via: SIP/1.0/UDP"), code: 400, reason: "Invalid Via"},
		{name: "Via not SIP", raw: edit("Via: SIP/2.0/UDP", "Via: XMPP/2.0/UDP"), code: 400, reason: "Invalid Via"},
		{name: "Call-ID with space", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: a84b4c76e667 10@pc33.example.com"), code: 400, reason: "Invalid Call-ID"},

		{name: "CSeq method mismatch", raw: edit("314159 INVITE", "314159 OPTIONS"), code: 400, reason: "CSeq Method Mismatch"},
		{name: "CSeq method differs in case only", raw: edit("314159 INVITE", "314159 invite")},
		{name: "ACK with CSeq ACK", raw: edit("INVITE sip:bob", "ACK sip:bob", "314159 INVITE", "314159 ACK")},
		{name: "ACK with CSeq INVITE", raw: edit("INVITE sip:bob", "ACK sip:bob"), code: 400, reason: "CSeq Method Mismatch"},
		{name: "CANCEL with CSeq CANCEL", raw: edit("INVITE sip:bob", "CANCEL sip:bob", "314159 INVITE", "314159 CANCEL")},
		{name: "CANCEL with CSeq INVITE", raw: edit("INVITE sip:bob", "CANCEL sip:bob"), code: 400, reason: "CSeq Method Mismatch"},

		{name: "Date in GMT", raw: edit("Max-Forwards", "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\nMax-Forwards")},
		{name: "Date in EST", raw: edit("Max-Forwards", "Date: Fri, 01 Jan 2010 16:00:00 EST\r\nMax-Forwards"), code: 400, reason: "Invalid Date"},

		{name: "wildcard Contact in INVITE", raw: edit("Contact: <sip:alice@192.0.2.1>", "Contact: *"), code: 400, reason: "Wildcard Contact Outside REGISTER"},
		{name: "wildcard Contact in REGISTER", raw: edit("INVITE sip:bob", "REGISTER sip:bob", "314159 INVITE", "314159 REGISTER", "Contact: <sip:alice@192.0.2.1>", "Contact: *\r\nExpires: 0")},
		{name: "Call-ID without host", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: a84b4c76e66710")},
		{name: "Call-ID with RFC 3261 word chars", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com", `Call-ID: w%ZK-!.*_+'@word`+"`~)(><:\\/\"][?}{")},
		{name: "Call-ID with two @", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: a@b@c"), code: 400, reason: "Invalid Call-ID"},
		{name: "Call-ID with comma", raw: edit("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: a,b@c"), code: 400, reason: "Invalid Call-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rej := Validate(parseRequest(t, tt.raw))
			if tt.code == 0 {
				if rej != nil {
					t.Fatalf("Validate = %v, want nil", rej)
				}
				return
			}
			if rej == nil || rej.Code != tt.code || rej.Reason != tt.reason {
				t.Fatalf("Validate = %v, want %d %s", rej, tt.code, tt.reason)
			}
		})
	}
}

// TestValidateContentLength covers a request that sip.Parser cannot
// produce (it refuses a body shorter than Content-Length) but code can.
func TestValidateContentLength(t *testing.T) {
	req := parseRequest(t, baseInvite)
	cl := sip.ContentLengthHeader(5)
	req.ReplaceHeader(&cl)
	if got := Validate(req); got == nil || got.Code != 400 || got.Reason != "Content-Length Exceeds Body" {
		t.Fatalf("Validate = %v, want 400 Content-Length Exceeds Body", got)
	}
	cl = 3 // shorter than the body: UDP receivers ignore the rest (RFC 3261 §18.3)
	if got := Validate(req); got != nil {
		t.Fatalf("Validate = %v, want nil", got)
	}
}

func TestValidateNil(t *testing.T) {
	if got := Validate(nil); got == nil || got.Code != 400 {
		t.Fatalf("Validate(nil) = %v, want 400", got)
	}
}

func TestValidateDoesNotAllocate(t *testing.T) {
	req := parseRequest(t, baseInvite)
	if n := testing.AllocsPerRun(100, func() { _ = Validate(req) }); n != 0 {
		t.Fatalf("Validate allocates %v times per call", n)
	}
	data := []byte(baseInvite)
	if n := testing.AllocsPerRun(100, func() { _ = checkRaw(data) }); n != 0 {
		t.Fatalf("checkRaw allocates %v times per call", n)
	}
}

// TestCheckRaw covers the defects only the raw bytes show. Every row parses
// with sip.Parser and passes Validate.
func TestCheckRaw(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		reason string // "" when accepted
	}{
		{name: "well-formed", raw: baseInvite},
		{name: "From list", raw: edit("From: Alice <sip:alice@example.com>;tag=1928301774", "From: <sip:a@example.com>;tag=1, <sip:b@example.com>;tag=2"), reason: "Duplicate From"},
		{name: "To list, compact", raw: edit("To: Bob <sip:bob@example.com>", "t: <sip:a@example.com>, <sip:b@example.com>"), reason: "Duplicate To"},
		{name: "comma in quoted display name", raw: edit("From: Alice", `From: "Bell, Alexander"`)},
		{name: "comma inside angle brackets", raw: edit("To: Bob <sip:bob@example.com>", "To: <sip:bob,x@example.com>")},
		{name: "Contact list", raw: edit("Contact: <sip:alice@192.0.2.1>", "Contact: <sip:a@192.0.2.1>, <sip:b@192.0.2.2>;q=0.5")},
		{name: "Contact headers in brackets", raw: edit("Contact: <sip:alice@192.0.2.1>", "m: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>")},
		{name: "Contact headers without brackets", raw: edit("Contact: <sip:alice@192.0.2.1>", "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E"), reason: "URI With Headers Not In Angle Brackets"},
		{name: "second Contact headers without brackets", raw: edit("Contact: <sip:alice@192.0.2.1>", "Contact: <sip:a@192.0.2.1>,sip:b@example.com?X=1"), reason: "URI With Headers Not In Angle Brackets"},
		{name: "folded From list", raw: edit("From: Alice <sip:alice@example.com>;tag=1928301774", "From: <sip:a@example.com>;tag=1,\r\n <sip:b@example.com>;tag=2"), reason: "Duplicate From"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rej := Validate(parseRequest(t, tt.raw)); rej != nil {
				t.Fatalf("Validate = %v; the row must pass it", rej)
			}
			rej := checkRaw([]byte(tt.raw))
			switch {
			case tt.reason == "" && rej != nil:
				t.Fatalf("checkRaw = %v, want nil", rej)
			case tt.reason != "" && (rej == nil || rej.Code != 400 || rej.Reason != tt.reason):
				t.Fatalf("checkRaw = %v, want 400 %s", rej, tt.reason)
			}
		})
	}
}
