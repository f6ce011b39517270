package conference

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// fakeCore records the app's commands and answers them as told.
type fakeCore struct {
	mu       sync.Mutex
	log      []string         // one line per command
	fail     map[string]error // by command word: "join", "set"...
	events   []events.Event   // decoded publications
	notifies []fakeNotify     // NOTIFYs sent
	calls    map[string]events.CallInfoV1
	next     int
}

type fakeNotify struct {
	sub   string
	state string
	body  string
}

func newFakeCore() *fakeCore {
	return &fakeCore{fail: map[string]error{}, calls: map[string]events.CallInfoV1{}}
}

func (f *fakeCore) record(word, format string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, word+" "+fmt.Sprintf(format, args...))
	return f.fail[word]
}

// commands returns the commands so far and forgets them.
func (f *fakeCore) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func (f *fakeCore) CreateRoom(_ context.Context, node, room, rec string) error {
	return f.record("create", "%s %s rec=%q", node, room, rec)
}

func (f *fakeCore) DestroyRoom(_ context.Context, node, room string) error {
	return f.record("destroy", "%s %s", node, room)
}

func (f *fakeCore) Join(_ context.Context, node, leg, room string, muted, deaf bool) error {
	return f.record("join", "%s %s %s muted=%v deaf=%v", node, leg, room, muted, deaf)
}

func (f *fakeCore) Set(_ context.Context, node, leg string, muted, deaf *bool) error {
	s := func(b *bool) string {
		if b == nil {
			return "-"
		}
		return fmt.Sprint(*b)
	}
	return f.record("set", "%s %s muted=%s deaf=%s", node, leg, s(muted), s(deaf))
}

func (f *fakeCore) Hangup(_ context.Context, node, leg, reason string) error {
	return f.record("hangup", "%s %s %s", node, leg, reason)
}

func (f *fakeCore) Originate(_ context.Context, node string, req events.LegsOriginateRequestV1) (string, string, error) {
	if err := f.record("originate", "%s %s from=%s", node, req.Target, req.From); err != nil {
		return "", "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	call := fmt.Sprintf("o%d", f.next)
	return call, call + "-o1", nil
}

func (f *fakeCore) GetCall(_ context.Context, _, callID string) (events.CallInfoV1, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[callID]
	if !ok {
		return c, events.NewError(events.ErrUnknownCall, "no call %s", callID)
	}
	return c, nil
}

func (f *fakeCore) Notify(_ context.Context, _, sub string, hdrs []events.HeaderV1, body []byte) (int, error) {
	if err := f.record("notify", "%s", sub); err != nil {
		return 0, err
	}
	n := fakeNotify{sub: sub, body: string(body)}
	for _, h := range hdrs {
		if h.Name == "Subscription-State" {
			n.state = h.Value
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notifies = append(f.notifies, n)
	return 200, nil
}

func (f *fakeCore) Publish(subject string, data []byte) error {
	var env events.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return err
	}
	var ev events.Event
	switch env.Type {
	case TypeRoomCreatedV1:
		ev = new(RoomCreatedV1)
	case TypeRoomEndedV1:
		ev = new(RoomEndedV1)
	case TypeRoomLockedV1:
		ev = new(RoomLockedV1)
	case TypeLeaseRenewedV1:
		ev = new(LeaseRenewedV1)
	case TypeParticipantJoinedV1:
		ev = new(ParticipantJoinedV1)
	case TypeParticipantUpdatedV1:
		ev = new(ParticipantUpdatedV1)
	case TypeParticipantLeftV1:
		ev = new(ParticipantLeftV1)
	default:
		return fmt.Errorf("unknown event %s", env.Type)
	}
	if err := json.Unmarshal(data, ev); err != nil {
		return err
	}
	if want := EventSubject(env.Node, roomOf(ev), ev.Name()); subject != want {
		return fmt.Errorf("subject %s, want %s", subject, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return nil
}

func roomOf(ev events.Event) string {
	switch e := ev.(type) {
	case *RoomCreatedV1:
		return e.Room
	case *RoomEndedV1:
		return e.Room
	case *RoomLockedV1:
		return e.Room
	case *LeaseRenewedV1:
		return e.Room
	case *ParticipantJoinedV1:
		return e.Room
	case *ParticipantUpdatedV1:
		return e.Room
	case *ParticipantLeftV1:
		return e.Room
	}
	return ""
}

// published returns the events so far and forgets them.
func (f *fakeCore) published() []events.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.events
	f.events = nil
	return out
}

// sent returns the NOTIFYs so far and forgets them.
func (f *fakeCore) sent() []fakeNotify {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.notifies
	f.notifies = nil
	return out
}

// fakeTimers holds the app's timers for the test to fire, and its clock.
type fakeTimers struct {
	mu    sync.Mutex
	all   []*fakeTimer
	clock time.Time
}

func (ts *fakeTimers) now() time.Time {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.clock
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (ts *fakeTimers) after(d time.Duration, f func()) stopper {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	ts.all = append(ts.all, t)
	return t
}

// fire moves the clock d on and runs the live timers of duration d.
func (ts *fakeTimers) fire(d time.Duration) int {
	ts.mu.Lock()
	ts.clock = ts.clock.Add(d)
	var due []*fakeTimer
	for _, t := range ts.all {
		if t.d == d && !t.stopped {
			t.stopped = true
			due = append(due, t)
		}
	}
	ts.mu.Unlock()
	for _, t := range due {
		t.f()
	}
	return len(due)
}

// testApp is an app on a fake core whose goroutines run at once, in the
// caller's (after the lock is released): each test step is complete when
// it returns.
func testApp(t *testing.T, cfgJSON string) (*app, *fakeCore, *fakeTimers) {
	t.Helper()
	cfg, err := ParseConfig([]byte(cfgJSON))
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.compile()
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeCore()
	ts := &fakeTimers{clock: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	a := newApp(s, f, slog.New(slog.DiscardHandler), "n1", "conference",
		func(fn func(context.Context)) bool { fn(context.Background()); return true })
	a.after, a.now = ts.after, ts.now
	return a, f, ts
}

// dialIn admits a call to user and parks it; it returns the A leg.
func dialIn(t *testing.T, a *app, call, user string) (string, events.RouteDecisionV1) {
	t.Helper()
	req := events.RouteRequestV1{User: user, Host: "tandem.test", From: `"Al" <sip:` + call + `@example.com>;tag=x`}
	req.CallID, req.LegID, req.Node = call, call+"-a", "n1"
	d, err := a.route(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Action == events.RoutePark {
		p := &events.CallParkedV1{Controller: d.Controller}
		p.CallID, p.LegID = call, call+"-a"
		a.onParked(p)
	}
	return call + "-a", d
}

// digits sends digits of leg in room as mixer_digit events.
func digits(a *app, leg, room, ds string) {
	for _, d := range ds {
		ev := &events.MixerDigitV1{RoomID: room, Digit: string(d)}
		ev.LegID = leg
		a.onDigit(ev)
	}
}

// legEnded sends leg's leg_ended event.
func legEnded(a *app, leg string) {
	ev := &events.LegEndedV1{}
	ev.LegID = leg
	a.onLegEnded(ev)
}

// wantCommands compares the core commands with want, in order.
func wantCommands(t *testing.T, f *fakeCore, want ...string) {
	t.Helper()
	got := f.commands()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// eventTypes are the names of events.
func eventNames(evs []events.Event) string {
	var n []string
	for _, e := range evs {
		n = append(n, e.Name())
	}
	return strings.Join(n, " ")
}
