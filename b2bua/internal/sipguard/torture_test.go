package sipguard

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The RFC 4475 and RFC 5118 torture messages are kept byte for byte in
// test/testdata/sip-torture (see its PROVENANCE.md). TANDEM_SIP_TORTURE
// overrides the path.
func tortureDirOrEmpty() string {
	dir := os.Getenv("TANDEM_SIP_TORTURE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "test", "testdata", "sip-torture")
	}
	if _, err := os.Stat(filepath.Join(dir, "PROVENANCE.md")); err != nil {
		return ""
	}
	return dir
}

func tortureDir(t *testing.T) string {
	t.Helper()
	dir := tortureDirOrEmpty()
	if dir == "" {
		t.Fatal("torture corpus not found in test/testdata/sip-torture; set TANDEM_SIP_TORTURE to its directory")
	}
	return dir
}

type outcome int

const (
	passed   outcome = iota // returned to sipgo byte for byte
	answered                // refused; the sender gets code back
	dropped                 // refused without an answer; category says why
)

// tortureTable classifies every file of both archives. A test fails when a
// file is missing here, so a new file cannot go untested.
var tortureTable = []struct {
	file     string
	want     outcome
	code     int    // answered
	category string // the onReject category for answered and dropped
	why      string
}{
	// RFC 4475 §3.1.1: valid messages the parser must accept.
	{file: "rfc4475/wsinv.dat", why: "§3.1.1.1 short tortuous INVITE: folding, odd spacing, case"},
	{file: "rfc4475/intmeth.dat", why: "§3.1.1.2 wide range of valid characters"},
	{file: "rfc4475/esc01.dat", why: "§3.1.1.3 valid use of % escaping"},
	{file: "rfc4475/escnull.dat", why: "§3.1.1.4 escaped nulls in URIs"},
	{file: "rfc4475/esc02.dat", why: "§3.1.1.5 %-escaped method and header name"},
	{file: "rfc4475/lwsdisp.dat", why: "§3.1.1.6 no LWS between display name and <"},
	{file: "rfc4475/longreq.dat", why: "§3.1.1.7 long values, 34 Vias"},
	{file: "rfc4475/dblreq.dat", why: "§3.1.1.8 two requests in one datagram: sipgo takes the first"},
	{file: "rfc4475/semiuri.dat", why: "§3.1.1.9 semicolon-separated parameters in the userinfo"},
	{file: "rfc4475/transports.dat", why: "§3.1.1.10 unknown Via transports"},
	{file: "rfc4475/mpart01.dat", why: "§3.1.1.11 multipart MIME body with binary part"},
	{file: "rfc4475/unreason.dat", why: "§3.1.1.12 response with UTF-8 reason phrase"},
	{file: "rfc4475/noreason.dat", why: "§3.1.1.13 response with empty reason phrase"},

	// RFC 4475 §3.1.2: invalid messages.
	{file: "rfc4475/badinv01.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.1 ;;,;,, in Via: sipgo's parser refuses it"},
	{file: "rfc4475/clerr.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.2 Content-Length 9999 > body"},
	{file: "rfc4475/ncl.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.3 negative Content-Length"},
	{file: "rfc4475/scalar02.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.4 CSeq > 2**32-1"},
	{file: "rfc4475/scalarlg.dat", want: dropped, category: catMalformedResponse, why: "§3.1.2.5 response with overlarge CSeq: responses are never answered (RFC 3261 §18.1.2)"},
	{file: "rfc4475/quotbal.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.6 unterminated quoted display name"},
	{file: "rfc4475/ltgtruri.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.7 <> around the Request-URI"},
	{file: "rfc4475/lwsruri.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.8 LWS inside the Request-URI"},
	{file: "rfc4475/lwsstart.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.9 two SP between Request-Line elements"},
	{file: "rfc4475/trws.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.10 SP after the SIP-Version"},
	{file: "rfc4475/escruri.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.1.2.11 headers component in the Request-URI: Validate"},
	{file: "rfc4475/baddate.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.1.2.12 Date in EST: Validate"},
	{file: "rfc4475/regbadct.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.1.2.13 Contact URI with headers, no <>: raw check"},
	{file: "rfc4475/badaspec.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.14 spaces inside the addr-spec"},
	{file: "rfc4475/baddn.dat", want: answered, code: 400, category: catMalformedRequest, why: "§3.1.2.15 non-token display name; also no blank line ending the headers"},
	{file: "rfc4475/badvers.dat", want: answered, code: 505, category: catInvalidRequest, why: "§3.1.2.16 SIP/7.0: Validate"},
	{file: "rfc4475/mismatch01.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.1.2.17 CSeq method differs: Validate"},
	{file: "rfc4475/mismatch02.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.1.2.18 unknown method, CSeq differs: Validate (400 allowed beside 501)"},
	{file: "rfc4475/bigcode.dat", want: dropped, category: catMalformedResponse, why: "§3.1.2.19 status code 4294967301: responses are never answered"},

	// RFC 4475 §3.2 and §3.3: valid syntax with transaction or application
	// semantics to act on; they go to sipgo and Tandem's handlers, except
	// the ones that must get a 4xx whatever the application.
	{file: "rfc4475/badbranch.dat", why: "§3.2.1 branch is the bare magic cookie: parsers must not break"},
	{file: "rfc4475/insuf.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.3.1 no From, To, Call-ID: Validate"},
	{file: "rfc4475/unkscm.dat", want: answered, code: 416, category: catInvalidRequest, why: "§3.3.2 unknown Request-URI scheme: Validate"},
	{file: "rfc4475/novelsc.dat", want: answered, code: 416, category: catMalformedRequest, why: "§3.3.3 soap.beep Request-URI: sipgo's parser refuses it; Tandem routes no such scheme, so 416 as §3.3.3 allows"},
	{file: "rfc4475/unksm2.dat", why: "§3.3.4 unknown schemes in To/From/Contact: syntactically valid; the registrar answers 400"},
	{file: "rfc4475/bext01.dat", why: "§3.3.5 unknown Require/Proxy-Require: the application answers 420"},
	{file: "rfc4475/invut.dat", why: "§3.3.6 unknown Content-Type: the application answers 415"},
	{file: "rfc4475/regaut01.dat", why: "§3.3.7 unknown authorization scheme: for the registrar"},
	{file: "rfc4475/multi01.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.3.8 two From, To, Call-ID, CSeq: Validate"},
	{file: "rfc4475/mcl01.dat", want: answered, code: 400, category: catInvalidRequest, why: "§3.3.9 two Content-Length: Validate"},
	{file: "rfc4475/bcast.dat", why: "§3.3.10 200 with broadcast Via sent-by: a valid response; sipgo drops what it cannot match"},
	{file: "rfc4475/zeromf.dat", why: "§3.3.11 Max-Forwards 0: valid; the application must not forward it"},
	{file: "rfc4475/cparam01.dat", why: "§3.3.12 Contact header parameter without <>"},
	{file: "rfc4475/cparam02.dat", why: "§3.3.13 Contact URI parameter in <>"},
	{file: "rfc4475/regescrt.dat", why: "§3.3.14 Contact URI with escaped headers in <>"},
	{file: "rfc4475/sdp01.dat", why: "§3.3.15 unacceptable Accept: the application answers 406"},

	// RFC 4475 §3.4: backward compatibility.
	{file: "rfc4475/inv2543.dat", why: "§3.4.1 RFC 2543 INVITE: no branch, no Max-Forwards, accepted"},

	// In the archive, referenced by no section.
	{file: "rfc4475/test.dat", want: dropped, category: catNotSIP, why: "no SIP-Version in the Request-Line and no Via: nothing to answer"},

	// RFC 5118, converted to wire form (see wireForm).
	{file: "rfc5118/ipv6-good", why: "§4.1 IPv6 reference"},
	{file: "rfc5118/ipv6-bad", want: answered, code: 400, category: catMalformedRequest, why: "§4.2 IPv6 Request-URI without brackets"},
	{file: "rfc5118/port-ambiguous", why: "§4.3 [2001:db8::10:5070] is a valid IPv6 reference"},
	{file: "rfc5118/port-unambiguous", why: "§4.4 [2001:db8::10]:5070"},
	{file: "rfc5118/via-received-param-with-delim", why: "§4.5 received=[IPv6]"},
	{file: "rfc5118/via-received-param-no-delim", why: "§4.5 received=IPv6 without brackets: accepted too"},
	{file: "rfc5118/ipv6-in-sdp", why: "§4.6 IPv6 in SDP"},
	{file: "rfc5118/mult-ip-in-header", why: "§4.7 IPv4 and IPv6 Vias"},
	{file: "rfc5118/mult-ip-in-sdp", why: "§4.8 IPv4 and IPv6 in SDP"},
	{file: "rfc5118/ipv4-mapped-ipv6", why: "§4.9 IPv4-mapped IPv6 addresses"},
	{file: "rfc5118/ipv6-correct-abnf-2-colons", why: "§4.10 the correct two-colon form"},
	{file: "rfc5118/ipv6-bug-abnf-3-colons", why: "§4.10 the three-colon form RFC 3261's ABNF allowed: accepted for robustness (RFC 5954 fixed the ABNF)"},
}

// wireForm turns an RFC 5118 archive file into the datagram a peer would
// send (PROVENANCE.md): CRLF line ends, a blank line after the headers (the
// two §4.10 files have none) and a Content-Length that matches the body
// (wrong in the three SDP files).
func wireForm(raw []byte) []byte {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, body, found := strings.Cut(s, "\n\n")
	if !found {
		head, body = strings.TrimRight(s, "\n"), ""
	}
	body = strings.ReplaceAll(body, "\n", "\r\n")
	lines := strings.Split(head, "\n")
	for i, l := range lines {
		if name, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			lines[i] = "Content-Length: " + strconv.Itoa(len(body))
		}
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n" + body)
}

// provenanceHashes reads the sha256 list of PROVENANCE.md.
func provenanceHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "PROVENANCE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			sums[m[2]] = m[1]
		}
	}
	return sums
}

func TestTorture(t *testing.T) {
	dir := tortureDir(t)
	sums := provenanceHashes(t, dir)

	var onDisk []string
	for _, sub := range []string{"rfc4475", "rfc5118"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			onDisk = append(onDisk, sub+"/"+e.Name())
		}
	}
	var inTable []string
	for _, tt := range tortureTable {
		inTable = append(inTable, tt.file)
	}
	sort.Strings(onDisk)
	sort.Strings(inTable)
	if strings.Join(onDisk, "\n") != strings.Join(inTable, "\n") {
		t.Fatalf("tortureTable does not list exactly the corpus files:\non disk: %v\nin table: %v", onDisk, inTable)
	}

	h := startGuard(t)
	for _, tt := range tortureTable {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(raw)
			if want := sums[tt.file]; hex.EncodeToString(sum[:]) != want {
				t.Fatalf("sha256 %x differs from PROVENANCE.md %s: the corpus must be byte-exact", sum, want)
			}
			data := raw
			if strings.HasPrefix(tt.file, "rfc5118/") {
				data = wireForm(raw)
			}

			client := h.dial(t)
			h.send(t, client, data)
			switch tt.want {
			case passed:
				h.expectPassed(t, client, data)
			case answered:
				h.expectReject(t, client, tt.category)
				resp := h.readReply(t, client)
				checkReject(t, data, resp, tt.code)
			case dropped:
				h.expectReject(t, client, tt.category)
				h.expectNoReplyBefore(t, client)
			}
		})
	}

	// Still serving after the whole corpus.
	client := h.dial(t)
	h.send(t, client, []byte(baseInvite))
	h.expectPassed(t, client, []byte(baseInvite))
}

// checkReject checks the answer to request data: the status code, and that
// it echoes the request's Call-ID and CSeq, carries a To-tag when the
// request had a To, and ends with Content-Length: 0.
func checkReject(t *testing.T, data, resp []byte, code int) {
	t.Helper()
	checkWellFormedReject(t, resp)
	if want := "SIP/2.0 " + strconv.Itoa(code) + " "; !bytes.HasPrefix(resp, []byte(want)) {
		t.Fatalf("reject status line: got %q, want %q...", firstLine(resp), want)
	}
	if cid := headerValue(data, "call-id", "i"); cid != "" && headerValue(resp, "call-id", "i") != cid {
		t.Errorf("reject Call-ID %q, request %q", headerValue(resp, "call-id", "i"), cid)
	}
	if cs := headerValue(data, "cseq", ""); cs != "" && headerValue(resp, "cseq", "") != strings.Join(strings.Fields(cs), " ") {
		t.Errorf("reject CSeq %q, request %q", headerValue(resp, "cseq", ""), cs)
	}
	if headerValue(data, "to", "t") != "" && !strings.Contains(headerValue(resp, "to", "t"), "tag") {
		t.Errorf("reject To has no tag: %q", headerValue(resp, "to", "t"))
	}
	if headerValue(resp, "via", "v") == "" {
		t.Errorf("reject has no Via")
	}
	// sipgo must read it back wherever the copied headers are well-formed.
	if msg, err := sip.ParseMessage(resp); err == nil {
		r, ok := msg.(*sip.Response)
		if !ok || r.StatusCode != code {
			t.Errorf("sipgo reads the reject as %v", msg)
		}
	}
}

// headerValue returns the first value of a header in a message, given its
// long and compact names, by plain line splitting: an oracle independent of
// the package's scanner. Folded lines are joined.
func headerValue(msg []byte, long, compact string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(string(msg), "\r\n", "\n"), "\n\n")
	head = regexp.MustCompile(`\n[ \t]+`).ReplaceAllString(head, " ")
	for _, l := range strings.Split(head, "\n")[1:] {
		name, value, ok := strings.Cut(l, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if ok && (name == long || compact != "" && name == compact) {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

func firstLine(b []byte) string {
	l, _, _ := bytes.Cut(b, []byte("\r\n"))
	return string(l)
}

// guard is a NewPacketConn on a real UDP socket whose ReadFrom loop stands in
// for sipgo's: it records what is passed through and what onReject reports.
type guard struct {
	conn    net.PacketConn
	passed  chan datagram
	rejects chan rejectEvent
}

type datagram struct {
	data []byte
	from string
}

type rejectEvent struct {
	reason string
	from   string
}

// bound limits every wait; nothing waits for it to pass.
const bound = 5 * time.Second

func startGuard(t *testing.T) *guard {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &guard{passed: make(chan datagram, 16), rejects: make(chan rejectEvent, 16)}
	h.conn = NewPacketConn(pc, func(reason string, from net.Addr) {
		h.rejects <- rejectEvent{reason, from.String()}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := h.conn.ReadFrom(buf)
			if err != nil {
				return
			}
			h.passed <- datagram{bytes.Clone(buf[:n]), from.String()}
		}
	}()
	t.Cleanup(func() {
		h.conn.Close()
		<-done
	})
	return h
}

func (h *guard) dial(t *testing.T) net.PacketConn {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (h *guard) send(t *testing.T, c net.PacketConn, data []byte) {
	t.Helper()
	if _, err := c.WriteTo(data, h.conn.LocalAddr()); err != nil {
		t.Fatal(err)
	}
}

// expectPassed waits for data to come out of ReadFrom unchanged, from c,
// with no reject reported before it.
func (h *guard) expectPassed(t *testing.T, c net.PacketConn, data []byte) {
	t.Helper()
	select {
	case d := <-h.passed:
		if !bytes.Equal(d.data, data) {
			t.Fatalf("passed datagram differs:\n got %q\nwant %q", d.data, data)
		}
		if d.from != c.LocalAddr().String() {
			t.Fatalf("passed from %s, want %s", d.from, c.LocalAddr())
		}
	case r := <-h.rejects:
		t.Fatalf("rejected (%s), want passed", r.reason)
	case <-time.After(bound):
		t.Fatal("nothing passed")
	}
}

// expectReject waits for the onReject call for a datagram from c. Datagrams
// are handled in order by one goroutine, so nothing can have been passed
// through for it.
func (h *guard) expectReject(t *testing.T, c net.PacketConn, category string) {
	t.Helper()
	select {
	case r := <-h.rejects:
		if r.from != c.LocalAddr().String() {
			t.Fatalf("reject reported for %s, want %s", r.from, c.LocalAddr())
		}
		if got, _, _ := strings.Cut(r.reason, ": "); got != category {
			t.Fatalf("reject reason %q, want category %q", r.reason, category)
		}
		t.Logf("onReject: %s", r.reason)
	case d := <-h.passed:
		t.Fatalf("passed %q, want rejected", firstLine(d.data))
	case <-time.After(bound):
		t.Fatal("no reject reported")
	}
}

func (h *guard) readReply(t *testing.T, c net.PacketConn) []byte {
	t.Helper()
	buf := make([]byte, 65535)
	if err := c.SetReadDeadline(time.Now().Add(bound)); err != nil {
		t.Fatal(err)
	}
	n, from, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	if from.String() != h.conn.LocalAddr().String() {
		t.Fatalf("reply from %s, want %s", from, h.conn.LocalAddr())
	}
	return buf[:n]
}

// expectNoReplyBefore proves that nothing was sent to c for the datagram
// just refused: it sends a request that must be answered, and the first
// reply c reads must be that answer.
func (h *guard) expectNoReplyBefore(t *testing.T, c net.PacketConn) {
	t.Helper()
	probe := edit("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: probe-"+c.LocalAddr().String(), "Max-Forwards: 70", "Max-Forwards: 700")
	h.send(t, c, []byte(probe))
	h.expectReject(t, c, catInvalidRequest)
	resp := h.readReply(t, c)
	if got := headerValue(resp, "call-id", "i"); got != "probe-"+c.LocalAddr().String() {
		t.Fatalf("got a reply to the dropped datagram: %q", resp)
	}
}
