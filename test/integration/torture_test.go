package integration

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// tortureOutcome is what a running node does with one torture message.
type tortureOutcome struct {
	code int    // the response on the sender's socket, for invalid requests
	drop bool   // no answer: a malformed response or no usable Via
	past string // a valid message the core never sees, and why
}

// Why valid messages do not reach the core.
const (
	response  = "a response matching no transaction of ours: sipgo drops it"
	sipgo2543 = "no RFC 3261 branch and no From-tag sipgo can read: sipgo's transaction " +
		"layer cannot key it (RFC 2543 matching) and answers 400 to its Via"
)

// retransmits is the reason for a request with the branch, sent-by and
// method of an earlier one: sipgo takes it for a retransmission of that
// transaction (RFC 3261 §17.2.3), which is right.
func retransmits(of string) string { return "a retransmission of " + of + " to sipgo" }

// torture lists every file of both archives (see PROVENANCE.md next to
// them), which are sent in file name order (retransmits depends on it); the
// test fails on a file it does not list. Valid requests go to the core, which answers them to their Via
// (not to the test's socket).
var torture = map[string]tortureOutcome{
	// RFC 4475 §3.1.1, §3.2, §3.3, §3.4 and RFC 5118: valid.
	"rfc4475/wsinv.dat": {past: sipgo2543}, "rfc4475/intmeth.dat": {}, "rfc4475/esc01.dat": {},
	"rfc4475/escnull.dat": {}, "rfc4475/esc02.dat": {}, "rfc4475/lwsdisp.dat": {}, "rfc4475/longreq.dat": {},
	"rfc4475/dblreq.dat": {}, "rfc4475/semiuri.dat": {}, "rfc4475/transports.dat": {}, "rfc4475/mpart01.dat": {},
	"rfc4475/unreason.dat": {past: response}, "rfc4475/noreason.dat": {past: response},
	"rfc4475/badbranch.dat": {}, "rfc4475/unksm2.dat": {}, "rfc4475/bext01.dat": {}, "rfc4475/invut.dat": {},
	"rfc4475/regaut01.dat": {}, "rfc4475/bcast.dat": {past: response}, "rfc4475/zeromf.dat": {},
	"rfc4475/cparam01.dat": {}, "rfc4475/cparam02.dat": {past: retransmits("cparam01.dat")},
	"rfc4475/regescrt.dat": {past: retransmits("escnull.dat")}, "rfc4475/sdp01.dat": {},
	"rfc4475/inv2543.dat": {past: sipgo2543},
	"rfc5118/ipv6-good":   {}, "rfc5118/port-ambiguous": {past: retransmits("ipv6-good")},
	"rfc5118/port-unambiguous":              {past: retransmits("ipv6-good")},
	"rfc5118/via-received-param-with-delim": {}, "rfc5118/via-received-param-no-delim": {},
	"rfc5118/ipv6-in-sdp": {}, "rfc5118/mult-ip-in-header": {}, "rfc5118/mult-ip-in-sdp": {},
	"rfc5118/ipv4-mapped-ipv6": {}, "rfc5118/ipv6-bug-abnf-3-colons": {},
	"rfc5118/ipv6-correct-abnf-2-colons": {past: retransmits("ipv6-bug-abnf-3-colons")},

	// RFC 4475 §3.1.2 and §3.3: invalid requests, answered.
	"rfc4475/badinv01.dat": {code: 400}, "rfc4475/clerr.dat": {code: 400}, "rfc4475/ncl.dat": {code: 400},
	"rfc4475/scalar02.dat": {code: 400}, "rfc4475/quotbal.dat": {code: 400}, "rfc4475/ltgtruri.dat": {code: 400},
	"rfc4475/lwsruri.dat": {code: 400}, "rfc4475/lwsstart.dat": {code: 400}, "rfc4475/trws.dat": {code: 400},
	"rfc4475/escruri.dat": {code: 400}, "rfc4475/baddate.dat": {code: 400}, "rfc4475/regbadct.dat": {code: 400},
	"rfc4475/badaspec.dat": {code: 400}, "rfc4475/baddn.dat": {code: 400}, "rfc4475/badvers.dat": {code: 505},
	"rfc4475/mismatch01.dat": {code: 400}, "rfc4475/mismatch02.dat": {code: 400}, "rfc4475/insuf.dat": {code: 400},
	"rfc4475/unkscm.dat": {code: 416}, "rfc4475/novelsc.dat": {code: 416}, "rfc4475/multi01.dat": {code: 400},
	"rfc4475/mcl01.dat": {code: 400}, "rfc5118/ipv6-bad": {code: 400},

	// Malformed responses and a request line without SIP version: dropped.
	"rfc4475/scalarlg.dat": {drop: true}, "rfc4475/bigcode.dat": {drop: true}, "rfc4475/test.dat": {drop: true},
}

// tortureDir finds the corpus kept in test/testdata/sip-torture
// (TANDEM_SIP_TORTURE overrides it); the test fails without it.
func tortureDir(t *testing.T) string {
	dir := os.Getenv("TANDEM_SIP_TORTURE")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "sip-torture")
	}
	if _, err := os.Stat(filepath.Join(dir, "PROVENANCE.md")); err != nil {
		t.Fatalf("torture corpus not found at %s; set TANDEM_SIP_TORTURE", dir)
	}
	return dir
}

// Every RFC 4475 and RFC 5118 torture message, byte for byte, to a running
// node over UDP: invalid requests are answered with their 4xx (505 for a
// foreign SIP version) on the sender's socket, unanswerable datagrams get
// nothing, valid requests reach the core (unless sipgo stops them, see the
// table), and after each one the node still answers; a normal call works
// afterwards.
func TestTorture(t *testing.T) {
	t.Parallel()
	dir := tortureDir(t)
	sums := provenance(t, dir)
	var files []string
	for _, sub := range []string{"rfc4475", "rfc5118"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files = append(files, sub+"/"+e.Name())
		}
	}
	slices.Sort(files)
	if len(files) != len(torture) {
		t.Errorf("%d files on disk, %d in the table", len(files), len(torture))
	}

	// Only bob is routed: the torture INVITEs, to other users, get 404.
	b := phone.New(t, "bob")
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{User: "^bob$", Target: "sip:bob@" + b.Addr()}))
	a := phone.New(t, "alice")
	for _, f := range files {
		want, ok := torture[f]
		if !ok {
			t.Errorf("%s: not in the table", f)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != sums[f] {
			t.Fatalf("%s: sha256 differs from PROVENANCE.md: the corpus must be byte-exact", f)
		}
		if strings.HasPrefix(f, "rfc5118/") {
			data = wireForm(data)
		}
		raw := newRawClient(t, n)
		before := requestsSeen(t, n)
		raw.Send(n.SIPAddr, data)
		switch {
		case want.code != 0:
			if code, line := raw.status(); code != want.code {
				t.Errorf("%s: %s, want %d", f, line, want.code)
			}
			raw.probe()
		case want.drop:
			raw.probe() // strict: the first datagram back is the probe's
		default:
			raw.probeSkipping()
			if want.past == "" {
				// It reached the core's handlers (the probe counts one).
				waitFor(t, f+" reaching the core", wait, func() bool { return requestsSeen(t, n) >= before+2 })
			}
		}
	}

	c, in := connect(t, n, a, b)
	hangup(t, c, in)
}

// provenance reads the sha256 list of PROVENANCE.md.
func provenance(t *testing.T, dir string) map[string]string {
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

// wireForm turns an RFC 5118 archive file into the datagram a peer would
// send (PROVENANCE.md): CRLF line ends, a blank line after the headers and
// a Content-Length that matches the body.
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

// requestsSeen is the number of requests the core's handlers received
// (its tandem_sip_requests_total).
func requestsSeen(t *testing.T, n *harness.Node) float64 {
	t.Helper()
	mfs, err := n.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == "tandem_sip_requests_total" {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
