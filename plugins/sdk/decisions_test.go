package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Instances of one plugin share the decisions (queue group named after the
// plugin): each request is answered once, by one of them.
func TestHandleRouteSharesLoad(t *testing.T) {
	c := startCore(t)
	var mu sync.Mutex
	served := map[string]int{}
	router := func(instance string) sdk.Plugin {
		return plugin("router", func(_ context.Context, cl *sdk.Client) error {
			_, err := cl.HandleRoute(func(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
				mu.Lock()
				served[instance]++
				mu.Unlock()
				return events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:" + req.User + "@" + instance}, nil
			})
			return err
		})
	}
	start(t, c, router("a"))
	start(t, c, router("b"))
	const n = 200
	for i := range n {
		d, err := c.route(t, "u", wait)
		if err != nil || d.Action != events.RouteForward {
			t.Fatalf("request %d: %+v, %v", i, d, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if served["a"]+served["b"] != n || served["a"] == 0 || served["b"] == 0 {
		t.Errorf("served %v, want %d requests shared by a and b", served, n)
	}
}

// An error, a panic or an invalid answer sends nothing: the core's request
// ends at its deadline (and the core falls back); the handler keeps
// serving the next requests.
func TestHandleRouteSilentOnFailure(t *testing.T) {
	c := startCore(t)
	start(t, c, plugin("moody", func(_ context.Context, cl *sdk.Client) error {
		_, err := cl.HandleRoute(func(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
			switch req.User {
			case "error":
				return events.RouteDecisionV1{}, errors.New("no idea")
			case "panic":
				panic("oops")
			case "invalid":
				return events.RouteDecisionV1{Action: events.RouteReject, Code: 200}, nil
			}
			return events.RouteDecisionV1{Action: events.RouteDefault}, nil
		})
		return err
	}))
	for _, user := range []string{"error", "panic", "invalid"} {
		_, err := c.route(t, user, 200*time.Millisecond)
		if !errors.Is(err, natsapi.ErrNoDecision) {
			t.Errorf("%s: %v, want no decision (the core's fallback)", user, err)
		}
		if d, err := c.route(t, "fine", wait); err != nil || d.Action != events.RouteDefault {
			t.Errorf("after %s: %+v, %v; want the handler to keep serving", user, d, err)
		}
	}
}

// The handler's context ends at the decision timeout.
func TestHandleRouteTimeout(t *testing.T) {
	c := startCore(t)
	ended := make(chan error, 1)
	start(t, c, plugin("slow", func(_ context.Context, cl *sdk.Client) error {
		_, err := cl.HandleRoute(func(ctx context.Context, _ events.RouteRequestV1) (events.RouteDecisionV1, error) {
			<-ctx.Done()
			ended <- ctx.Err()
			return events.RouteDecisionV1{}, ctx.Err()
		})
		return err
	}), sdk.WithDecisionTimeout(50*time.Millisecond))
	_, _ = c.route(t, "u", 500*time.Millisecond)
	if err := recv(t, ended, "handler end"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("handler ctx ended with %v", err)
	}
}

// The REFER and SUBSCRIBE decisions are answered on their subjects like
// the route decision: valid answers are sent, an error or an answer that
// fails Validate sends nothing (the asker waits until its deadline), and
// the handler keeps serving.
func TestHandleReferAndSubscribe(t *testing.T) {
	c := startCore(t)
	if sdk.Refer.Subject() != events.DecideRefer || sdk.SubscribeDecision.Subject() != events.DecideSubscribe {
		t.Fatalf("subjects %s, %s", sdk.Refer.Subject(), sdk.SubscribeDecision.Subject())
	}
	start(t, c, plugin("transfer", func(_ context.Context, cl *sdk.Client) error {
		if _, err := cl.HandleRefer(func(_ context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error) {
			switch req.ReferTo {
			case "sip:error@x":
				return events.ReferDecisionV1{}, errors.New("no idea")
			case "sip:invalid@x":
				return events.ReferDecisionV1{Action: events.ActionReject, Code: 302}, nil
			case "sip:nobody@x":
				return events.ReferDecisionV1{Action: events.ActionReject, Code: 404, Reason: "Not Found"}, nil
			}
			return events.ReferDecisionV1{Action: events.ActionAccept}, nil
		}); err != nil {
			return err
		}
		_, err := cl.HandleSubscribe(func(_ context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error) {
			switch req.Event {
			case "conference":
				return events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: 600}, nil
			case "shorter":
				return events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: -1}, nil
			case "oops":
				panic("oops")
			}
			return events.SubscribeDecisionV1{Action: events.ActionDefault}, nil
		})
		return err
	}))
	nc := c.conn(t)
	ask := func(subject string, req any, d time.Duration) (string, error) {
		data, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		m, err := nc.Request(subject, data, d)
		if err != nil {
			return "", err
		}
		return string(m.Data), nil
	}
	for _, tt := range []struct {
		subject string
		req     any
		want    string // "" for no answer
	}{
		{events.DecideRefer, events.ReferRequestV1{ReferTo: "sip:bob@x"}, `{"action":"accept"}`},
		{events.DecideRefer, events.ReferRequestV1{ReferTo: "sip:nobody@x"}, `{"action":"reject","code":404,"reason":"Not Found"}`},
		{events.DecideRefer, events.ReferRequestV1{ReferTo: "sip:error@x"}, ""},
		{events.DecideRefer, events.ReferRequestV1{ReferTo: "sip:invalid@x"}, ""},
		{events.DecideSubscribe, events.SubscribeRequestV1{Event: "conference"}, `{"action":"accept","expires":600}`},
		{events.DecideSubscribe, events.SubscribeRequestV1{Event: "dialog"}, `{"action":"default"}`},
		{events.DecideSubscribe, events.SubscribeRequestV1{Event: "shorter"}, ""},
		{events.DecideSubscribe, events.SubscribeRequestV1{Event: "oops"}, ""},
	} {
		d := wait
		if tt.want == "" {
			d = 200 * time.Millisecond
		}
		got, err := ask(tt.subject, tt.req, d)
		switch {
		case tt.want == "" && !errors.Is(err, nats.ErrTimeout):
			t.Errorf("%s %+v: %s, %v; want no answer", tt.subject, tt.req, got, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%s %+v: %s, %v; want %s", tt.subject, tt.req, got, err, tt.want)
		}
	}
}
