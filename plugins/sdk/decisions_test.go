package sdk_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

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
