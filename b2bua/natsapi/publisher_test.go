package natsapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// Events published in order arrive in the stream in that order, on their
// subjects, with the envelope ID as Nats-Msg-Id; a consumer created after
// publishing reads them all.
func TestPublishInOrder(t *testing.T) {
	e := startAPI(t)
	ctx := ctxT(t, 30*time.Second)

	const calls, perCall = 5, 60
	var want []string // subjects in publish order
	var ids []string
	for seq := uint64(1); seq <= perCall; seq++ {
		for c := range calls {
			ev := callEvent(fmt.Sprintf("call-%d", c), seq)
			e.api.Publish(ev)
			want = append(want, events.EventSubject(testNode, ev.Env().CallID, ev.Name()))
			ids = append(ids, ev.Env().ID)
		}
	}
	if err := e.api.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}

	got := readStream(t, ctx, connect(t, e.api.ClientURL()))
	if len(got) != len(want) {
		t.Fatalf("stream has %d events, want %d", len(got), len(want))
	}
	lastSeq := map[string]uint64{}
	for i, m := range got {
		if m.subject != want[i] {
			t.Errorf("event %d: subject %q, want %q", i, m.subject, want[i])
		}
		if m.msgID != ids[i] || m.env.ID != ids[i] {
			t.Errorf("event %d: Nats-Msg-Id %q, envelope id %q, want %q", i, m.msgID, m.env.ID, ids[i])
		}
		if m.env.Seq != lastSeq[m.env.CallID]+1 {
			t.Errorf("event %d: call %s seq %d after %d", i, m.env.CallID, m.env.Seq, lastSeq[m.env.CallID])
		}
		lastSeq[m.env.CallID] = m.env.Seq
	}
	if n := metric(t, e.reg, "tandem_nats_events_published_total"); n != float64(len(want)) {
		t.Errorf("published metric = %v, want %d", n, len(want))
	}
	if n := metric(t, e.reg, "tandem_nats_events_queued"); n != 0 {
		t.Errorf("queued metric = %v after Flush, want 0", n)
	}
}

// Subjects carry the event's name and a call id made safe as a token; an
// empty envelope node, id and time are filled in.
func TestPublishSubjectAndFilledEnvelope(t *testing.T) {
	e := startAPI(t)
	ctx := ctxT(t, 30*time.Second)

	ev := &events.LegRingingV1{Envelope: events.Envelope{Type: events.TypeLegRingingV1, CallID: "a.b c", Seq: 1}, Code: 183}
	e.api.Publish(ev)
	if err := e.api.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, ctx, e.api.Conn())
	if len(got) != 1 {
		t.Fatalf("stream has %d events, want 1", len(got))
	}
	if want := "tandem.v1.evt.node-1.call.a_b_c.leg_ringing"; got[0].subject != want {
		t.Errorf("subject %q, want %q", got[0].subject, want)
	}
	if got[0].env.Node != testNode || got[0].env.ID == "" || got[0].env.Time.IsZero() {
		t.Errorf("envelope not filled in: %+v", got[0].env)
	}
	if got[0].msgID != got[0].env.ID {
		t.Errorf("Nats-Msg-Id %q, envelope id %q", got[0].msgID, got[0].env.ID)
	}
}

// The same envelope ID published twice is stored once.
func TestPublishDeduplicatesByID(t *testing.T) {
	e := startAPI(t)
	ctx := ctxT(t, 30*time.Second)

	e.api.Publish(callEvent("dup", 1))
	e.api.Publish(callEvent("dup", 1))
	e.api.Publish(callEvent("dup", 2))
	if err := e.api.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, ctx, e.api.Conn())
	if len(got) != 2 || got[0].env.Seq != 1 || got[1].env.Seq != 2 {
		t.Fatalf("stream = %+v, want seq 1 and 2 once each", got)
	}
}

// Flush then Close leaves nothing unpublished: a second API on the same
// data dir finds every event in the stream.
func TestFlushThenCloseLeavesNothingUnpublished(t *testing.T) {
	dir := t.TempDir()
	e := startAPI(t, func(c *natsapi.Config) { c.Embedded.DataDir = dir })
	ctx := ctxT(t, 30*time.Second)

	const n = 1000
	for i := range uint64(n) {
		e.api.Publish(callEvent(fmt.Sprintf("c%d", i%7), i/7+1))
	}
	if err := e.api.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if err := e.api.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e.api.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	again := startAPI(t, func(c *natsapi.Config) { c.Embedded.DataDir = dir })
	if got := readStream(t, ctx, again.api.Conn()); len(got) != n {
		t.Fatalf("stream has %d events after restart, want %d", len(got), n)
	}
}

// Close alone publishes what is queued.
func TestCloseFlushes(t *testing.T) {
	dir := t.TempDir()
	e := startAPI(t, func(c *natsapi.Config) { c.Embedded.DataDir = dir })
	const n = 300
	for i := range uint64(n) {
		e.api.Publish(callEvent("c", i+1))
	}
	if err := e.api.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := metric(t, e.reg, "tandem_nats_events_published_total"); got != n {
		t.Fatalf("published %v events, want %d", got, n)
	}
	again := startAPI(t, func(c *natsapi.Config) { c.Embedded.DataDir = dir })
	if got := readStream(t, ctxT(t, 30*time.Second), again.api.Conn()); len(got) != n {
		t.Fatalf("stream has %d events after restart, want %d", len(got), n)
	}
}

// After Close, Publish drops (counted, logged with the call id) and Flush
// says ErrClosed.
func TestPublishAfterClose(t *testing.T) {
	e := startAPI(t)
	if err := e.api.Close(); err != nil {
		t.Fatal(err)
	}
	e.api.Publish(callEvent("late-call", 1))
	if n := metric(t, e.reg, "tandem_nats_events_dropped_total", "reason", "closed"); n != 1 {
		t.Errorf("dropped{closed} = %v, want 1", n)
	}
	recs := e.logs.records("natsapi: event dropped")
	if len(recs) != 1 || recs[0]["level"] != "ERROR" || recs[0]["call_id"] != "late-call" {
		t.Errorf("drop log = %v, want one ERROR with call_id late-call", recs)
	}
	if err := e.api.Flush(ctxT(t, 5*time.Second)); !errors.Is(err, natsapi.ErrClosed) {
		t.Errorf("Flush after Close = %v, want ErrClosed", err)
	}
}

// With the server down, Publish does not block: the queue fills and the
// rest is dropped (counted, logged). When the server is back, the queued
// events are published (again, deduplicated) and Flush returns.
func TestPublishQueueFullThenRecovers(t *testing.T) {
	dir := t.TempDir()
	srv := runServer(t, dir, -1)
	port := serverPort(srv)
	cfg := natsapi.Defaults()
	cfg.URL = srv.ClientURL()
	cfg.QueueSize = 4
	cfg.PublishTimeout = 200 * time.Millisecond
	e := startWith(t, cfg)
	ctx := ctxT(t, 60*time.Second)

	e.api.Publish(callEvent("before", 1))
	if err := e.api.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown()
	srv.WaitForShutdown()

	const n = 1000
	for i := range uint64(n) {
		e.api.Publish(callEvent(fmt.Sprintf("c%d", i%5), i/5+1))
	}
	dropped := metric(t, e.reg, "tandem_nats_events_dropped_total", "reason", "queue_full")
	// The publishing goroutine holds at most one batch (256) while the
	// server is away; the queue holds 4.
	if dropped < n-256-4 {
		t.Fatalf("dropped %v events, want at least %d", dropped, n-256-4)
	}
	// Drops are logged at most once a second, each line counting the drops
	// since the previous one: a flood of drops is not a flood of logs.
	recs := e.logs.records("natsapi: event dropped")
	if len(recs) == 0 || len(recs) > int(dropped) {
		t.Errorf("%d drop logs for %v drops, want between 1 and the drops", len(recs), dropped)
	} else if recs[0]["level"] != "ERROR" || recs[0]["call_id"] == "" {
		t.Errorf("drop log %v lacks ERROR level or call_id", recs[0])
	}

	runServer(t, dir, port)
	if err := e.api.Flush(ctx); err != nil {
		t.Fatalf("Flush after restart: %v", err)
	}
	got := readStream(t, ctx, e.api.Conn())
	if want := 1 + n - int(dropped); len(got) != want {
		t.Fatalf("stream has %d events, want %d", len(got), want)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.env.ID] {
			t.Errorf("event %s stored twice", m.env.ID)
		}
		seen[m.env.ID] = true
	}
	if metric(t, e.reg, "tandem_nats_event_publish_retries_total") == 0 {
		t.Error("no retries counted")
	}
}

// Close gives up after FlushTimeout when events cannot be published, and
// says so.
func TestCloseBoundedByFlushTimeout(t *testing.T) {
	srv := runServer(t, t.TempDir(), -1)
	cfg := natsapi.Defaults()
	cfg.URL = srv.ClientURL()
	cfg.QueueSize = 4
	cfg.PublishTimeout = 100 * time.Millisecond
	cfg.FlushTimeout = 200 * time.Millisecond
	e := startWith(t, cfg)
	srv.Shutdown()
	srv.WaitForShutdown()

	for i := range uint64(20) {
		e.api.Publish(callEvent("stuck", i+1))
	}
	err := e.api.Close()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want a deadline error", err)
	}
	lost := metric(t, e.reg, "tandem_nats_events_dropped_total", "reason", "shutdown") +
		metric(t, e.reg, "tandem_nats_events_dropped_total", "reason", "queue_full")
	if lost != 20 {
		t.Errorf("dropped at shutdown or queue full = %v, want 20", lost)
	}
}
