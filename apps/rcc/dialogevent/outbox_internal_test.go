package dialogevent

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

const wait = 5 * time.Second

// sent is one NOTIFY a fake core received.
type sent struct {
	id, state string
	version   string
	full      bool
	dialogIDs []string
	states    []string
}

// fakeCore stands for legs.request: it records each NOTIFY, holds it until
// the test releases it, and checks that no two of one subscription are in
// flight.
type fakeCore struct {
	t       *testing.T
	release chan struct{} // one token per NOTIFY answered
	got     chan sent
	err     error // returned for every NOTIFY, when set
	wg      sync.WaitGroup

	mu       sync.Mutex
	inFlight map[string]int // by subscription
}

func newFakeCore(t *testing.T) *fakeCore {
	return &fakeCore{t: t, release: make(chan struct{}, 1000), got: make(chan sent, 1000), inFlight: map[string]int{}}
}

var (
	versionRE = regexp.MustCompile(`version="(\d+)" state="(\w+)"`)
	dialogRE  = regexp.MustCompile(`<dialog id="([^"]+)"[^>]*><state[^>]*>(\w+)</state>`)
)

func (f *fakeCore) send(ctx context.Context, id string, hdrs []events.HeaderV1, body []byte) (int, error) {
	f.mu.Lock()
	f.inFlight[id]++
	if n := f.inFlight[id]; n != 1 {
		f.t.Errorf("%d NOTIFYs of %s in flight", n, id)
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[id]--
		f.mu.Unlock()
	}()
	s := sent{id: id}
	for _, h := range hdrs {
		if h.Name == "Subscription-State" {
			s.state = h.Value
		}
	}
	if m := versionRE.FindSubmatch(body); m != nil {
		s.version, s.full = string(m[1]), string(m[2]) == "full"
	}
	for _, m := range dialogRE.FindAllSubmatch(body, -1) {
		s.dialogIDs = append(s.dialogIDs, string(m[1]))
		s.states = append(s.states, string(m[2]))
	}
	f.got <- s
	select {
	case <-f.release:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if f.err != nil {
		return 0, f.err
	}
	return 200, nil
}

func (f *fakeCore) spawn(ctx context.Context) spawnFunc {
	return func(fn func(context.Context)) bool {
		f.wg.Add(1)
		go func() { defer f.wg.Done(); fn(ctx) }()
		return true
	}
}

func (f *fakeCore) next() sent {
	f.t.Helper()
	select {
	case s := <-f.got:
		return s
	case <-time.After(wait):
		f.t.Fatal("no NOTIFY")
		return sent{}
	}
}

func (f *fakeCore) none() {
	f.t.Helper()
	select {
	case s := <-f.got:
		f.t.Fatalf("unexpected NOTIFY %+v", s)
	default:
	}
}

func partial(id string, st State) notice {
	return notice{dialogs: []Dialog{{ID: id, State: st}}}
}

func newTestOutbox(t *testing.T) (*outbox, *fakeCore, chan struct{}) {
	f := newFakeCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan struct{}, 10)
	o := newOutbox("s1", "sip:bob@x", f.send, f.spawn(ctx), slog.New(slog.DiscardHandler), func() { gone <- struct{}{} })
	t.Cleanup(func() { cancel(); f.wg.Wait() })
	return o, f, gone
}

// NOTIFYs go one at a time, in order, numbered from 0.
func TestOutboxInOrder(t *testing.T) {
	o, f, _ := newTestOutbox(t)
	o.push(notice{full: true})
	o.push(partial("l1", Trying))
	o.push(partial("l1", Early))
	for i, want := range []string{"0 full []", "1 partial [trying]", "2 partial [early]"} {
		s := f.next()
		kind := "partial"
		if s.full {
			kind = "full"
		}
		if got := s.version + " " + kind + " [" + strings.Join(s.states, " ") + "]"; got != want || s.id != "s1" {
			t.Fatalf("NOTIFY %d: %s on %s, want %s", i, got, s.id, want)
		}
		f.none() // the next waits for this one's answer
		f.release <- struct{}{}
	}
	f.wg.Wait() // the sender is done once the queue is empty
	o.push(partial("l1", Confirmed))
	if s := f.next(); s.version != "3" {
		t.Fatalf("after a pause: version %s, want 3", s.version)
	}
	f.release <- struct{}{}
}

// A full state supersedes what waits; past the backlog partial changes
// are merged, the newest state of a dialog winning.
func TestOutboxCoalesces(t *testing.T) {
	o, f, _ := newTestOutbox(t)
	o.push(partial("l0", Trying))
	f.next() // in flight
	o.push(partial("l1", Trying))
	o.push(notice{full: true, dialogs: []Dialog{{ID: "l1", State: Early}}})
	for i := range maxBacklog + 10 {
		st := Early
		if i%2 == 1 {
			st = Confirmed
		}
		o.push(partial("m"+string(rune('a'+i%5)), st))
	}
	for range maxBacklog + 20 {
		f.release <- struct{}{}
	}
	s := f.next()
	if s.version != "1" || !s.full || strings.Join(s.dialogIDs, " ") != "l1" {
		t.Fatalf("after the one in flight: %+v, want the full state", s)
	}
	var last sent
	n := 0
	for len(f.got) > 0 || n < maxBacklog-1 {
		last = f.next()
		n++
	}
	f.wg.Wait()
	f.none()
	if n != maxBacklog-1 || last.version != "32" {
		t.Fatalf("%d partial NOTIFYs after the full one, the last %+v; want %d, version 32", n, last, maxBacklog-1)
	}
	// pushes 30 to 41 in one document: of each dialog the newest
	got := ""
	for i, id := range last.dialogIDs {
		got += id + "=" + last.states[i] + " "
	}
	if want := "ma=early mb=confirmed mc=confirmed md=early me=confirmed "; got != want {
		t.Fatalf("merged NOTIFY %s, want %s", got, want)
	}
}

// The last NOTIFY ends the outbox; so does a subscription the core no
// longer knows. Nothing is queued after either.
func TestOutboxEnds(t *testing.T) {
	t.Run("last", func(t *testing.T) {
		o, f, gone := newTestOutbox(t)
		o.push(notice{full: true, state: stateEnded, last: true})
		o.push(partial("l1", Trying))
		if s := f.next(); s.state != stateEnded || !s.full {
			t.Fatalf("%+v", s)
		}
		f.release <- struct{}{}
		select {
		case <-gone:
		case <-time.After(wait):
			t.Fatal("not gone")
		}
		f.wg.Wait()
		f.none()
	})
	t.Run("unknown", func(t *testing.T) {
		o, f, gone := newTestOutbox(t)
		f.err = events.NewError(events.ErrUnknownLeg, "no subscription")
		o.push(notice{full: true})
		o.push(partial("l1", Trying))
		f.next()
		f.release <- struct{}{}
		select {
		case <-gone:
		case <-time.After(wait):
			t.Fatal("not gone")
		}
		f.wg.Wait()
		o.push(partial("l1", Early))
		f.wg.Wait()
		f.none()
	})
	t.Run("other errors go on", func(t *testing.T) {
		o, f, gone := newTestOutbox(t)
		f.err = context.DeadlineExceeded
		o.push(notice{full: true})
		o.push(partial("l1", Trying))
		f.next()
		f.release <- struct{}{}
		if s := f.next(); s.version != "1" {
			t.Fatalf("%+v", s)
		}
		f.release <- struct{}{}
		f.wg.Wait()
		if len(gone) != 0 {
			t.Fatal("gone after a failed NOTIFY")
		}
	})
}
