package registrar

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

const benchUsers = 1000

// benchRegistrar is a registrar with benchUsers accounts (u0..u999,
// password "pw"), authentication on.
func benchRegistrar(b *testing.B, st Store) *Registrar {
	b.Helper()
	cfg := Defaults()
	cfg.Domains = []string{testDomain}
	cfg.MaxExpires = 24 * time.Hour
	for i := range benchUsers {
		cfg.Auth.Users = append(cfg.Auth.Users, User{User: "u" + strconv.Itoa(i), Password: "pw"})
	}
	m, err := gruu.NewMinter(testKey)
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(cfg, st, m, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// benchUA is one phone refreshing its registration: its parsed REGISTER
// (changed in place each time) and its digest state.
type benchUA struct {
	req        *sipx.Request
	cseq       *sipx.CSeqHeader
	ha1, ha2   string
	user       string
	nonce      string
	nc         uint32
	withGRUU   bool
	authHeader sipx.Header
}

func newBenchUA(b *testing.B, r *Registrar, i int, withGRUU bool, now time.Time) *benchUA {
	b.Helper()
	user := "u" + strconv.Itoa(i)
	contact := fmt.Sprintf("<sip:%s@192.0.2.%d:5060;transport=udp>", user, i%250+1)
	g := reg{to: "sip:" + user + "@example.com", callID: "bench-" + user, cseq: 1, contacts: []string{contact}}
	if withGRUU {
		g.contacts[0] += fmt.Sprintf(`;+sip.instance="<urn:uuid:00000000-0000-1000-8000-%012d>"`, i)
		g.supported = "gruu"
	}
	req := g.request(b)
	res := r.Process(context.Background(), req, now)
	if res.Code != 401 {
		b.Fatalf("challenge: %d", res.Code)
	}
	c, _ := parseChallenge(res.Headers[0].Value()) // SHA-256
	return &benchUA{
		req:   req,
		cseq:  req.CSeq(),
		user:  user,
		nonce: c["nonce"],
		ha1:   hexHash(AlgSHA256, user, "example.com", "pw"),
		ha2:   hexHash(AlgSHA256, "REGISTER", "sip:example.com"),
	}
}

// next prepares the next refresh: CSeq and credentials with the next
// nonce-count (what the phone computes; about a microsecond).
func (u *benchUA) next() *sipx.Request {
	u.cseq.SeqNo++
	u.nc++
	nc := fmt.Sprintf("%08x", u.nc)
	resp := hexHash(AlgSHA256, u.ha1, u.nonce, nc, "c0ffee", "auth", u.ha2)
	if u.authHeader != nil {
		u.req.RemoveHeader("Authorization")
	}
	u.authHeader = sipx.NewHeader("Authorization", `Digest username="`+u.user+`", realm="example.com", nonce="`+u.nonce+
		`", uri="sip:example.com", response="`+resp+`", algorithm=SHA-256, cnonce="c0ffee", qop=auth, nc=`+nc)
	u.req.AppendHeader(u.authHeader)
	return u.req
}

func benchmarkRegister(b *testing.B, withGRUU bool) {
	r := benchRegistrar(b, NewMemStore())
	now := time.Now()
	uas := make([]*benchUA, benchUsers)
	for i := range uas {
		uas[i] = newBenchUA(b, r, i, withGRUU, now)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := uas[i%benchUsers]
		i++
		if res := r.Process(ctx, u.next(), now); res.Code != 200 {
			b.Fatalf("REGISTER %d: %d %v", i, res.Code, res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "REGISTER/s")
}

// BenchmarkRegisterAuthenticated: a digest-authenticated (SHA-256,
// qop=auth) REGISTER refresh of one of 1,000 phones against the memory
// store, from parsed request to response headers and events.
func BenchmarkRegisterAuthenticated(b *testing.B) { benchmarkRegister(b, false) }

// BenchmarkRegisterAuthenticatedGRUU: the same with +sip.instance and
// Supported: gruu (a pub-gruu and a new temp-gruu in every 2xx, and their
// events).
func BenchmarkRegisterAuthenticatedGRUU(b *testing.B) { benchmarkRegister(b, true) }

// BenchmarkRegisterAuthenticatedKV: the same against the JetStream KV
// store of the embedded NATS server (a read and a compare-and-set write of
// the AOR's key per REGISTER).
func BenchmarkRegisterAuthenticatedKV(b *testing.B) {
	api := startNATS(b, b.TempDir())
	r := benchRegistrar(b, kvStore(b, api))
	now := time.Now()
	uas := make([]*benchUA, benchUsers)
	for i := range uas {
		uas[i] = newBenchUA(b, r, i, true, now)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := uas[i%benchUsers]
		i++
		if res := r.Process(ctx, u.next(), now); res.Code != 200 {
			b.Fatalf("REGISTER %d: %d %v", i, res.Code, res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "REGISTER/s")
}

// BenchmarkLookup100kKV: Lookup among 100,000 AORs in the JetStream
// store (served from the node's watched copy).
func BenchmarkLookup100kKV(b *testing.B) {
	const n = 100000
	api := startNATS(b, b.TempDir())
	st := kvStore(b, api)
	now := time.Now()
	fill(b, st, n, now)
	r := benchRegistrar(b, st)
	aors := make([]string, 1024)
	for i := range aors {
		aors[i] = "sip:user" + strconv.Itoa(rand.IntN(n)) + "@example.com"
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bs, err := r.Lookup(ctx, aors[i%len(aors)], now)
		if err != nil || len(bs) != 1 {
			b.Fatalf("%v %v", bs, err)
		}
		i++
	}
}

// BenchmarkRegisterParseAndProcess adds sipgo's parsing of the datagram.
func BenchmarkRegisterParseAndProcess(b *testing.B) {
	r := benchRegistrar(b, NewMemStore())
	now := time.Now()
	uas := make([]*benchUA, benchUsers)
	for i := range uas {
		uas[i] = newBenchUA(b, r, i, true, now)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := uas[i%benchUsers]
		i++
		raw := []byte(u.next().String())
		msg, err := sip.ParseMessage(raw)
		if err != nil {
			b.Fatal(err)
		}
		if res := r.Process(ctx, msg.(*sip.Request), now); res.Code != 200 {
			b.Fatalf("%d %v", res.Code, res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "REGISTER/s")
}

// fill stores n AORs with one binding each, as a REGISTER would.
func fill(b *testing.B, st Store, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		aor := "sip:user" + strconv.Itoa(i) + "@example.com"
		bd := Binding{
			Key:         "i:urn:uuid:00000000-0000-1000-8000-" + fmt.Sprintf("%012d", i),
			Contact:     fmt.Sprintf("sip:user%d@192.0.2.%d:5060;transport=udp;ob", i, i%250+1),
			Instance:    "urn:uuid:00000000-0000-1000-8000-" + fmt.Sprintf("%012d", i),
			RawInstance: `"<urn:uuid:00000000-0000-1000-8000-` + fmt.Sprintf("%012d", i) + `>"`,
			RegID:       1,
			Q:           qNone,
			CallID:      fmt.Sprintf("%016x@192.0.2.%d", rand.Uint64(), i%250+1),
			CSeq:        1,
			FirstCSeq:   1,
			GRUU:        true,
			Registered:  now,
			Updated:     now,
			Expires:     now.Add(time.Hour),
			Source:      fmt.Sprintf("192.0.2.%d:5060", i%250+1),
			Transport:   "UDP",
			User:        "user" + strconv.Itoa(i),
		}
		if _, _, err := st.Update(ctx, aor, func(r Record) (Record, error) {
			r.Bindings = append(r.Bindings, bd)
			r.Cause = CauseRegister
			return r, nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup100k: Lookup of a random AOR among 100,000 registered
// ones (memory store), as routing an INVITE to an AOR does.
func BenchmarkLookup100k(b *testing.B) {
	const n = 100000
	st := NewMemStore()
	now := time.Now()
	fill(b, st, n, now)
	r := benchRegistrar(b, st)
	aors := make([]string, 1024)
	for i := range aors {
		aors[i] = "sip:user" + strconv.Itoa(rand.IntN(n)) + "@example.com"
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bs, err := r.Lookup(ctx, aors[i%len(aors)], now)
		if err != nil || len(bs) != 1 {
			b.Fatalf("%v %v", bs, err)
		}
		i++
	}
}

// BenchmarkLookupGRUU100k: routing a temp-gruu among 100,000 bindings:
// open the token, find the instance's binding, check its Call-ID.
func BenchmarkLookupGRUU100k(b *testing.B) {
	const n = 100000
	st := NewMemStore()
	now := time.Now()
	fill(b, st, n, now)
	r := benchRegistrar(b, st)
	uris := make([]sipx.Uri, 256)
	for i := range uris {
		k := rand.IntN(n)
		aor := "sip:user" + strconv.Itoa(k) + "@example.com"
		rec, _ := st.Get(context.Background(), aor)
		m := r.mintFor(aor, rec.Bindings[0])
		u, err := sipx.ParseURI(m.temp)
		if err != nil {
			b.Fatal(err)
		}
		uris[i] = u
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, err := r.LookupGRUU(ctx, uris[i%len(uris)], now); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkBindingMemory measures the live heap of 100,000 bindings (one
// per AOR, with instance, reg-id and GRUU, as a modern phone registers) in
// the memory store, with runtime.ReadMemStats before and after.
func BenchmarkBindingMemory(b *testing.B) {
	const n = 100000
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		st := NewMemStore()
		fill(b, st, n, time.Now())
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/binding")
		runtime.KeepAlive(st)
	}
}
