package natsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// answerRoutes subscribes a plugin on events.DecideRoute that answers with
// answer(request) and returns the requests it saw.
func answerRoutes(t *testing.T, nc *nats.Conn, answer func(events.RouteRequestV1) []byte) <-chan events.RouteRequestV1 {
	t.Helper()
	seen := make(chan events.RouteRequestV1, 16)
	sub, err := nc.QueueSubscribe(events.DecideRoute, "plugin", func(m *nats.Msg) {
		var req events.RouteRequestV1
		if err := json.Unmarshal(m.Data, &req); err != nil {
			t.Errorf("plugin: bad request %s: %v", m.Data, err)
			return
		}
		seen <- req
		if data := answer(req); data != nil {
			_ = m.Respond(data)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return seen
}

func routeRequest() events.RouteRequestV1 {
	return events.RouteRequestV1{
		Envelope:   events.Envelope{ID: "r1", CallID: "call-1"},
		RequestURI: "sip:alice@example.com",
		User:       "alice",
		Host:       "example.com",
		From:       "sip:bob@example.org",
		To:         "sip:alice@example.com",
		Source:     "192.0.2.1:5060",
	}
}

func TestRouteAnswered(t *testing.T) {
	e := startAPI(t)
	plugin := connect(t, e.api.ClientURL())
	seen := answerRoutes(t, plugin, func(req events.RouteRequestV1) []byte {
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:" + req.User + "@10.0.0.5"})
		return data
	})

	d, err := e.api.Route(ctxT(t, 5*time.Second), routeRequest())
	if err != nil {
		t.Fatalf("Route: %v", err)
	}
	if d.Action != events.RouteForward || d.Target != "sip:alice@10.0.0.5" {
		t.Errorf("decision = %+v", d)
	}
	req := <-seen
	if req.Node != testNode || req.CallID != "call-1" || req.User != "alice" || req.Source != "192.0.2.1:5060" {
		t.Errorf("plugin saw %+v", req)
	}
	if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", "route", "outcome", "answered"); n != 1 {
		t.Errorf("decisions{answered} = %v, want 1", n)
	}
	if n := metric(t, e.reg, "tandem_nats_decision_latency_seconds", "decision", "route"); n != 1 {
		t.Errorf("latency observations = %v, want 1", n)
	}
}

func TestRouteRejectAndDefault(t *testing.T) {
	e := startAPI(t)
	plugin := connect(t, e.api.ClientURL())
	answers := map[string]events.RouteDecisionV1{
		"busy": {Action: events.RouteReject, Code: 486, Reason: "busy"},
		"any":  {Action: events.RouteDefault},
	}
	answerRoutes(t, plugin, func(req events.RouteRequestV1) []byte {
		data, _ := json.Marshal(answers[req.User])
		return data
	})
	for user, want := range answers {
		req := routeRequest()
		req.User = user
		d, err := e.api.Route(ctxT(t, 5*time.Second), req)
		if err != nil || !reflect.DeepEqual(d, want) {
			t.Errorf("Route(%s) = %+v, %v; want %+v", user, d, err, want)
		}
	}
}

func TestRouteNoResponders(t *testing.T) {
	e := startAPI(t)
	_, err := e.api.Route(ctxT(t, 5*time.Second), routeRequest())
	if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("Route = %v, want ErrNoDecision and no responders", err)
	}
	if n := metric(t, e.reg, "tandem_nats_decisions_total", "outcome", "no_responders"); n != 1 {
		t.Errorf("decisions{no_responders} = %v, want 1", n)
	}
}

// A plugin that listens but never answers: Route gives up at the deadline.
func TestRouteTimeoutSilentPlugin(t *testing.T) {
	e := startAPI(t)
	seen := answerRoutes(t, connect(t, e.api.ClientURL()), func(events.RouteRequestV1) []byte { return nil })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.api.Route(ctx, routeRequest())
	if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Route = %v, want ErrNoDecision and DeadlineExceeded", err)
	}
	<-seen
	if n := metric(t, e.reg, "tandem_nats_decisions_total", "outcome", "timeout"); n != 1 {
		t.Errorf("decisions{timeout} = %v, want 1", n)
	}
}

// A plugin that answers only after the deadline: Route has returned by
// then with a timeout, and the late answer is ignored.
func TestRouteTimeoutSlowPlugin(t *testing.T) {
	e := startAPI(t)
	release := make(chan struct{})
	answered := make(chan struct{})
	var once sync.Once
	answerRoutes(t, connect(t, e.api.ClientURL()), func(events.RouteRequestV1) []byte {
		<-release // held until Route has returned
		defer once.Do(func() { close(answered) })
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:late@x"})
		return data
	})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	d, err := e.api.Route(ctx, routeRequest())
	close(release)
	if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Route = %+v, %v; want a timeout", d, err)
	}
	<-answered
	// The next request still works and is not confused by the late answer.
	if _, err := e.api.Route(ctxT(t, 5*time.Second), routeRequest()); err != nil {
		t.Errorf("Route after late answer: %v", err)
	}
}

// Without a deadline in ctx, Config.DecideTimeout bounds the wait.
func TestRouteDefaultDeadline(t *testing.T) {
	e := startAPI(t, func(c *natsapi.Config) { c.DecideTimeout = 50 * time.Millisecond })
	answerRoutes(t, connect(t, e.api.ClientURL()), func(events.RouteRequestV1) []byte { return nil })
	_, err := e.api.Route(context.Background(), routeRequest())
	if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Route = %v, want a timeout", err)
	}
}

func TestRouteCancelled(t *testing.T) {
	e := startAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.api.Route(ctx, routeRequest())
	if !errors.Is(err, context.Canceled) || errors.Is(err, natsapi.ErrNoDecision) {
		t.Fatalf("Route = %v, want context.Canceled only", err)
	}
}

func TestRouteInvalidAnswers(t *testing.T) {
	tests := []struct {
		name   string
		answer string
	}{
		{"garbage", `this is not json`},
		{"wrong shape", `["forward"]`},
		{"empty", `{}`},
		{"unknown action", `{"action":"teleport"}`},
		{"forward without target", `{"action":"forward"}`},
		{"reject with 200", `{"action":"reject","code":200}`},
		{"reject with 700", `{"action":"reject","code":700}`},
	}
	e := startAPI(t)
	answers := map[string]string{}
	for _, tt := range tests {
		answers[tt.name] = tt.answer
	}
	answerRoutes(t, connect(t, e.api.ClientURL()), func(req events.RouteRequestV1) []byte { return []byte(answers[req.User]) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := routeRequest()
			req.User = tt.name
			// Route waits for a valid answer until the deadline.
			d, err := e.api.Route(ctxT(t, 100*time.Millisecond), req)
			if !errors.Is(err, natsapi.ErrInvalidDecision) {
				t.Fatalf("Route = %+v, %v; want ErrInvalidDecision", d, err)
			}
		})
	}
	if n := metric(t, e.reg, "tandem_nats_decisions_total", "outcome", "invalid"); n != float64(len(tests)) {
		t.Errorf("decisions{invalid} = %v, want %d", n, len(tests))
	}
	if n := metric(t, e.reg, "tandem_nats_decision_invalid_answers_total", "decision", "route"); n != float64(len(tests)) {
		t.Errorf("invalid answers = %v, want %d", n, len(tests))
	}
}

// Two plugins answer: the first answer is garbage, the second valid. The
// first valid answer wins; the garbage is rejected and logged.
func TestRouteFirstValidAnswerWins(t *testing.T) {
	e := startAPI(t)
	garbageSent := make(chan struct{})
	bad, good := connect(t, e.api.ClientURL()), connect(t, e.api.ClientURL())
	if _, err := bad.QueueSubscribe(events.DecideRoute, "bad", func(m *nats.Msg) {
		_ = m.Respond([]byte(`{"action":"teleport"}`))
		_ = bad.Flush()
		close(garbageSent)
	}); err != nil {
		t.Fatal(err)
	}
	answerRoutes(t, good, func(events.RouteRequestV1) []byte {
		<-garbageSent // the garbage is on its way first
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:good@x"})
		return data
	})
	if err := bad.Flush(); err != nil {
		t.Fatal(err)
	}
	d, err := e.api.Route(ctxT(t, 5*time.Second), routeRequest())
	if err != nil || d.Target != "sip:good@x" {
		t.Fatalf("Route = %+v, %v; want the valid answer", d, err)
	}
	if n := metric(t, e.reg, "tandem_nats_decision_invalid_answers_total", "decision", "route"); n != 1 {
		t.Errorf("invalid answers = %v, want 1", n)
	}
	if !e.logs.contains("natsapi: invalid route decision rejected") {
		t.Error("the garbage answer was not logged")
	}
}

// A plugin that declines ("default") does not beat another plugin's real
// answer that follows it; a decline alone comes back after a short grace,
// long before the deadline.
func TestRouteDeclineDoesNotWin(t *testing.T) {
	e := startAPI(t)
	declinedSent := make(chan struct{})
	decliner, router := connect(t, e.api.ClientURL()), connect(t, e.api.ClientURL())
	if _, err := decliner.QueueSubscribe(events.DecideRoute, "decliner", func(m *nats.Msg) {
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteDefault})
		_ = m.Respond(data)
		_ = decliner.Flush()
		close(declinedSent)
	}); err != nil {
		t.Fatal(err)
	}
	if err := decliner.Flush(); err != nil {
		t.Fatal(err)
	}
	answerRoutes(t, router, func(events.RouteRequestV1) []byte {
		<-declinedSent // the decline is on its way first
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:real@x"})
		return data
	})
	d, err := e.api.Route(ctxT(t, 5*time.Second), routeRequest())
	if err != nil || d.Target != "sip:real@x" {
		t.Fatalf("Route = %+v, %v; want the real answer after the decline", d, err)
	}

	// only a decline: it is returned, well before the 5 s deadline
	e2 := startAPI(t)
	answerRoutes(t, connect(t, e2.api.ClientURL()), func(events.RouteRequestV1) []byte {
		data, _ := json.Marshal(events.RouteDecisionV1{Action: events.RouteDefault})
		return data
	})
	ctx := ctxT(t, 5*time.Second)
	d, err = e2.api.Route(ctx, routeRequest())
	if err != nil || d.Action != events.RouteDefault {
		t.Fatalf("Route = %+v, %v; want the decline", d, err)
	}
	if ctx.Err() != nil {
		t.Error("a lone decline waited for the deadline")
	}
}
