package sdk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// A Go function's error fails the plugin: Done closes, Err says why, its
// handlers stop, and Run returns the error.
func TestGoFailureStopsPlugin(t *testing.T) {
	c := startCore(t)
	boom := errors.New("boom")
	fail := make(chan struct{})
	p := plugin("fragile", func(_ context.Context, cl *sdk.Client) error {
		if _, err := cl.HandleRoute(func(context.Context, events.RouteRequestV1) (events.RouteDecisionV1, error) {
			return events.RouteDecisionV1{Action: events.RouteDefault}, nil
		}); err != nil {
			return err
		}
		return cl.Go(func(ctx context.Context) error {
			select {
			case <-fail:
				return boom
			case <-ctx.Done():
				return nil
			}
		})
	})
	res := make(chan error, 1)
	nc := c.conn(t)
	go func() { res <- sdk.Run(context.Background(), nc, p, sdk.WithLogger(testLogger(t))) }()
	close(fail)
	if err := recv(t, res, "Run's return"); !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want boom", err)
	}
	if _, err := c.route(t, "u", 200*time.Millisecond); err == nil {
		t.Error("the failed plugin still answers")
	}
}

// A Start that fails undoes what it registered.
func TestStartErrorUndoes(t *testing.T) {
	c := startCore(t)
	_, err := sdk.Start(t.Context(), c.conn(t), plugin("half", func(_ context.Context, cl *sdk.Client) error {
		if _, err := cl.HandleRoute(func(context.Context, events.RouteRequestV1) (events.RouteDecisionV1, error) {
			return events.RouteDecisionV1{Action: events.RouteDefault}, nil
		}); err != nil {
			return err
		}
		return errors.New("bad config")
	}))
	if err == nil || !strings.Contains(err.Error(), "bad config") {
		t.Fatalf("Start = %v, want the plugin's error", err)
	}
	if _, err := c.route(t, "u", 200*time.Millisecond); err == nil {
		t.Error("a handler of the failed Start still answers")
	}
}

// Closing the connection fails the plugin.
func TestConnClosedFailsPlugin(t *testing.T) {
	c := startCore(t)
	nc := c.conn(t)
	inst, err := sdk.Start(t.Context(), nc, plugin("p", func(context.Context, *sdk.Client) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	select {
	case <-inst.Done():
	case <-time.After(wait):
		t.Fatal("plugin still running after its connection closed")
	}
	if err := inst.Err(); err == nil {
		t.Error("Err() = nil")
	}
	_ = inst.Stop(t.Context())
}

// Stop drains: a decision already being handled is answered; Stop waits
// for it; afterwards nothing answers.
func TestStopDrains(t *testing.T) {
	c := startCore(t)
	entered, release := make(chan struct{}), make(chan struct{})
	nc := c.conn(t)
	inst, err := sdk.Start(t.Context(), nc, plugin("p", func(_ context.Context, cl *sdk.Client) error {
		_, err := cl.HandleRoute(func(context.Context, events.RouteRequestV1) (events.RouteDecisionV1, error) {
			close(entered)
			<-release
			return events.RouteDecisionV1{Action: events.RouteDefault}, nil
		})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	answer := make(chan error, 1)
	go func() { _, err := c.route(t, "u", wait); answer <- err }()
	recv(t, entered, "handler entry")
	stopped := make(chan error, 1)
	go func() { stopped <- inst.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a handler runs", err)
	case <-inst.Done(): // the plugin's context ends once drained; Stop still waits
	}
	close(release)
	if err := recv(t, answer, "answer"); err != nil {
		t.Errorf("the request in flight got %v", err)
	}
	if err := recv(t, stopped, "Stop"); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if inst.Err() != nil {
		t.Errorf("Err after a clean Stop: %v", inst.Err())
	}
	if _, err := inst.Client().HandleRoute(func(context.Context, events.RouteRequestV1) (events.RouteDecisionV1, error) {
		return events.RouteDecisionV1{}, nil
	}); !errors.Is(err, sdk.ErrStopped) {
		t.Errorf("HandleRoute after Stop: %v, want ErrStopped", err)
	}
}

// Config decodes the plugin's configuration.
func TestConfig(t *testing.T) {
	c := startCore(t)
	var got struct{ Greeting string }
	start(t, c, plugin("cfg", func(_ context.Context, cl *sdk.Client) error { return cl.Config(&got) }),
		sdk.WithConfig([]byte(`{"greeting":"hi"}`)))
	if got.Greeting != "hi" {
		t.Errorf("config %+v", got)
	}
	_, err := sdk.Start(t.Context(), c.conn(t), plugin("bad", func(_ context.Context, cl *sdk.Client) error { return cl.Config(&got) }),
		sdk.WithConfig([]byte(`{"greeting":`)))
	if err == nil {
		t.Error("bad config accepted")
	}
}
