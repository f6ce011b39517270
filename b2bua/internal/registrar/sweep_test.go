package registrar

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// runSweep runs the registrar's expiry sweep until the test ends.
func (e *env) runSweep(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// TestExpirySweep: a binding disappears when it expires, with one binding
// expired event at that moment; a refreshed one does not. The clock is
// fake: nothing sleeps.
func TestExpirySweep(t *testing.T) {
	e := newEnv(t)
	e.runSweep(t)
	if res := e.process(t, reg{contacts: []string{"<sip:short@192.0.2.1>;expires=60", "<sip:long@192.0.2.2>;expires=120"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	e.sink.drain()
	e.clock.Advance(59 * time.Second)
	// refresh long before it expires
	if res := e.process(t, reg{cseq: 2, contacts: []string{"<sip:long@192.0.2.2>;expires=120"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	e.clock.Advance(time.Second) // short expires now
	ev := e.sink.await(t, events.TypeBindingExpiredV1).(*events.BindingExpiredV1)
	if ev.Binding.Contact != "sip:short@192.0.2.1" || ev.Binding.AOR != aliceAOR || !ev.Time.Equal(t0.Add(60*time.Second)) {
		t.Errorf("expired event %+v at %s", ev.Binding, ev.Time)
	}
	if got := contactsOf(e.lookup(t, aliceAOR)); len(got) != 1 || got[0] != "sip:long@192.0.2.2" {
		t.Errorf("after expiry: %v", got)
	}
	if e.store.Len() != 1 {
		t.Errorf("store holds %d bindings", e.store.Len())
	}
	e.clock.Advance(120 * time.Second)
	ev = e.sink.await(t, events.TypeBindingExpiredV1).(*events.BindingExpiredV1)
	if ev.Binding.Contact != "sip:long@192.0.2.2" {
		t.Errorf("second expiry %+v", ev.Binding)
	}
	if e.store.Len() != 0 {
		t.Errorf("store holds %d bindings", e.store.Len())
	}
	if got := e.metricValue(t, "tandem_registrar_bindings_expired_total", ""); got != 2 {
		t.Errorf("expired metric %v", got)
	}
}

// TestExpiryManyAtOnce: bindings of many AORs expiring together are all
// reported, each once.
func TestExpiryManyAtOnce(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Domains = nil })
	e.runSweep(t)
	const n = 50
	for i := range n {
		res := e.process(t, reg{ruri: "sip:h" + uitoa(i), to: "sip:u" + uitoa(i) + "@h" + uitoa(i), contacts: []string{"<sip:x@192.0.2.1>;expires=60"}})
		if res.Code != 200 {
			t.Fatal(res.Code, res.Err)
		}
	}
	e.sink.drain()
	e.clock.Advance(time.Hour)
	seen := map[string]bool{}
	for range n {
		ev := e.sink.await(t, events.TypeBindingExpiredV1).(*events.BindingExpiredV1)
		if seen[ev.Binding.AOR] {
			t.Errorf("%s expired twice", ev.Binding.AOR)
		}
		seen[ev.Binding.AOR] = true
	}
	if e.store.Len() != 0 {
		t.Errorf("%d bindings left", e.store.Len())
	}
}

func uitoa(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// TestEvents: what a REGISTER publishes.
func TestEvents(t *testing.T) {
	e := newEnv(t)
	inst := instParam(instA)
	res := e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>;q=0.5" + inst}, supported: "gruu", source: "192.0.2.1:5070"})
	want := []string{events.TypeBindingAddedV1, events.TypeGRUUMintedV1, events.TypeGRUUMintedV1}
	checkTypes(t, "register", res.Events, want)
	added := res.Events[0].(*events.BindingAddedV1)
	if b := added.Binding; b.AOR != aliceAOR || b.Contact != "sip:a@192.0.2.1" || b.Instance != instA || b.Q != "0.5" ||
		b.Expires != 3600 || b.SIPCallID != "call-1" || b.CSeq != 1 || b.Source != "192.0.2.1:5070" || b.RecordVersion == 0 {
		t.Errorf("added %+v", b)
	}
	pub, temp := res.Events[1].(*events.GRUUMintedV1), res.Events[2].(*events.GRUUMintedV1)
	if pub.Kind != "pub" || pub.URI != "sip:alice@example.com;gr="+instA || temp.Kind != "temp" || temp.SIPCallID != "call-1" || temp.FirstCSeq != 1 {
		t.Errorf("minted %+v %+v", pub, temp)
	}
	if got := e.sink.drain(); len(got) != len(res.Events) {
		t.Errorf("published %d events, returned %d", len(got), len(res.Events))
	}

	res = e.process(t, reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>" + inst}, supported: "gruu"})
	checkTypes(t, "refresh", res.Events, []string{events.TypeBindingRefreshedV1, events.TypeGRUUMintedV1})

	res = e.process(t, reg{cseq: 3, contacts: []string{"<sip:b@192.0.2.2>"}})
	checkTypes(t, "another contact, no gruu", res.Events, []string{events.TypeBindingAddedV1})

	res = e.process(t, reg{cseq: 4, contacts: []string{"<sip:b@192.0.2.2>;expires=0"}})
	checkTypes(t, "unregister", res.Events, []string{events.TypeBindingRemovedV1})
	if r := res.Events[0].(*events.BindingRemovedV1); r.Reason != "unregistered" || r.Binding.Expires != 0 {
		t.Errorf("removed %+v", r)
	}

	res = e.process(t, reg{cseq: 5, contacts: []string{"*"}, expires: "0"})
	checkTypes(t, "wildcard", res.Events, []string{events.TypeBindingRemovedV1})
	if r := res.Events[0].(*events.BindingRemovedV1); r.Reason != "wildcard" {
		t.Errorf("removed %+v", r)
	}

	res = e.process(t, reg{cseq: 6, contacts: []string{"<sip:c@192.0.2.3>;expires=1"}})
	checkTypes(t, "refused", res.Events, nil)

	// an expired binding not yet swept is reported when a REGISTER finds it
	e.process(t, reg{cseq: 6, contacts: []string{"<sip:d@192.0.2.4>;expires=60"}})
	e.clock.Advance(2 * time.Minute)
	res = e.process(t, reg{cseq: 7, contacts: []string{"<sip:d@192.0.2.4>;expires=60"}})
	checkTypes(t, "re-register after expiry", res.Events, []string{events.TypeBindingExpiredV1, events.TypeBindingAddedV1})
}

func checkTypes(t *testing.T, name string, evs []events.Event, want []string) {
	t.Helper()
	if len(evs) != len(want) {
		t.Errorf("%s: %d events, want %v", name, len(evs), want)
		return
	}
	for i, ev := range evs {
		if ev.Env().Type != want[i] || ev.Env().Time.IsZero() || ev.Env().CallID != "" {
			t.Errorf("%s: event %d %s, want %s", name, i, ev.Env().Type, want[i])
		}
	}
}
