package registrar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
)

// startNATS starts the embedded NATS server (JetStream on dir) the way
// the server does, on a free port; it is closed at cleanup.
func startNATS(t testing.TB, dir string) *natsapi.API {
	t.Helper()
	cfg := natsapi.Defaults()
	cfg.Embedded.Port = -1
	cfg.Embedded.DataDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api, err := natsapi.Start(ctx, cfg, "node-1", slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatalf("natsapi.Start: %v", err)
	}
	t.Cleanup(func() { _ = api.Close() }) // after the stores' cleanups (registered later, run first)
	return api
}

// kvStore opens the bindings bucket on a new connection of api, as
// another node sharing the cluster would.
func kvStore(t testing.TB, api *natsapi.API) *KVStore {
	t.Helper()
	nc, err := api.Connect()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := Defaults()
	cfg.Store = StoreJetStream
	st, err := NewKVStore(ctx, nc, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = st.Close()
		nc.Close()
	})
	return st
}

// changes returns a channel of the store's changes of aor.
func changes(t *testing.T, st Store, aor string) <-chan Change {
	t.Helper()
	ch := make(chan Change, 256)
	stop := st.Watch(func(c Change) {
		if c.AOR == aor {
			ch <- c
		}
	})
	t.Cleanup(stop)
	return ch
}

// awaitChange waits for a change of the AOR satisfying ok.
func awaitChange(t *testing.T, ch <-chan Change, ok func(Change) bool) Change {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case c := <-ch:
			if ok(c) {
				return c
			}
		case <-deadline.C:
			t.Fatal("no change seen")
		}
	}
}

func hasContact(uri string) func(Change) bool {
	return func(c Change) bool {
		return c.New.find(contactKeyOf(uri)) >= 0 || slices.ContainsFunc(c.New.Bindings, func(b Binding) bool { return b.Contact == uri })
	}
}

func contactKeyOf(uri string) string {
	u, err := parseURIForTest(uri)
	if err != nil {
		return ""
	}
	return contactKey(u)
}

// TestKVStoreRegister: the REGISTER rules hold on the JetStream store too.
func TestKVStoreRegister(t *testing.T) {
	api := startNATS(t, t.TempDir())
	e := newEnvStore(t, kvStore(t, api))
	steps := []struct {
		reg  reg
		code int
		want []string
	}{
		{reg{cseq: 5, contacts: []string{"<sip:a@192.0.2.1>", "<sip:b@192.0.2.2>;q=0.5"}}, 200, []string{"sip:a@192.0.2.1", "sip:b@192.0.2.2"}},
		{reg{cseq: 5, contacts: []string{"<sip:c@192.0.2.3>", "<sip:a@192.0.2.1>"}}, 500, []string{"sip:a@192.0.2.1", "sip:b@192.0.2.2"}},
		{reg{cseq: 6, contacts: []string{"<sip:b@192.0.2.2>;expires=0"}}, 200, []string{"sip:a@192.0.2.1"}},
		{reg{cseq: 7, contacts: []string{"*"}, expires: "0"}, 200, nil},
		{reg{cseq: 8, contacts: []string{"<sip:d@192.0.2.4>"}}, 200, []string{"sip:d@192.0.2.4"}},
	}
	for i, s := range steps {
		res := e.process(t, s.reg)
		if res.Code != s.code {
			t.Fatalf("step %d: %d %v", i, res.Code, res.Err)
		}
		if got := contactsOf(e.lookup(t, aliceAOR)); !slices.Equal(got, s.want) {
			t.Errorf("step %d: %v, want %v", i, got, s.want)
		}
	}
}

// TestKVStoreSharedNodes: two nodes on one NATS see the same bindings; a
// GRUU handed out by one routes on the other.
func TestKVStoreSharedNodes(t *testing.T) {
	api := startNATS(t, t.TempDir())
	a := newEnvStore(t, kvStore(t, api))
	b := newEnvStore(t, kvStore(t, api))
	seenOnB := changes(t, b.store, aliceAOR)
	seenOnA := changes(t, a.store, aliceAOR)

	res := a.process(t, reg{contacts: []string{"<sip:phone@192.0.2.1>" + instParam(instA)}, supported: "gruu"})
	if res.Code != 200 {
		t.Fatal(res.Code, res.Err)
	}
	_, temp := gruusOf(t, res, "sip:phone@192.0.2.1")
	awaitChange(t, seenOnB, hasContact("sip:phone@192.0.2.1"))
	if got := contactsOf(b.lookup(t, aliceAOR)); !slices.Equal(got, []string{"sip:phone@192.0.2.1"}) {
		t.Fatalf("node b sees %v", got)
	}
	if got := b.resolveOne(t, temp); got != "sip:phone@192.0.2.1" {
		t.Errorf("node a's temp-gruu on node b: %s", got)
	}
	// node b refreshes with the same Call-ID: a's temp-gruu stays valid;
	// an out-of-order CSeq is refused on b as on a
	if res := b.process(t, reg{cseq: 1, contacts: []string{"<sip:phone@192.0.2.1>" + instParam(instA)}, supported: "gruu"}); res.Code != 500 {
		t.Errorf("out of order on node b: %d", res.Code)
	}
	if res := b.process(t, reg{cseq: 2, contacts: []string{"<sip:phone@192.0.2.1>" + instParam(instA)}, supported: "gruu"}); res.Code != 200 {
		t.Fatal(res.Code, res.Err)
	}
	awaitChange(t, seenOnA, func(c Change) bool { return len(c.New.Bindings) == 1 && c.New.Bindings[0].CSeq == 2 })
	if got := a.resolveOne(t, temp); got != "sip:phone@192.0.2.1" {
		t.Errorf("after b's refresh, a's temp-gruu: %s", got)
	}
	// node b unregisters: node a routes nothing
	if res := b.process(t, reg{cseq: 3, contacts: []string{"*"}, expires: "0"}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	awaitChange(t, seenOnA, func(c Change) bool { return len(c.New.Bindings) == 0 })
	if got := a.resolveOne(t, temp); got != "404" {
		t.Errorf("after unregistering on b, a routes the temp-gruu to %s", got)
	}
}

// TestKVStoreConcurrentWriters: REGISTERs for one AOR racing on two nodes
// all apply (compare-and-set retries), none is lost.
func TestKVStoreConcurrentWriters(t *testing.T) {
	api := startNATS(t, t.TempDir())
	mut := func(c *Config) { c.MaxContacts = maxContacts }
	nodes := []*env{newEnvStore(t, kvStore(t, api), mut), newEnvStore(t, kvStore(t, api), mut)}
	const n = 24
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := nodes[i%2]
			codes[i] = e.process(t, reg{callID: fmt.Sprintf("c%d", i), contacts: []string{fmt.Sprintf("<sip:u%d@192.0.2.1>", i)}}).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("REGISTER %d: %d", i, c)
		}
	}
	st := nodes[0].store.(*KVStore)
	e, err := st.kv.Get(context.Background(), kvKey(aliceAOR))
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	if err := jsonUnmarshal(e.Value(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Bindings) != n {
		t.Errorf("%d bindings in the bucket, want %d", len(r.Bindings), n)
	}
}

// TestKVStoreSurvivesRestart: bindings written before the NATS server
// stops are there when it starts again on the same data dir, and a
// temp-gruu handed out before still routes.
func TestKVStoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	api := startNATS(t, dir)
	st := kvStore(t, api)
	e := newEnvStore(t, st)
	res := e.process(t, reg{contacts: []string{"<sip:phone@192.0.2.1>;q=0.7" + instParam(instA), "<sip:desk@192.0.2.2>;expires=600"}, supported: "gruu"})
	if res.Code != 200 {
		t.Fatal(res.Code, res.Err)
	}
	_, temp := gruusOf(t, res, "sip:phone@192.0.2.1")
	_ = st.Close()
	if err := api.Close(); err != nil {
		t.Fatal(err)
	}

	api2 := startNATS(t, dir)
	e2 := newEnvStore(t, kvStore(t, api2))
	e2.clock.Advance(100 * time.Second)
	bs := e2.lookup(t, aliceAOR)
	if got := contactsOf(bs); !slices.Equal(got, []string{"sip:desk@192.0.2.2", "sip:phone@192.0.2.1"}) {
		t.Fatalf("after restart: %v", got)
	}
	if bs[0].ExpiresIn(e2.clock.Now()) != 500 || bs[1].Q != 700 || bs[1].Instance != instA {
		t.Errorf("after restart: %+v", bs)
	}
	if got := e2.resolveOne(t, temp); got != "sip:phone@192.0.2.1" {
		t.Errorf("temp-gruu after restart: %s", got)
	}
	if e2.store.Len() != 2 {
		t.Errorf("Len %d", e2.store.Len())
	}
}

// TestKVStoreExpiryOnce: every node sweeps; each expiry is reported by
// exactly one.
func TestKVStoreExpiryOnce(t *testing.T) {
	api := startNATS(t, t.TempDir())
	a := newEnvStore(t, kvStore(t, api))
	b := newEnvStore(t, kvStore(t, api))
	seenOnB := changes(t, b.store, aliceAOR)
	if res := a.process(t, reg{contacts: []string{"<sip:x@192.0.2.1>;expires=60", "<sip:y@192.0.2.2>;expires=600"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	awaitChange(t, seenOnB, hasContact("sip:x@192.0.2.1"))
	now := t0.Add(61 * time.Second)
	var wg sync.WaitGroup
	var got [2][]Change
	for i, st := range []Store{a.store, b.store} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chs, err := st.Expire(context.Background(), now)
			if err != nil {
				t.Error(err)
			}
			got[i] = chs
		}()
	}
	wg.Wait()
	if n := len(got[0]) + len(got[1]); n != 1 {
		t.Fatalf("%d nodes reported the expiry, want 1: %+v", n, got)
	}
	// both sweeping again: nothing more
	for _, st := range []Store{a.store, b.store} {
		if chs, err := st.Expire(context.Background(), now); err != nil || len(chs) != 0 {
			t.Errorf("second sweep: %v, %v", chs, err)
		}
	}
	if res := a.process(t, reg{cseq: 2}); len(headers(res, "Contact")) != 1 {
		// a query at t0 still lists y only (x is gone from the bucket)
		t.Errorf("after expiry: %q", headers(res, "Contact"))
	}

	// with the registrars' sweeps running on fake clocks, one event
	a.runSweep(t)
	b.runSweep(t)
	a.sink.drain()
	b.sink.drain()
	a.clock.Advance(601 * time.Second)
	b.clock.Advance(601 * time.Second)
	select {
	case ev := <-a.sink.ch:
		checkTypes(t, "sweep a", []eventsEvent{ev}, []string{"tandem.binding.v1.expired"})
	case ev := <-b.sink.ch:
		checkTypes(t, "sweep b", []eventsEvent{ev}, []string{"tandem.binding.v1.expired"})
	case <-time.After(10 * time.Second):
		t.Fatal("no expiry event from either node")
	}
	awaitChange(t, seenOnB, func(c Change) bool { return len(c.New.Bindings) == 0 })
}

func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	cfg := Defaults()
	if st, err := OpenStore(ctx, cfg, nil, nil); err != nil {
		t.Fatal(err)
	} else if _, ok := st.(*MemStore); !ok {
		t.Errorf("memory: %T", st)
	}
	cfg.Store = StoreJetStream
	if _, err := OpenStore(ctx, cfg, nil, nil); !errors.Is(err, ErrStore) {
		t.Errorf("jetstream without a connection: %v", err)
	}
	api := startNATS(t, t.TempDir())
	nc, err := api.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := OpenStore(ctx, cfg, nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*KVStore); !ok {
		t.Errorf("jetstream: %T", st)
	}
	cfg.Store = "redis"
	if _, err := OpenStore(ctx, cfg, nc, nil); err == nil {
		t.Error("unknown store opened")
	}
}
