package rcc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/rcc"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// frame is one block of an SSE stream: an event, or comments only.
type frame struct {
	Event, ID, Data string
	Comments        []string
}

// stream is an open GET /v1/events.
type stream struct {
	frames <-chan frame // closed at the end of the stream
	cancel context.CancelFunc
}

// openStream opens the event stream at url (query included) and reads up
// to its first comment: the subscription is in place from then on.
func openStream(t testing.TB, url, token string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	ch := make(chan frame, 64)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var f frame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				ch <- f
				f = frame{}
			case strings.HasPrefix(line, ":"):
				f.Comments = append(f.Comments, strings.TrimSpace(line[1:]))
			case strings.HasPrefix(line, "event: "):
				f.Event = line[len("event: "):]
			case strings.HasPrefix(line, "id: "):
				f.ID = line[len("id: "):]
			case strings.HasPrefix(line, "data: "):
				f.Data = line[len("data: "):]
			}
		}
	}()
	s := &stream{frames: ch, cancel: cancel}
	if f := s.next(t, true); len(f.Comments) == 0 || !strings.HasPrefix(f.Comments[0], "tandem events tandem.v1.evt.") {
		t.Fatalf("first frame %+v", f)
	}
	return s
}

// next returns the next frame; comment-only frames are skipped unless
// comments is set.
func (s *stream) next(t testing.TB, comments bool) frame {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatal("the stream ended")
			}
			if f.Event == "" && !comments {
				continue
			}
			return f
		case <-timer.C:
			t.Fatal("no frame in time")
		}
	}
}

// ended waits for the end of the stream.
func (s *stream) ended(t testing.TB) {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatal("the stream goes on")
		}
	}
}

// publish publishes an event of call callID as the core would.
func publish(t testing.TB, nc *nats.Conn, typ, name, callID string, seq uint64, extra map[string]any) string {
	t.Helper()
	id := typ + "-" + callID + "-" + string(rune('0'+seq))
	ev := map[string]any{"type": typ, "id": id, "time": "2026-01-01T00:00:00Z", "node": node, "call_id": callID, "leg_id": callID + "-a", "seq": seq}
	for k, v := range extra {
		ev[k] = v
	}
	data, _ := json.Marshal(ev)
	if err := nc.Publish(events.EventSubject(node, callID, name), data); err != nil {
		t.Fatal(err)
	}
	return id
}

// The stream carries the events of its filter as SSE (event: type, id:
// envelope id, data: the JSON), unknown types too, and a gap event for
// missed events; call_id and subject filter.
func TestEventsStream(t *testing.T) {
	s, _, base := setup(t, nil)
	nc := connect(t, s)
	byCall := openStream(t, base+"/v1/events?call_id=c1", opsToken)
	bySubject := openStream(t, base+"/v1/events?subject=*.call.*.leg_ended", opsToken)
	all := openStream(t, base+"/v1/events", opsToken)

	id1 := publish(t, nc, events.TypeLegCreatedV1, "leg_created", "c1", 1, map[string]any{"side": "b", "target": "sip:carol@h", "sip_call_id": "x"})
	publish(t, nc, events.TypeLegCreatedV1, "leg_created", "c2", 1, map[string]any{"side": "b"})
	id2 := publish(t, nc, events.TypeLegEndedV1, "leg_ended", "c1", 2, map[string]any{"code": 200, "reason": "bye"})
	id3 := publish(t, nc, "tandem.leg.v9.future", "leg_future", "c1", 3, nil)
	id5 := publish(t, nc, events.TypeLegEndedV1, "leg_ended", "c1", 5, nil)

	f := byCall.next(t, false)
	var lc events.LegCreatedV1
	if err := json.Unmarshal([]byte(f.Data), &lc); err != nil || f.Event != events.TypeLegCreatedV1 || f.ID != id1 ||
		lc.CallID != "c1" || lc.Target != "sip:carol@h" || lc.Seq != 1 {
		t.Errorf("first event %+v (%v)", f, err)
	}
	if f := byCall.next(t, false); f.Event != events.TypeLegEndedV1 || f.ID != id2 {
		t.Errorf("second event %+v", f)
	}
	if f := byCall.next(t, false); f.Event != "tandem.leg.v9.future" || f.ID != id3 || !strings.Contains(f.Data, `"seq":3`) {
		t.Errorf("unknown event %+v", f)
	}
	f = byCall.next(t, false)
	if f.Event != rcc.GapEvent || f.Data != `{"call_id":"c1","node":"n1","first_seq":4,"last_seq":4}` {
		t.Errorf("gap %+v", f)
	}
	if f := byCall.next(t, false); f.Event != events.TypeLegEndedV1 || f.ID != id5 {
		t.Errorf("after the gap %+v", f)
	}

	if f := bySubject.next(t, false); f.ID != id2 {
		t.Errorf("subject filter: %+v", f)
	}
	if f := bySubject.next(t, false); f.ID != id5 {
		t.Errorf("subject filter: %+v", f)
	}
	var calls []string
	for range 2 {
		f := all.next(t, false)
		var env events.Envelope
		_ = json.Unmarshal([]byte(f.Data), &env)
		calls = append(calls, env.CallID)
	}
	if calls[0] != "c1" || calls[1] != "c2" {
		t.Errorf("every event: calls %v", calls)
	}
}

// A comment keeps the stream alive every heartbeat (1s in testConfig).
func TestEventsHeartbeat(t *testing.T) {
	_, _, base := setup(t, nil)
	st := openStream(t, base+"/v1/events", opsToken)
	if f := st.next(t, true); f.Event != "" || len(f.Comments) != 1 || f.Comments[0] != "keepalive" {
		t.Errorf("frame %+v", f)
	}
}

// The subscription ends when the client goes, and the stream when the
// gateway stops.
func TestEventsEnd(t *testing.T) {
	s := startNATS(t)
	base, stop := startGatewayStoppable(t, s, testConfig)
	before := s.NumSubscriptions()
	st := openStream(t, base+"/v1/events", opsToken)
	if n := s.NumSubscriptions(); n != before+1 {
		t.Fatalf("%d subscriptions with a stream, %d before", n, before)
	}
	st.cancel()
	awaitSubscriptions(t, s, before)

	st = openStream(t, base+"/v1/events", opsToken)
	stop()
	st.ended(t)
}

func awaitSubscriptions(t testing.TB, s *server.Server, n uint32) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for s.NumSubscriptions() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", s.NumSubscriptions(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startGatewayStoppable is startGateway with a stop function.
func startGatewayStoppable(t testing.TB, s *server.Server, config string) (string, func()) {
	t.Helper()
	addr := make(chan net.Addr, 1)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	inst, err := sdk.Start(ctx, connect(t, s), rcc.NewPlugin(rcc.OnListen(func(a net.Addr) { addr <- a })),
		sdk.WithConfig([]byte(config)), sdk.WithNode(node), sdk.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := inst.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	t.Cleanup(stop)
	return "http://" + (<-addr).String(), stop
}
