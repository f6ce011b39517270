package harness

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/tandem-sip/tandem/events"
)

// Event is one recorded event: its envelope, subject and raw JSON.
type Event struct {
	events.Envelope
	Subject string
	Raw     json.RawMessage
}

// Decode unmarshals the event into v (e.g. *events.LegEndedV1).
func (e Event) Decode(v any) error { return json.Unmarshal(e.Raw, v) }

// Recorder collects a node's events.
type Recorder struct {
	t    testing.TB
	nc   *nats.Conn
	mu   sync.Mutex // guards evs
	evs  []Event
	more chan struct{} // closed and replaced on every new event
}

func newRecorder(t testing.TB, url string) *Recorder {
	nc, err := nats.Connect(url, nats.Name("harness-recorder"))
	if err != nil {
		t.Fatalf("harness: recorder connect: %v", err)
	}
	r := &Recorder{t: t, nc: nc, more: make(chan struct{})}
	_, err = nc.Subscribe(events.EventPrefix+".>", func(m *nats.Msg) {
		var e Event
		if err := json.Unmarshal(m.Data, &e.Envelope); err != nil {
			t.Errorf("harness: undecodable event on %s: %v", m.Subject, err)
			return
		}
		e.Subject = m.Subject
		e.Raw = append(json.RawMessage(nil), m.Data...)
		r.mu.Lock()
		r.evs = append(r.evs, e)
		close(r.more)
		r.more = make(chan struct{})
		r.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("harness: recorder subscribe: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("harness: recorder flush: %v", err)
	}
	t.Cleanup(func() { nc.Close() })
	return r
}

// All returns the events recorded so far.
func (r *Recorder) All() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.evs...)
}

// Call returns the recorded events of one call, in arrival order.
func (r *Recorder) Call(callID string) []Event {
	var out []Event
	for _, e := range r.All() {
		if e.CallID == callID {
			out = append(out, e)
		}
	}
	return out
}

// Await waits up to timeout for an event of type typ matching match (nil
// matches any) and returns it; it fails the test on timeout, listing what
// did arrive.
func (r *Recorder) Await(typ string, match func(Event) bool, timeout time.Duration) Event {
	r.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		r.mu.Lock()
		evs, more := r.evs, r.more
		r.mu.Unlock()
		for _, e := range evs[seen:] {
			if e.Type == typ && (match == nil || match(e)) {
				return e
			}
		}
		seen = len(evs)
		select {
		case <-more:
		case <-deadline.C:
			r.t.Fatalf("harness: no %s event within %v; got:\n%s", typ, timeout, r.describe())
			return Event{}
		}
	}
}

// AwaitCallEnd waits for the call.ended event of a call.
func (r *Recorder) AwaitCallEnd(callID string, timeout time.Duration) events.CallEndedV1 {
	r.t.Helper()
	e := r.Await(events.TypeCallEndedV1, func(e Event) bool { return e.CallID == callID }, timeout)
	var ev events.CallEndedV1
	if err := e.Decode(&ev); err != nil {
		r.t.Fatalf("harness: decode call ended: %v", err)
	}
	return ev
}

// Types lists the types of a call's events in order.
func (r *Recorder) Types(callID string) []string {
	var out []string
	for _, e := range r.Call(callID) {
		out = append(out, e.Type)
	}
	return out
}

func (r *Recorder) describe() string {
	var b strings.Builder
	for _, e := range r.All() {
		fmt.Fprintf(&b, "  %s seq=%d call=%s leg=%s %s\n", e.Type, e.Seq, e.CallID, e.LegID, e.Raw)
	}
	return b.String()
}
