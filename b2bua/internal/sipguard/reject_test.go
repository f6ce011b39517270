package sipguard

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// genTag matches a To-tag BuildReject generated.
var genTag = regexp.MustCompile(`;tag=[0-9a-f]{16}\r\n`)

func TestBuildReject(t *testing.T) {
	const tail = "Content-Length: 0\r\n\r\n"
	tests := []struct {
		name   string
		data   string
		code   int
		reason string
		want   string // "" when ok must be false; ";tag=TAG" marks a generated tag
	}{
		{
			name: "long forms",
			data: "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
				"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
				"To: <sip:bob@example.com>\r\n" +
				"From: <sip:alice@example.com>;tag=a1\r\n" +
				"Call-ID: c1@example.com\r\n" +
				"CSeq: 1 OPTIONS\r\n" +
				"Content-Length: 0\r\n\r\n",
			code: 400, reason: "Missing Max-Forwards",
			want: "SIP/2.0 400 Missing Max-Forwards\r\n" +
				"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
				"From: <sip:alice@example.com>;tag=a1\r\n" +
				"To: <sip:bob@example.com>;tag=TAG\r\n" +
				"Call-ID: c1@example.com\r\n" +
				"CSeq: 1 OPTIONS\r\n" + tail,
		},
		{
			name: "compact forms, odd case and space before colon",
			data: "INVITE sip:bob@example.com SIP/2.0\r\n" +
				"v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
				"V : SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK2, SIP/2.0/UDP 192.0.2.3\r\n" +
				"vIA  :SIP/2.0/UDP 192.0.2.4\r\n" +
				"f: sip:alice@example.com;tag=a1\r\n" +
				"T: sip:bob@example.com\r\n" +
				"I: c1@example.com\r\n" +
				"cseq: 1 INVITE\r\n" +
				"l: 0\r\n\r\n",
			code: 400, reason: "x",
			want: "SIP/2.0 400 x\r\n" +
				"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
				"Via: SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK2, SIP/2.0/UDP 192.0.2.3\r\n" +
				"Via: SIP/2.0/UDP 192.0.2.4\r\n" +
				"From: sip:alice@example.com;tag=a1\r\n" +
				"To: sip:bob@example.com;tag=TAG\r\n" +
				"Call-ID: c1@example.com\r\n" +
				"CSeq: 1 INVITE\r\n" + tail,
		},
		{
			name: "folded lines and an existing spaced tag",
			data: "INVITE sip:bob@example.com SIP/2.0\r\n" +
				"TO :\r\n sip:bob@example.com ;   tag    = 1918181833n\r\n" +
				"Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n" +
				"cseq: 0009\r\n  INVITE\r\n" +
				"Call-ID: c1\r\n" +
				"From: <sip:a@example.com>\r\n\t;\r\n  tag = 98asjd8\r\n\r\nbody",
			code: 400, reason: "x",
			want: "SIP/2.0 400 x\r\n" +
				"Via: SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw\r\n" +
				"From: <sip:a@example.com> ; tag = 98asjd8\r\n" +
				"To: sip:bob@example.com ;   tag    = 1918181833n\r\n" +
				"Call-ID: c1\r\n" +
				"CSeq: 0009 INVITE\r\n" + tail,
		},
		{
			name: "bare LF line ends, no blank line, leading CRLF",
			data: "\r\nBYE sip:bob@example.com SIP/2.0\n" +
				"Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK1\n" +
				"To: <sip:bob@example.com>;tag=b\n" +
				"CSeq: 2 BYE",
			code: 400, reason: "",
			want: "SIP/2.0 400 Bad Request\r\n" +
				"Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK1\r\n" +
				"To: <sip:bob@example.com>;tag=b\r\n" +
				"CSeq: 2 BYE\r\n" + tail,
		},
		{
			name: "duplicates: first From, To, Call-ID and CSeq win; body ignored",
			data: "INVITE sip:bob@example.com SIP/2.0\r\n" +
				"Via: SIP/2.0/UDP h1\r\n" +
				"From: <sip:a@x>;tag=1\r\nFrom: <sip:b@x>;tag=2\r\n" +
				"To: <sip:c@x>;tag=3\r\nTo: <sip:d@x>\r\n" +
				"Call-ID: one\r\ni: two\r\n" +
				"CSeq: 1 INVITE\r\nCSeq: 2 INVITE\r\n" +
				"\r\nVia: SIP/2.0/UDP body\r\n",
			code: 400, reason: "Duplicate From",
			want: "SIP/2.0 400 Duplicate From\r\n" +
				"Via: SIP/2.0/UDP h1\r\n" +
				"From: <sip:a@x>;tag=1\r\n" +
				"To: <sip:c@x>;tag=3\r\n" +
				"Call-ID: one\r\n" +
				"CSeq: 1 INVITE\r\n" + tail,
		},
		{
			name: "tag in the URI is not a To-tag",
			data: "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n" +
				"To: \"x;tag=1\" <sip:bob@example.com;tag=2>;tagx=3\r\n\r\n",
			code: 416, reason: "Unsupported URI Scheme",
			want: "SIP/2.0 416 Unsupported URI Scheme\r\nVia: SIP/2.0/UDP h1\r\n" +
				"To: \"x;tag=1\" <sip:bob@example.com;tag=2>;tagx=3;tag=TAG\r\n" + tail,
		},
		{
			name: "malformed request line still answered",
			data: "INVITE  sip:user@example.com  SIP/2.0  \r\nVia: SIP/2.0/UDP h1\r\n\r\n",
			code: 400, reason: "Bad Request",
			want: "SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP h1\r\n" + tail,
		},
		{
			name: "reason sanitised and cut",
			data: "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n\r\n",
			code: 400, reason: "  bad\r\nVia: injected\x00 \xff" + strings.Repeat("y", 200),
			want: "SIP/2.0 400 bad Via: injected " + strings.Repeat("y", maxReasonLen-len("bad Via: injected ")) + "\r\n" +
				"Via: SIP/2.0/UDP h1\r\n" + tail,
		},
		{
			name: "code below 400 forced to 400",
			data: "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n\r\n",
			code: 200, reason: "",
			want: "SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP h1\r\n" + tail,
		},
		{
			name: "505 default phrase",
			data: "OPTIONS sip:b SIP/7.0\r\nVia: SIP/7.0/UDP h1\r\n\r\n",
			code: 505,
			want: "SIP/2.0 505 Version Not Supported\r\nVia: SIP/7.0/UDP h1\r\n" + tail,
		},
		{
			name: "extension method",
			data: "!interesting-Method0123456789_*+`.%indeed'~ sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h1\r\n\r\n",
			code: 400,
			want: "SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/TCP h1\r\n" + tail,
		},

		{name: "no Via", data: "OPTIONS sip:b SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: c\r\n\r\n", code: 400},
		{name: "empty Via", data: "OPTIONS sip:b SIP/2.0\r\nVia:   \r\nCall-ID: c\r\n\r\n", code: 400},
		{name: "Via only in body", data: "OPTIONS sip:b SIP/2.0\r\nCall-ID: c\r\n\r\nVia: SIP/2.0/UDP h1\r\n", code: 400},
		{name: "ACK", data: "ACK sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n\r\n", code: 400},
		{name: "ack in lower case", data: "ack sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n\r\n", code: 400},
		{name: "response", data: "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h1\r\n\r\n", code: 400},
		{name: "no version", data: "INVITE sip:alan@jasomi.com\r\nVia: SIP/2.0/UDP h1\r\n\r\n", code: 400},
		{name: "HTTP", data: "GET / HTTP/1.1\r\nVia: 1.1 proxy\r\n\r\n", code: 400},
		{name: "method not a token", data: "IN<VITE sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\n\r\n", code: 400},
		{name: "binary", data: "\x00\x01\x00\x00!\x12\xa4B", code: 400},
		{name: "empty", data: "", code: 400},
		{name: "CRLF only", data: "\r\n\r\n", code: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, ok := BuildReject([]byte(tt.data), tt.code, tt.reason)
			if tt.want == "" {
				if ok || resp != nil {
					t.Fatalf("BuildReject = %q, %v; want nil, false", resp, ok)
				}
				return
			}
			if !ok {
				t.Fatalf("BuildReject: ok = false")
			}
			got := string(resp)
			if strings.Contains(tt.want, ";tag=TAG") {
				got = genTag.ReplaceAllString(got, ";tag=TAG\r\n")
			}
			if got != tt.want {
				t.Fatalf("BuildReject =\n%q\nwant\n%q", got, tt.want)
			}
			checkWellFormedReject(t, resp)
		})
	}
}

// checkWellFormedReject checks the framing every reject must have: one
// status line, CRLF-terminated lines without stray CR or LF, a final
// Content-Length: 0 and the blank line.
func checkWellFormedReject(t *testing.T, resp []byte) {
	t.Helper()
	if !bytes.HasPrefix(resp, []byte("SIP/2.0 ")) || !bytes.HasSuffix(resp, []byte("\r\nContent-Length: 0\r\n\r\n")) {
		t.Fatalf("reject framing: %q", resp)
	}
	lines := strings.Split(strings.TrimSuffix(string(resp), "\r\n\r\n"), "\r\n")
	for _, l := range lines {
		if l == "" || strings.ContainsAny(l, "\r\n") {
			t.Fatalf("reject line %q in %q", l, resp)
		}
	}
	code := lines[0][len("SIP/2.0 "):]
	if len(code) < 4 || code[0] < '4' || code[0] > '6' || code[3] != ' ' {
		t.Fatalf("reject status line %q", lines[0])
	}
}

func TestBuildRejectTag(t *testing.T) {
	req := []byte(baseInvite)
	a, _ := BuildReject(req, 400, "x")
	b, _ := BuildReject(req, 400, "x")
	if !bytes.Equal(a, b) {
		t.Fatalf("a retransmission got another To-tag:\n%s\n%s", a, b)
	}
	other, _ := BuildReject([]byte(strings.Replace(baseInvite, "a84b4c76e66710", "b84b4c76e66710", 1)), 400, "x")
	if genTag.FindString(string(a)) == genTag.FindString(string(other)) {
		t.Fatalf("two requests got the same To-tag")
	}

	// The reject of a well-formed request is well-formed SIP, which sipgo
	// parses back with every copied header intact.
	msg, err := sip.ParseMessage(a)
	if err != nil {
		t.Fatalf("sip.ParseMessage(reject): %v\n%s", err, a)
	}
	resp := msg.(*sip.Response)
	r := parseRequest(t, baseInvite)
	if resp.StatusCode != 400 || resp.Via().Value() != r.Via().Value() ||
		resp.From().Value() != r.From().Value() || resp.CallID().Value() != r.CallID().Value() ||
		resp.CSeq().Value() != r.CSeq().Value() || resp.To().Address.String() != r.To().Address.String() {
		t.Fatalf("reject does not echo the request:\n%s", a)
	}
	if tag, _ := resp.To().Params.Get("tag"); tag == "" {
		t.Fatalf("reject has no To-tag:\n%s", a)
	}
}

func TestRequestLine(t *testing.T) {
	tests := []struct {
		line                 string
		method, uri, version string
		ok                   bool
	}{
		{"INVITE sip:b@x SIP/2.0", "INVITE", "sip:b@x", "SIP/2.0", true},
		{"INVITE  sip:b@x  SIP/2.0  ", "INVITE", "sip:b@x", "SIP/2.0", true},
		{"INVITE sip:b@x; lr SIP/2.0", "INVITE", "sip:b@x; lr", "SIP/2.0", true},
		{"OPTIONS sip:b SIP/7.0", "OPTIONS", "sip:b", "SIP/7.0", true},
		{"INVITE SIP/2.0", "INVITE", "", "SIP/2.0", true},
		{"INVITE sip:b@x", "", "", "", false},
		{"SIP/2.0 200 OK", "", "", "", false},
		{"GET / HTTP/1.1", "", "", "", false},
		{"", "", "", "", false},
	}
	for _, tt := range tests {
		m, u, v, ok := requestLine([]byte(tt.line))
		if string(m) != tt.method || string(u) != tt.uri || string(v) != tt.version || ok != tt.ok {
			t.Errorf("requestLine(%q) = %q %q %q %v", tt.line, m, u, v, ok)
		}
	}
}

func TestClassifyUnparsable(t *testing.T) {
	tests := []struct {
		line string
		code int
	}{
		{"OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0", 416},
		{"OPTIONS nobodyKnowsThisScheme:x SIP/2.0", 416},
		{"INVITE <sip:user@example.com> SIP/2.0", 400},
		{"INVITE sip:user@example.com; lr SIP/2.0", 400},
		{"INVITE sip:user@example.com SIP/2.0  ", 400},
		{"INVITE sip:user@example.com SIP/3.0", 505},
		{"INVITE sip:user@example.com SIP/x", 400},
		{"INVITE tel:+1555 SIP/2.0", 400},
	}
	for _, tt := range tests {
		if code, _ := classifyUnparsable([]byte(tt.line), errTest); code != tt.code {
			t.Errorf("classifyUnparsable(%q) = %d, want %d", tt.line, code, tt.code)
		}
	}
}

var errTest = errString("test")

type errString string

func (e errString) Error() string { return string(e) }
