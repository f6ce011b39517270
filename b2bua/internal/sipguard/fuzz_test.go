package sipguard

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// addCorpusSeeds adds every torture message, the package's own examples and
// a few edge cases as seeds.
func addCorpusSeeds(f *testing.F, add func(data []byte)) {
	if dir := tortureDirOrEmpty(); dir != "" {
		for _, tt := range tortureTable {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				f.Fatal(err)
			}
			add(raw)
			if strings.HasPrefix(tt.file, "rfc5118/") {
				add(wireForm(raw))
			}
		}
	}
	for _, s := range []string{
		baseInvite, string(typicalInvite), "", "\r\n\r\n", "\x00\x00",
		"ACK sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n",
		"OPTIONS sip:b SIP/2.0\r\nv: a\r\n b\r\n\tc\r\nt: \"x\\\"\" <sip:a>;tag\r\n\r\n",
		"INVITE sip:b SIP/2.0\nVia: x\nTo: <\n",
		"INVITE sip:b SIP/2.0\r\nVia: \"\r\nTo: \"\\",
	} {
		add([]byte(s))
	}
}

// FuzzBuildReject: BuildReject never panics, and whatever it builds is one
// well-framed response with at least one Via.
func FuzzBuildReject(f *testing.F) {
	addCorpusSeeds(f, func(data []byte) { f.Add(data, 400, "Bad Request") })
	f.Add([]byte(baseInvite), 0, "\r\n")
	f.Add([]byte(baseInvite), 1<<40, strings.Repeat("\xff", 300))
	f.Fuzz(func(t *testing.T, data []byte, code int, reason string) {
		resp, ok := BuildReject(data, code, reason)
		if !ok {
			if resp != nil {
				t.Fatalf("ok = false with a response %q", resp)
			}
			return
		}
		checkWellFormedReject(t, resp)
		if !bytes.Contains(resp, []byte("\r\nVia: ")) {
			t.Fatalf("reject without Via: %q", resp)
		}
		if got := bytes.Count(resp, []byte("\r\nContent-Length: ")); got != 1 {
			t.Fatalf("%d Content-Length headers: %q", got, resp)
		}
		if len(resp) > 2*len(data)+256 {
			t.Fatalf("reject of %d bytes for %d bytes of request", len(resp), len(data))
		}
	})
}

// FuzzValidate parses with sip.ParseMessage (through parse, which turns a
// parser panic into an error, as the PacketConn does) and runs everything
// the PacketConn runs on the result: Validate, the raw checks, the response
// checks and, for a refusal, BuildReject. None may panic, and a rejection
// always carries a 4xx/5xx code and a one-line reason.
func FuzzValidate(f *testing.F) {
	addCorpusSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := parse(sip.NewParser(), data)
		if err != nil {
			start, _ := newHeaderScanner(data)
			code, phrase := classifyUnparsable(start, err)
			if code != 400 && code != 416 && code != 505 {
				t.Fatalf("classifyUnparsable = %d", code)
			}
			if resp, ok := BuildReject(data, code, phrase); ok {
				checkWellFormedReject(t, resp)
			}
			return
		}
		switch m := msg.(type) {
		case *sip.Response:
			_ = checkResponse(m)
		case *sip.Request:
			rej := Validate(m)
			if rej == nil {
				rej = checkRaw(data)
			}
			if rej == nil {
				return
			}
			if rej.Code < 400 || rej.Code > 599 || rej.Reason == "" || strings.ContainsAny(rej.Reason, "\r\n") {
				t.Fatalf("bad Reject %+v", rej)
			}
			if resp, ok := BuildReject(data, rej.Code, rej.Reason); ok {
				checkWellFormedReject(t, resp)
			}
		}
	})
}

// FuzzPacketConn drives the whole admission path of ReadFrom over an
// in-memory conn: it must not panic, and it returns a datagram only when
// the datagram parses.
func FuzzPacketConn(f *testing.F) {
	addCorpusSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &packetConn{PacketConn: discardConn{}, parser: sip.NewParser()}
		from := &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 5060}
		if !c.admit(data, from) || isKeepAlive(data) {
			return
		}
		if _, err := sip.ParseMessage(data); err != nil {
			t.Fatalf("admitted a datagram sipgo cannot parse: %v", err)
		}
	})
}

// discardConn swallows the rejects FuzzPacketConn makes.
type discardConn struct{ net.PacketConn }

func (discardConn) WriteTo(p []byte, _ net.Addr) (int, error) { return len(p), nil }
