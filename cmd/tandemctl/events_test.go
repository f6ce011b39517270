package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// env is the envelope of a test event: seq ms after t0, id <call>-<seq>.
func env(typ, node, callID, legID string, seq uint64) events.Envelope {
	return events.Envelope{Type: typ, ID: fmt.Sprintf("%s-%s-%d", node, callID, seq), Time: t0.Add(time.Duration(seq) * time.Millisecond),
		Node: node, CallID: callID, LegID: legID, Seq: seq}
}

func created(callID string, seq uint64) *events.CallCreatedV1 {
	return &events.CallCreatedV1{Envelope: env(events.TypeCallCreatedV1, testNode, callID, "", seq),
		From: `"Alice Smith" <sip:alice@10.0.0.1>;tag=a1`, To: "<sip:bob@tandem>", RequestURI: "sip:bob@tandem", Source: "10.0.0.1:5062", Transport: "udp"}
}

func legCreated(callID string, seq uint64) *events.LegCreatedV1 {
	return &events.LegCreatedV1{Envelope: env(events.TypeLegCreatedV1, testNode, callID, "leg-a", seq),
		Side: events.SideA, Target: "sip:alice@10.0.0.1", SIPCallID: "abc@10.0.0.1"}
}

func ringing(callID string, seq uint64) *events.LegRingingV1 {
	return &events.LegRingingV1{Envelope: env(events.TypeLegRingingV1, testNode, callID, "leg-b", seq), Code: 180}
}

func legEnded(callID string, seq uint64) *events.LegEndedV1 {
	return &events.LegEndedV1{Envelope: env(events.TypeLegEndedV1, testNode, callID, "leg-b", seq), Side: events.SideB, Code: 486, Reason: "busy"}
}

func ended(callID string, seq uint64) *events.CallEndedV1 {
	return &events.CallEndedV1{Envelope: env(events.TypeCallEndedV1, testNode, callID, "", seq), HungUpBy: "b", Code: 486, Reason: "busy"}
}

// watch runs tandemctl with args in the background until it has
// subscribed; wait returns its exit code.
type watch struct {
	stdout, stderr *syncBuffer
	done           chan int
	cancel         context.CancelFunc
}

func startWatch(t *testing.T, args ...string) *watch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	w := &watch{stdout: newSyncBuffer(), stderr: newSyncBuffer(), done: make(chan int, 1), cancel: cancel}
	go func() { w.done <- run(ctx, args, w.stdout, w.stderr, func(string) string { return "" }) }()
	t.Cleanup(func() {
		cancel()
		<-w.done
	})
	deadline := time.After(10 * time.Second)
	for {
		out, changed := w.stderr.snapshot()
		if strings.Contains(out, "tandemctl: watching ") {
			return w
		}
		select {
		case code := <-w.done:
			w.done <- code
			t.Fatalf("tandemctl %q exited %d before watching; stderr:\n%s", args, code, out)
		case <-changed:
		case <-deadline:
			t.Fatalf("tandemctl %q is not watching after 10s; stderr:\n%s", args, out)
		}
	}
}

// wait waits for the watch to exit by itself (--count) and returns its
// exit code.
func (w *watch) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-w.done:
		w.done <- code // for the cleanup
		t.Logf("stdout:\n%s\nstderr:\n%s", w.stdout, w.stderr)
		return code
	case <-time.After(10 * time.Second):
		t.Fatalf("watch did not end; stdout:\n%s\nstderr:\n%s", w.stdout, w.stderr)
		return -1
	}
}

func publish(t *testing.T, api *natsapi.API, evs ...events.Event) {
	t.Helper()
	for _, ev := range evs {
		api.Publish(ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := api.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

func TestEventsWatch(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	w := startWatch(t, "--nats", api.ClientURL(), "events", "watch", "--count", "7")
	if !strings.Contains(w.stderr.String(), "watching tandem.v1.evt.>") {
		t.Errorf("stderr %q", w.stderr)
	}
	publish(t, api,
		created("c1", 1),
		legCreated("c1", 2),
		legCreated("c1", 2), // a publish retry: same id and seq, shown once
		ringing("c1", 4),    // seq 3 is missing
		created("c2", 1),
		created("c3", 1),
		ringing("c3", 3),    // seq 2 is missing...
		legCreated("c3", 2), // ...and arrives late
		ended("c1", 5),
	)
	if code := w.wait(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want := []string{
		`2025-03-04T10:00:00.001Z node-1 c1 #1 created from="\"Alice Smith\" <sip:alice@10.0.0.1>;tag=a1" to=<sip:bob@tandem> request_uri=sip:bob@tandem source=10.0.0.1:5062 transport=udp`,
		`2025-03-04T10:00:00.002Z node-1 c1 #2 leg_created leg=leg-a side=a target=sip:alice@10.0.0.1 sip_call_id=abc@10.0.0.1`,
		`2025-03-04T10:00:00.004Z node-1 c1 #4 leg_ringing leg=leg-b code=180 early_media=false`,
		`2025-03-04T10:00:00.001Z node-1 c2 #1 created`,
		`2025-03-04T10:00:00.001Z node-1 c3 #1 created`,
		`2025-03-04T10:00:00.003Z node-1 c3 #3 leg_ringing leg=leg-b code=180 early_media=false`,
		`2025-03-04T10:00:00.002Z node-1 c3 #2 leg_created leg=leg-a`,
	}
	got := lines(w.stdout.String())
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d (the duplicate shown once, c1's ended not yet)", len(got), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
	stderr := w.stderr.String()
	for _, s := range []string{
		"tandemctl: warning: call c1 (node node-1): missed events seq 3 (got 4 after 2)",
		"tandemctl: warning: call c3 (node node-1): missed events seq 2 (got 3 after 1)",
		"tandemctl: warning: call c3 (node node-1): event seq 2 arrived late",
	} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q", s)
		}
	}
}

func TestEventsWatchJSONFiltered(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	w := startWatch(t, "--nats", api.ClientURL(), "events", "watch", "--json", "--call", "c1",
		"--type", "leg_ended,"+events.TypeCallEndedV1, "--count", "2")
	if !strings.Contains(w.stderr.String(), "watching "+events.CallEventsFilter("c1")) {
		t.Errorf("stderr %q", w.stderr)
	}
	publish(t, api,
		created("c2", 1), legEnded("c2", 2), // another call
		created("c1", 1), legCreated("c1", 2), ringing("c1", 3), legEnded("c1", 4), ended("c1", 6),
	)
	if code := w.wait(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	got := lines(w.stdout.String())
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2", len(got))
	}
	var e1 events.LegEndedV1
	var e2 events.CallEndedV1
	if err := json.Unmarshal([]byte(got[0]), &e1); err != nil || e1.Type != events.TypeLegEndedV1 || e1.CallID != "c1" || e1.Seq != 4 || e1.Code != 486 {
		t.Errorf("line 0 %s: %+v %v", got[0], e1, err)
	}
	if err := json.Unmarshal([]byte(got[1]), &e2); err != nil || e2.Type != events.TypeCallEndedV1 || e2.Seq != 6 || e2.HungUpBy != "b" {
		t.Errorf("line 1 %s: %+v %v", got[1], e2, err)
	}
	// The gap is noticed on every event of the call, shown or not.
	if !strings.Contains(w.stderr.String(), "missed events seq 5 (got 6 after 4)") {
		t.Errorf("stderr lacks the gap warning: %q", w.stderr)
	}
}

func TestEventsWatchFromStart(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	// Published before the watch starts: only the stream has them.
	publish(t, api, created("c1", 1), created("c2", 1), legCreated("c1", 2), ringing("c1", 4))

	w := startWatch(t, "--nats", api.ClientURL(), "events", "watch", "--from-start", "--call", "c1", "--count", "4")
	if !strings.Contains(w.stderr.String(), "from the start of stream "+events.Stream) {
		t.Errorf("stderr %q", w.stderr)
	}
	w.stdout.waitFor(t, " c1 #4 leg_ringing")
	// Then it follows the stream.
	publish(t, api, ended("c1", 5))
	if code := w.wait(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	got := lines(w.stdout.String())
	wantPrefix := []string{
		"2025-03-04T10:00:00.001Z node-1 c1 #1 created ",
		"2025-03-04T10:00:00.002Z node-1 c1 #2 leg_created ",
		"2025-03-04T10:00:00.004Z node-1 c1 #4 leg_ringing ",
		"2025-03-04T10:00:00.005Z node-1 c1 #5 ended ",
	}
	if len(got) != len(wantPrefix) {
		t.Fatalf("got %d lines, want %d", len(got), len(wantPrefix))
	}
	for i, p := range wantPrefix {
		if !strings.HasPrefix(got[i], p) {
			t.Errorf("line %d = %q, want prefix %q", i, got[i], p)
		}
	}
	if !strings.Contains(w.stderr.String(), "call c1 (node node-1): missed events seq 3 (got 4 after 2)") {
		t.Errorf("stderr lacks the gap warning: %q", w.stderr)
	}

	// Synchronously, JSON: every event of the stream.
	r := runCLI(t, "--nats", api.ClientURL(), "--json", "events", "watch", "--from-start", "--count", "5")
	if r.code != exitOK || len(lines(r.stdout)) != 5 {
		t.Fatalf("exit %d, %d lines; want 0 and 5", r.code, len(lines(r.stdout)))
	}
	var first events.CallCreatedV1
	if err := json.Unmarshal([]byte(lines(r.stdout)[0]), &first); err != nil || first.CallID != "c1" || first.Seq != 1 || first.Source != "10.0.0.1:5062" {
		t.Errorf("first JSON line: %+v %v", first, err)
	}
}

func TestEventsWatchNode(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	w := startWatch(t, "--nats", api.ClientURL(), "--node", "node-2", "events", "watch", "--count", "1")
	other := created("c9", 1)
	other.Node = "node-2"
	publish(t, api, created("c1", 1), other)
	if code := w.wait(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got := lines(w.stdout.String()); len(got) != 1 || !strings.Contains(got[0], " node-2 c9 #1 created ") {
		t.Errorf("stdout %q, want node-2's event only", got)
	}
}

func TestEventsWatchInterrupted(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	w := startWatch(t, "--nats", api.ClientURL(), "events", "watch")
	publish(t, api, created("c1", 1))
	w.stdout.waitFor(t, " c1 #1 created ")
	w.cancel() // Ctrl-C
	if code := w.wait(t); code != exitOK {
		t.Errorf("exit %d after interrupt, want 0", code)
	}
}

func TestEventFilter(t *testing.T) {
	for _, tc := range []struct{ node, call, want string }{
		{"", "", "tandem.v1.evt.>"},
		{"", "c1", "tandem.v1.evt.*.call.c1.>"},
		{"n1", "", "tandem.v1.evt.n1.>"},
		{"n.1", "c 1", "tandem.v1.evt.n_1.call.c_1.>"},
		{"my node", "", "tandem.v1.evt.my_node.>"},
	} {
		if got := eventFilter(tc.node, tc.call); got != tc.want {
			t.Errorf("eventFilter(%q, %q) = %q, want %q", tc.node, tc.call, got, tc.want)
		}
	}
}
