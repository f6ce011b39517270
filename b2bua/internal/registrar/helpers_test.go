package registrar

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// t0 is the tests' epoch.
var t0 = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	testDomain = "example.com"
	aliceAOR   = "sip:alice@example.com"
	bobAOR     = "sip:bob@example.com"
	instA      = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
	instB      = "urn:uuid:00000000-0000-1000-8000-000a95a0e128"
)

// fakeClock is a Clock that moves only when told. Timers fire during
// Advance (or at once when created with d <= 0).
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       chan time.Time
	at      time.Time
	clock   *fakeClock
	stopped bool
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: make(chan time.Time, 1), at: c.now.Add(d), clock: c}
	if d <= 0 {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.stopped {
			continue
		}
		if !t.at.After(c.now) {
			t.c <- c.now
			continue
		}
		keep = append(keep, t)
	}
	c.timers = keep
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// sink records events; await blocks for one (with a generous deadline so a
// broken test fails instead of hanging).
type sink struct{ ch chan events.Event }

func newSink() *sink { return &sink{ch: make(chan events.Event, 4096)} }

func (s *sink) Publish(ev events.Event) { s.ch <- ev }

func (s *sink) await(t *testing.T, typ string) events.Event {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case ev := <-s.ch:
			if ev.Env().Type == typ {
				return ev
			}
		case <-deadline.C:
			t.Fatalf("no %s event", typ)
		}
	}
}

// drain returns the events recorded so far.
func (s *sink) drain() []events.Event {
	var out []events.Event
	for {
		select {
		case ev := <-s.ch:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// env is a registrar under test.
type env struct {
	r      *Registrar
	store  Store
	clock  *fakeClock
	sink   *sink
	minter *gruu.Minter
	reg    *prometheus.Registry
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// testConfig: example.com, no authentication unless a test turns it on.
func testConfig() Config {
	c := Defaults()
	c.Domains = []string{testDomain}
	c.Auth.Required = false
	c.Auth.Users = []User{
		{User: "alice", Password: "secret"},
		{User: "bob", Password: "hunter2"},
		{User: "carol", HA1: hexOf(md5.New(), "carol:example.com:pw"), HA1SHA256: hexOf(sha256.New(), "carol:example.com:pw")},
		{User: "dave", HA1: hexOf(md5.New(), "dave:example.com:pw")},
		{User: "erin", Password: "pw", AORs: []string{"sip:sales@example.com"}},
	}
	return c
}

func hexOf(h hash.Hash, s string) string {
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

func newEnv(t testing.TB, mutate ...func(*Config)) *env {
	t.Helper()
	return newEnvStore(t, NewMemStore(), mutate...)
}

func newEnvStore(t testing.TB, st Store, mutate ...func(*Config)) *env {
	t.Helper()
	cfg := testConfig()
	for _, f := range mutate {
		f(&cfg)
	}
	m, err := gruu.NewMinter(testKey)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: st, clock: newFakeClock(t0), sink: newSink(), minter: m, reg: prometheus.NewPedanticRegistry()}
	e.r, err = New(cfg, st, m, slog.New(slog.DiscardHandler), WithEventSink(e.sink), WithClock(e.clock), WithRegisterer(e.reg))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reg describes a REGISTER.
type reg struct {
	ruri      string // default sip:example.com
	to        string // default alice
	callID    string // default "call-1"
	cseq      uint32 // default 1
	contacts  []string
	expires   string // Expires header; "" none
	supported string
	require   string
	auth      string // Authorization value
	source    string // default 192.0.2.10:5060
	method    string
}

func (g reg) text() string {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	cseq := g.cseq
	if cseq == 0 {
		cseq = 1
	}
	method := def(g.method, "REGISTER")
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s SIP/2.0\r\n", method, def(g.ruri, "sip:example.com"))
	sb.WriteString("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + strconv.Itoa(int(cseq)) + "\r\n")
	sb.WriteString("Max-Forwards: 70\r\n")
	to := def(g.to, aliceAOR)
	fmt.Fprintf(&sb, "From: <%s>;tag=ft1\r\nTo: <%s>\r\n", to, to)
	fmt.Fprintf(&sb, "Call-ID: %s\r\nCSeq: %d %s\r\n", def(g.callID, "call-1"), cseq, method)
	for _, c := range g.contacts {
		sb.WriteString("Contact: " + c + "\r\n")
	}
	if g.expires != "" {
		sb.WriteString("Expires: " + g.expires + "\r\n")
	}
	if g.supported != "" {
		sb.WriteString("Supported: " + g.supported + "\r\n")
	}
	if g.require != "" {
		sb.WriteString("Require: " + g.require + "\r\n")
	}
	if g.auth != "" {
		sb.WriteString("Authorization: " + g.auth + "\r\n")
	}
	sb.WriteString("Content-Length: 0\r\n\r\n")
	return sb.String()
}

func (g reg) request(t testing.TB) *sipx.Request {
	t.Helper()
	msg, err := sip.ParseMessage([]byte(g.text()))
	if err != nil {
		t.Fatalf("parse %q: %v", g.text(), err)
	}
	req := msg.(*sip.Request)
	req.SetSource(orDefault(g.source, "192.0.2.10:5060"))
	return req
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (e *env) process(t testing.TB, g reg) Result {
	t.Helper()
	return e.r.Process(context.Background(), g.request(t), e.clock.Now())
}

// header values of a result by name.
func headers(res Result, name string) []string {
	var out []string
	for _, h := range res.Headers {
		if strings.EqualFold(h.Name(), name) {
			out = append(out, h.Value())
		}
	}
	return out
}

func (e *env) lookup(t testing.TB, aor string) []Binding {
	t.Helper()
	bs, err := e.r.Lookup(context.Background(), aor, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func contactsOf(bs []Binding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Contact
	}
	return out
}

// paramOf extracts a Contact parameter's value (quotes removed) from a
// Contact header value.
func paramOf(contact, name string) (string, bool) {
	_, rest, _ := strings.Cut(contact, ">")
	parts, err := splitTopLevel(strings.TrimPrefix(rest, ";"), ';')
	if err != nil {
		return "", false
	}
	for _, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(k, name) {
			return strings.Trim(v, `"`), true
		}
	}
	return "", false
}

// digestClient answers challenges like a UA.
type digestClient struct {
	user, pass string
	nc         int
}

// authorize answers the challenge for alg found among the WWW-Authenticate
// values of res.
func (d *digestClient) authorize(t testing.TB, res Result, alg, method, uri string) string {
	t.Helper()
	for _, v := range headers(res, "WWW-Authenticate") {
		c, err := parseChallenge(v)
		if err != nil {
			t.Fatal(err)
		}
		if c["algorithm"] != alg {
			continue
		}
		d.nc++
		return d.answer(c["realm"], c["nonce"], alg, method, uri, fmt.Sprintf("%08x", d.nc), "cn"+strconv.Itoa(d.nc))
	}
	t.Fatalf("no %s challenge in %v", alg, headers(res, "WWW-Authenticate"))
	return ""
}

func (d *digestClient) answer(realm, nonce, alg, method, uri, nc, cnonce string) string {
	ha1 := hexHash(alg, d.user, realm, d.pass)
	ha2 := hexHash(alg, method, uri)
	resp := hexHash(alg, ha1, nonce, nc, cnonce, "auth", ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s, cnonce="%s", qop=auth, nc=%s`,
		d.user, realm, nonce, uri, resp, alg, cnonce, nc)
}

// parseChallenge reads a WWW-Authenticate value (test side).
func parseChallenge(v string) (map[string]string, error) {
	_, rest, _ := strings.Cut(v, " ")
	parts, err := splitTopLevel(rest, ',')
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, p := range parts {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		m[k] = strings.Trim(val, `"`)
	}
	return m, nil
}

func newHeader(name, value string) sipx.Header { return sipx.NewHeader(name, value) }

type eventsEvent = events.Event

func parseURIForTest(s string) (sipx.Uri, error) { return sipx.ParseURI(s) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func parseMessage(text string) (*sipx.Request, error) {
	msg, err := sip.ParseMessage([]byte(text))
	if err != nil {
		return nil, err
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		return nil, fmt.Errorf("not a request")
	}
	req.SetSource("192.0.2.10:5060")
	return req, nil
}
