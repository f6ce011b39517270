package natsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// decisionCase is one of the decisions besides Route, asked the same way.
type decisionCase struct {
	name    string // the metrics' decision label
	subject string
	// ask asks the decision with a fixed request on call "call-1".
	ask func(ctx context.Context, a *natsapi.API) (any, error)
	// seen decodes a request as the plugin gets it and returns its
	// envelope and a field the request was asked with (to compare with
	// field).
	seen  func(data []byte) (events.Envelope, string, error)
	field string
	// valid is a valid answer, as the decision it decodes to; invalid
	// are answers that fail to decode or Validate.
	valid   any
	invalid []string
}

func decisionCases() []decisionCase {
	return []decisionCase{
		{
			name:    "refer",
			subject: events.DecideRefer,
			ask: func(ctx context.Context, a *natsapi.API) (any, error) {
				return a.Refer(ctx, events.ReferRequestV1{
					Envelope:   events.Envelope{Type: events.TypeReferRequestV1, ID: "q1", CallID: "call-1", LegID: "leg-a"},
					TransferID: "t-1", TargetLegID: "leg-b", ReferTo: "sip:carol@example.com",
					Replaces: &events.ReplacesV1{CallID: "x@y", ToTag: "1", FromTag: "2"},
					From:     "sip:alice@example.com", Source: "192.0.2.1:5060",
				})
			},
			seen: func(data []byte) (events.Envelope, string, error) {
				var r events.ReferRequestV1
				err := json.Unmarshal(data, &r)
				return r.Envelope, r.TransferID + " " + r.ReferTo, err
			},
			field:   "t-1 sip:carol@example.com",
			valid:   events.ReferDecisionV1{Action: events.ActionReject, Code: 603, Reason: "not today"},
			invalid: []string{`garbage`, `{}`, `{"action":"transfer"}`, `{"action":"reject","code":202}`},
		},
		{
			name:    "subscribe",
			subject: events.DecideSubscribe,
			ask: func(ctx context.Context, a *natsapi.API) (any, error) {
				return a.Subscribe(ctx, events.SubscribeRequestV1{
					Envelope: events.Envelope{Type: events.TypeSubscribeRequestV1, ID: "s1", CallID: "call-1"},
					Event:    "conference", RequestURI: "sip:conf-7@tandem.example",
					From: "sip:alice@example.com", To: "sip:conf-7@tandem.example", Source: "192.0.2.1:5060", Expires: 3600,
				})
			},
			seen: func(data []byte) (events.Envelope, string, error) {
				var r events.SubscribeRequestV1
				err := json.Unmarshal(data, &r)
				return r.Envelope, r.Event + " " + r.RequestURI, err
			},
			field:   "conference sip:conf-7@tandem.example",
			valid:   events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: 600},
			invalid: []string{`[1]`, `{"action":""}`, `{"action":"accept","expires":-1}`, `{"action":"reject","code":700}`},
		},
	}
}

// answerOn subscribes a plugin (queue group queue) on subject that answers
// every request with answer(data), nothing when nil; it returns the
// requests it saw.
func answerOn(t *testing.T, nc *nats.Conn, subject, queue string, answer func([]byte) []byte) <-chan []byte {
	t.Helper()
	seen := make(chan []byte, 16)
	sub, err := nc.QueueSubscribe(subject, queue, func(m *nats.Msg) {
		seen <- m.Data
		if data := answer(m.Data); data != nil {
			_ = m.Respond(data)
			_ = nc.Flush()
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

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecisionAnswered(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t)
			valid := mustJSON(t, dc.valid)
			seen := answerOn(t, connect(t, e.api.ClientURL()), dc.subject, "plugin", func([]byte) []byte { return valid })

			d, err := dc.ask(ctxT(t, 5*time.Second), e.api)
			if err != nil || !reflect.DeepEqual(d, dc.valid) {
				t.Fatalf("ask = %+v, %v; want %+v", d, err, dc.valid)
			}
			env, field, err := dc.seen(<-seen)
			if err != nil || env.Node != testNode || env.CallID != "call-1" || field != dc.field {
				t.Errorf("plugin saw %+v %q (%v); want node %s, call-1, %q", env, field, err, testNode, dc.field)
			}
			if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", dc.name, "outcome", "answered"); n != 1 {
				t.Errorf("decisions{%s, answered} = %v, want 1", dc.name, n)
			}
			if n := metric(t, e.reg, "tandem_nats_decision_latency_seconds", "decision", dc.name); n != 1 {
				t.Errorf("latency{%s} observations = %v, want 1", dc.name, n)
			}
			if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", "route"); n != 0 {
				t.Errorf("decisions{route} = %v, want 0", n)
			}
		})
	}
}

// Two plugins answer: the first answer is garbage, the second valid. The
// first valid answer wins; the garbage is rejected, counted and logged.
func TestDecisionFirstValidAnswerWins(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t)
			garbageSent := make(chan struct{})
			bad := connect(t, e.api.ClientURL())
			if _, err := bad.QueueSubscribe(dc.subject, "bad", func(m *nats.Msg) {
				_ = m.Respond([]byte(`this is not json`))
				_ = bad.Flush()
				close(garbageSent)
			}); err != nil {
				t.Fatal(err)
			}
			if err := bad.Flush(); err != nil {
				t.Fatal(err)
			}
			valid := mustJSON(t, dc.valid)
			answerOn(t, connect(t, e.api.ClientURL()), dc.subject, "good", func([]byte) []byte {
				<-garbageSent // the garbage is on its way first
				return valid
			})
			d, err := dc.ask(ctxT(t, 5*time.Second), e.api)
			if err != nil || !reflect.DeepEqual(d, dc.valid) {
				t.Fatalf("ask = %+v, %v; want the valid answer %+v", d, err, dc.valid)
			}
			if n := metric(t, e.reg, "tandem_nats_decision_invalid_answers_total", "decision", dc.name); n != 1 {
				t.Errorf("invalid answers{%s} = %v, want 1", dc.name, n)
			}
			if !e.logs.contains("natsapi: invalid " + dc.name + " decision rejected") {
				t.Error("the garbage answer was not logged")
			}
		})
	}
}

func TestDecisionNoResponders(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t)
			_, err := dc.ask(ctxT(t, 5*time.Second), e.api)
			if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, nats.ErrNoResponders) {
				t.Fatalf("ask = %v, want ErrNoDecision and no responders", err)
			}
			if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", dc.name, "outcome", "no_responders"); n != 1 {
				t.Errorf("decisions{%s, no_responders} = %v, want 1", dc.name, n)
			}
		})
	}
}

// A plugin that listens but never answers: the ask gives up at the
// deadline, or at Config.DecideTimeout without one.
func TestDecisionTimeout(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t, func(c *natsapi.Config) { c.DecideTimeout = 50 * time.Millisecond })
			seen := answerOn(t, connect(t, e.api.ClientURL()), dc.subject, "plugin", func([]byte) []byte { return nil })

			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := dc.ask(ctx, e.api)
			if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ask = %v, want ErrNoDecision and DeadlineExceeded", err)
			}
			<-seen
			_, err = dc.ask(context.Background(), e.api)
			if !errors.Is(err, natsapi.ErrNoDecision) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ask without deadline = %v, want a timeout", err)
			}
			if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", dc.name, "outcome", "timeout"); n != 2 {
				t.Errorf("decisions{%s, timeout} = %v, want 2", dc.name, n)
			}
		})
	}
}

// Only invalid answers until the deadline: ErrInvalidDecision.
func TestDecisionInvalidAnswers(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t)
			nc := connect(t, e.api.ClientURL())
			answers := make(chan []byte, 1)
			answerOn(t, nc, dc.subject, "plugin", func([]byte) []byte { return <-answers })
			for _, answer := range dc.invalid {
				answers <- []byte(answer)
				d, err := dc.ask(ctxT(t, 100*time.Millisecond), e.api)
				if !errors.Is(err, natsapi.ErrInvalidDecision) {
					t.Errorf("answer %s: ask = %+v, %v; want ErrInvalidDecision", answer, d, err)
				}
			}
			if n := metric(t, e.reg, "tandem_nats_decisions_total", "decision", dc.name, "outcome", "invalid"); n != float64(len(dc.invalid)) {
				t.Errorf("decisions{%s, invalid} = %v, want %d", dc.name, n, len(dc.invalid))
			}
		})
	}
}

func TestDecisionCancelled(t *testing.T) {
	for _, dc := range decisionCases() {
		t.Run(dc.name, func(t *testing.T) {
			e := startAPI(t)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := dc.ask(ctx, e.api)
			if !errors.Is(err, context.Canceled) || errors.Is(err, natsapi.ErrNoDecision) {
				t.Fatalf("ask = %v, want context.Canceled only", err)
			}
		})
	}
}
