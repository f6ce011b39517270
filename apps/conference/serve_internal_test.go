package conference

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// dispatch decodes, runs and replies; bad requests and unknown verbs get
// typed errors; a repeated request id gets the first reply without
// running again.
func TestDispatch(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	leg, _ := dialIn(t, a, "c1", "1000")
	f.commands()
	c := newCommands(a)
	ctx := context.Background()
	call := func(subject, data string) events.Reply {
		t.Helper()
		var r events.Reply
		if err := json.Unmarshal(c.dispatch(ctx, subject, []byte(data)), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	mute := events.CommandSubject(VerbMute)
	if r := call(mute, `{"request_id": "r1", "leg_id": "`+leg+`"}`); r.RequestID != "r1" || r.Error != nil {
		t.Errorf("mute: %+v", r)
	}
	if r := call(mute, `{"request_id": "r1", "leg_id": "`+leg+`"}`); r.RequestID != "r1" || r.Error != nil {
		t.Errorf("mute again: %+v", r)
	}
	wantCommands(t, f, "set n1 c1-a muted=true deaf=-") // once
	if r := call(mute, `{"request_id": "r2", "leg_id": 7}`); r.RequestID != "r2" || r.Error == nil || r.Error.Code != events.ErrBadRequest {
		t.Errorf("bad request: %+v", r)
	}
	if r := call(events.CommandSubject("conference.dance"), `{"request_id": "r3"}`); r.RequestID != "r3" || r.Error == nil || r.Error.Code != events.ErrBadRequest {
		t.Errorf("unknown verb: %+v", r)
	}
	if r := call(events.CommandSubject(VerbKick), `{"request_id": "r4", "leg_id": "nobody"}`); r.Error == nil || r.Error.Code != events.ErrConflict {
		t.Errorf("kick of nobody: %+v", r)
	}
	var l ListReplyV1
	if err := json.Unmarshal(c.dispatch(ctx, events.CommandSubject(VerbList), []byte(`{"request_id": "r5"}`)), &l); err != nil ||
		l.RequestID != "r5" || len(l.Rooms) != 1 || len(l.Rooms[0].Participants) != 1 || !l.Rooms[0].Participants[0].Muted {
		t.Errorf("list %+v %v", l, err)
	}
	for verb := range a.handlers() {
		if verb[:len(verbsPrefix)] != verbsPrefix {
			t.Errorf("verb %q outside %s", verb, CommandFilter)
		}
	}
}

// replies remembers by key until the TTL, at most max of them, and makes
// a repeat wait for the first.
func TestReplies(t *testing.T) {
	now := time.Unix(1000, 0)
	r := newReplies(time.Minute, 2, func() time.Time { return now })
	ctx := context.Background()
	runs := 0
	run := func() []byte { runs++; return []byte{byte(runs)} }
	if got := r.do(ctx, "a", run); got[0] != 1 {
		t.Fatal(got)
	}
	if got := r.do(ctx, "a", run); got[0] != 1 || runs != 1 {
		t.Errorf("repeat ran again: %v %d", got, runs)
	}
	r.do(ctx, "", run)
	r.do(ctx, "", run) // an empty key: always runs
	if runs != 3 {
		t.Errorf("%d runs", runs)
	}
	r.do(ctx, "b", run)
	r.do(ctx, "c", run) // "a" falls out (max 2)
	if got := r.do(ctx, "a", run); got[0] != 6 {
		t.Errorf("a after eviction: %v", got)
	}
	now = now.Add(time.Minute)
	if got := r.do(ctx, "c", run); got[0] != 7 {
		t.Errorf("c after the TTL: %v", got)
	}

	// a repeat while the first runs waits for its reply
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.do(ctx, "slow", func() []byte { close(started); <-release; return []byte("first") })
	}()
	<-started
	got := make(chan []byte, 1)
	go func() { got <- r.do(ctx, "slow", func() []byte { return []byte("second") }) }()
	close(release)
	if g := <-got; string(g) != "first" {
		t.Errorf("repeat got %q", g)
	}
	wg.Wait()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	block, running := make(chan struct{}), make(chan struct{})
	go r.do(ctx, "stuck", func() []byte { close(running); <-block; return nil })
	<-running
	if g := r.do(cctx, "stuck", run); g != nil {
		t.Errorf("cancelled wait got %q", g)
	}
	close(block)
}
