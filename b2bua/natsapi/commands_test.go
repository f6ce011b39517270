package natsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// fakeCore is a CallController holding a fixed set of calls.
type fakeCore struct {
	mu      sync.Mutex // guards calls and hangups
	calls   map[string]events.CallInfoV1
	hangups []hangup
	// hangupErr, if set, is returned by HangupCall for that call id.
	hangupErr map[string]error
	// block, if set, holds HangupCall until it is closed.
	block   chan struct{}
	entered chan struct{} // receives once per HangupCall entry, if set
}

type hangup struct {
	callID string
	cause  int
	reason string
}

func newFakeCore() *fakeCore {
	return &fakeCore{calls: map[string]events.CallInfoV1{
		"c1": {CallID: "c1", Node: testNode, State: "connected", CreatedAt: "2026-01-01T00:00:00Z",
			Legs: []events.LegInfoV1{{LegID: "c1-a", Side: events.SideA, State: "confirmed", SIPCallID: "x@y"}}},
		"c2": {CallID: "c2", Node: testNode, State: "ringing", CreatedAt: "2026-01-01T00:00:01Z"},
	}}
}

func (f *fakeCore) ListCalls() []events.CallInfoV1 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.CallInfoV1
	for _, id := range []string{"c1", "c2"} {
		if c, ok := f.calls[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeCore) GetCall(callID string) (events.CallInfoV1, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[callID]
	return c, ok
}

func (f *fakeCore) HangupCall(ctx context.Context, callID string, cause int, reason string) error {
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hangups = append(f.hangups, hangup{callID, cause, reason})
	if err := f.hangupErr[callID]; err != nil {
		return err
	}
	if _, ok := f.calls[callID]; !ok {
		return events.NewError(events.ErrUnknownCall, "no call %s", callID)
	}
	delete(f.calls, callID)
	return nil
}

func (f *fakeCore) hangupCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hangups)
}

// serve starts ServeCommands with core and returns a client connection.
func serve(t *testing.T, e *env, core *fakeCore) *nats.Conn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.api.ServeCommands(ctx, core); err != nil {
		t.Fatalf("ServeCommands: %v", err)
	}
	return connect(t, e.api.ClientURL())
}

// request sends req (a value, or raw []byte) on subj and decodes the reply
// into reply; it returns the raw reply.
func request(t *testing.T, nc *nats.Conn, subj string, req, reply any) []byte {
	t.Helper()
	data, ok := req.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(req); err != nil {
			t.Fatal(err)
		}
	}
	m, err := nc.RequestWithContext(ctxT(t, 10*time.Second), subj, data)
	if err != nil {
		t.Fatalf("request %s: %v", subj, err)
	}
	if err := json.Unmarshal(m.Data, reply); err != nil {
		t.Fatalf("reply %s: %v", m.Data, err)
	}
	return m.Data
}

func wantCode(t *testing.T, r events.Reply, code events.ErrorCode) {
	t.Helper()
	switch {
	case code == 0 && r.Error != nil:
		t.Errorf("reply error %+v, want none", r.Error)
	case code != 0 && r.Error == nil:
		t.Errorf("reply has no error, want code %d", code)
	case code != 0 && (r.Error.Code != code || r.Error.Name != code.String()):
		t.Errorf("reply error %+v, want code %d (%s)", r.Error, code, code)
	}
}

func TestCommandsList(t *testing.T) {
	e := startAPI(t)
	nc := serve(t, e, newFakeCore())
	for _, subj := range []string{
		events.CommandSubject(events.VerbCallsList),
		events.NodeCommandSubject(testNode, events.VerbCallsList),
	} {
		var rep events.CallsListReplyV1
		request(t, nc, subj, events.CallsListRequestV1{RequestID: "list-" + subj}, &rep)
		wantCode(t, rep.Reply, 0)
		if rep.RequestID != "list-"+subj {
			t.Errorf("%s: request_id %q", subj, rep.RequestID)
		}
		if len(rep.Calls) != 2 || rep.Calls[0].CallID != "c1" || len(rep.Calls[0].Legs) != 1 || rep.Calls[1].CallID != "c2" {
			t.Errorf("%s: calls = %+v", subj, rep.Calls)
		}
	}
}

// An empty node lists as [] rather than null.
func TestCommandsListEmpty(t *testing.T) {
	e := startAPI(t)
	nc := serve(t, e, &fakeCore{calls: map[string]events.CallInfoV1{}})
	var rep map[string]any
	request(t, nc, events.CommandSubject(events.VerbCallsList), events.CallsListRequestV1{}, &rep)
	if calls, ok := rep["calls"].([]any); !ok || len(calls) != 0 {
		t.Errorf("calls = %#v, want []", rep["calls"])
	}
}

func TestCommandsGet(t *testing.T) {
	e := startAPI(t)
	nc := serve(t, e, newFakeCore())

	var rep events.CallsGetReplyV1
	request(t, nc, events.NodeCommandSubject(testNode, events.VerbCallsGet), events.CallsGetRequestV1{RequestID: "g1", CallID: "c1"}, &rep)
	wantCode(t, rep.Reply, 0)
	if rep.Call == nil || rep.Call.CallID != "c1" || rep.Call.State != "connected" {
		t.Errorf("call = %+v", rep.Call)
	}

	rep = events.CallsGetReplyV1{}
	request(t, nc, events.CommandSubject(events.VerbCallsGet), events.CallsGetRequestV1{RequestID: "g2", CallID: "nope"}, &rep)
	wantCode(t, rep.Reply, events.ErrUnknownCall)
	if rep.Call != nil || rep.RequestID != "g2" {
		t.Errorf("unknown call reply = %+v", rep)
	}
}

func TestCommandsBadRequests(t *testing.T) {
	e := startAPI(t)
	core := newFakeCore()
	nc := serve(t, e, core)
	tests := []struct {
		name string
		verb string
		data string
	}{
		{"list garbage", events.VerbCallsList, `{not json`},
		{"get garbage", events.VerbCallsGet, `nope`},
		{"get wrong type", events.VerbCallsGet, `{"call_id":5}`},
		{"get without call_id", events.VerbCallsGet, `{"request_id":"b1"}`},
		{"hangup garbage", events.VerbCallsHangup, `[1,2]`},
		{"hangup without call_id", events.VerbCallsHangup, `{"request_id":"b2","cause":486}`},
		{"hangup bad cause", events.VerbCallsHangup, `{"request_id":"b3","call_id":"c1","cause":200}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep events.Reply
			request(t, nc, events.CommandSubject(tt.verb), []byte(tt.data), &rep)
			wantCode(t, rep, events.ErrBadRequest)
		})
	}
	if n := core.hangupCount(); n != 0 {
		t.Errorf("HangupCall called %d times for bad requests", n)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "result", "bad_request"); n != float64(len(tests)) {
		t.Errorf("commands{bad_request} = %v, want %d", n, len(tests))
	}
}

func TestCommandsHangup(t *testing.T) {
	e := startAPI(t)
	core := newFakeCore()
	core.hangupErr = map[string]error{
		"c2":    events.NewError(events.ErrConflict, "still ringing"),
		"boom":  errors.New("core exploded"),
		"wraps": fmt.Errorf("wrapped: %w", &events.Error{Code: events.ErrUnknownLeg, Message: "no leg"}),
	}
	nc := serve(t, e, core)
	tests := []struct {
		callID string
		want   events.ErrorCode
	}{
		{"c1", 0},
		{"missing", events.ErrUnknownCall},
		{"c2", events.ErrConflict},
		{"boom", events.ErrInternal},
		{"wraps", events.ErrUnknownLeg},
	}
	for _, tt := range tests {
		var rep events.CallsHangupReplyV1
		request(t, nc, events.CommandSubject(events.VerbCallsHangup),
			events.CallsHangupRequestV1{RequestID: "h-" + tt.callID, CallID: tt.callID, Cause: 486, Reason: "operator"}, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != "h-"+tt.callID {
			t.Errorf("%s: request_id %q", tt.callID, rep.RequestID)
		}
	}
	core.mu.Lock()
	defer core.mu.Unlock()
	if len(core.hangups) != len(tests) || core.hangups[0] != (hangup{"c1", 486, "operator"}) {
		t.Errorf("hangups = %+v", core.hangups)
	}
}

// A repeated request_id gets the first reply without reaching the core
// again, on either subject; another request_id does reach it.
func TestCommandsHangupIdempotent(t *testing.T) {
	e := startAPI(t)
	core := newFakeCore()
	nc := serve(t, e, core)
	req := events.CallsHangupRequestV1{RequestID: "once", CallID: "c1"}

	var first, again, third events.CallsHangupReplyV1
	raw1 := request(t, nc, events.CommandSubject(events.VerbCallsHangup), req, &first)
	raw2 := request(t, nc, events.NodeCommandSubject(testNode, events.VerbCallsHangup), req, &again)
	wantCode(t, first.Reply, 0)
	if string(raw1) != string(raw2) {
		t.Errorf("replayed reply %s, first %s", raw2, raw1)
	}
	if n := core.hangupCount(); n != 1 {
		t.Fatalf("HangupCall called %d times, want 1", n)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbCallsHangup, "result", "replayed"); n != 1 {
		t.Errorf("commands{replayed} = %v, want 1", n)
	}

	// A new request id for the same call reaches the core (which says the
	// call is gone).
	req.RequestID = "twice"
	request(t, nc, events.CommandSubject(events.VerbCallsHangup), req, &third)
	wantCode(t, third.Reply, events.ErrUnknownCall)
	if n := core.hangupCount(); n != 2 {
		t.Errorf("HangupCall called %d times, want 2", n)
	}
}

// A repeat that arrives while the first request is still in the core waits
// for the first reply instead of calling the core again.
func TestCommandsHangupConcurrentRepeat(t *testing.T) {
	e := startAPI(t)
	core := newFakeCore()
	core.block = make(chan struct{})
	core.entered = make(chan struct{}, 4)
	nc := serve(t, e, core)
	data, _ := json.Marshal(events.CallsHangupRequestV1{RequestID: "slow", CallID: "c1"})
	subj := events.CommandSubject(events.VerbCallsHangup)

	type result struct {
		data []byte
		err  error
	}
	results := make(chan result, 2)
	send := func() {
		m, err := nc.RequestWithContext(ctxT(t, 10*time.Second), subj, data)
		if err != nil {
			results <- result{err: err}
			return
		}
		results <- result{data: m.Data}
	}
	go send()
	<-core.entered // the first is in the core
	go send()
	close(core.block)

	r1, r2 := <-results, <-results
	if r1.err != nil || r2.err != nil {
		t.Fatalf("requests: %v, %v", r1.err, r2.err)
	}
	if string(r1.data) != string(r2.data) {
		t.Errorf("replies differ: %s vs %s", r1.data, r2.data)
	}
	var rep events.CallsHangupReplyV1
	if err := json.Unmarshal(r1.data, &rep); err != nil {
		t.Fatal(err)
	}
	wantCode(t, rep.Reply, 0)
	if n := core.hangupCount(); n != 1 {
		t.Errorf("HangupCall called %d times, want 1", n)
	}
}

// When ServeCommands' ctx ends the subscriptions go away.
func TestCommandsStopWithContext(t *testing.T) {
	e := startAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.api.ServeCommands(ctx, newFakeCore()); err != nil {
		t.Fatal(err)
	}
	nc := connect(t, e.api.ClientURL())
	subj := events.CommandSubject(events.VerbCallsList)
	if _, err := nc.RequestWithContext(ctxT(t, 5*time.Second), subj, []byte(`{}`)); err != nil {
		t.Fatalf("request while serving: %v", err)
	}
	cancel()
	// Unsubscribing is asynchronous: until it is done, requests are
	// answered ErrUnavailable. Each round trip below is a real request, not
	// a sleep; the test deadline bounds the loop.
	for {
		m, err := nc.RequestWithContext(ctxT(t, 5*time.Second), subj, []byte(`{"request_id":"late"}`))
		if errors.Is(err, nats.ErrNoResponders) {
			break
		}
		if err != nil {
			t.Fatalf("request after cancel: %v", err)
		}
		var rep events.CallsListReplyV1
		if err := json.Unmarshal(m.Data, &rep); err != nil {
			t.Fatal(err)
		}
		wantCode(t, rep.Reply, events.ErrUnavailable)
	}
}

func TestServeCommandsNilCore(t *testing.T) {
	e := startAPI(t)
	if err := e.api.ServeCommands(context.Background(), nil); err == nil {
		t.Fatal("ServeCommands(nil) succeeded")
	}
}
