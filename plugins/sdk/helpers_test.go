package sdk_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// wait bounds every wait; nothing waits for it to pass.
const wait = 10 * time.Second

const node = "node-1"

// core is the real NATS side of a core (natsapi on an embedded server)
// serving commands from a small table of calls.
type core struct {
	api    *natsapi.API
	mu     sync.Mutex // guards calls and hungUp
	calls  map[string]events.CallInfoV1
	hungUp []string
}

func startCore(t testing.TB) *core {
	t.Helper()
	c := &core{api: startAPI(t), calls: map[string]events.CallInfoV1{
		"c1": {CallID: "c1", Node: node, State: "connected"},
	}}
	serve(t, c.api, c)
	return c
}

// startAPI starts the core's NATS side (an embedded server with JetStream
// and the events stream) and closes it at cleanup.
func startAPI(t testing.TB) *natsapi.API {
	t.Helper()
	cfg := natsapi.Defaults()
	cfg.Embedded.Port = -1
	cfg.Embedded.DataDir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	api, err := natsapi.Start(ctx, cfg, node, nil, nil)
	if err != nil {
		t.Fatalf("natsapi: %v", err)
	}
	t.Cleanup(func() { _ = api.Close() })
	return api
}

// serve serves the commands of cc on api until the test ends.
func serve(t testing.TB, api *natsapi.API, cc natsapi.CallController) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	if err := api.ServeCommands(ctx, cc); err != nil {
		t.Fatal(err)
	}
}

func (c *core) ListCalls() []events.CallInfoV1 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []events.CallInfoV1
	for _, v := range c.calls {
		out = append(out, v)
	}
	return out
}

func (c *core) GetCall(id string) (events.CallInfoV1, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.calls[id]
	return v, ok
}

func (c *core) HangupCall(_ context.Context, id string, _ int, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.calls[id]; !ok {
		return events.NewError(events.ErrUnknownCall, "no call %q", id)
	}
	delete(c.calls, id)
	c.hungUp = append(c.hungUp, id)
	return nil
}

// conn is a plugin's connection to the core's server.
func (c *core) conn(t testing.TB, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(c.api.ClientURL(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// route asks the routing decision as the core does.
func (c *core) route(t testing.TB, user string, d time.Duration) (events.RouteDecisionV1, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return c.api.Route(ctx, events.RouteRequestV1{User: user})
}

// publish publishes a call event with the given seq through the core's
// real publisher and waits for JetStream's ack.
func (c *core) publish(t testing.TB, callID string, seq uint64, ev events.Event) {
	t.Helper()
	env := ev.Env()
	env.CallID, env.Seq = callID, seq
	if env.Type == "" {
		for _, s := range events.Registry {
			if s.Kind == events.KindEvent && s.Name == ev.Name() {
				env.Type = s.Type
			}
		}
	}
	c.api.Publish(ev)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.api.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// start starts p on a new connection and stops it at cleanup.
func start(t testing.TB, c *core, p sdk.Plugin, opts ...sdk.Option) *sdk.Instance {
	t.Helper()
	return startOn(t, c.conn(t), p, opts...)
}

// startOn starts p on nc and stops it at cleanup.
func startOn(t testing.TB, nc *nats.Conn, p sdk.Plugin, opts ...sdk.Option) *sdk.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	inst, err := sdk.Start(ctx, nc, p, append([]sdk.Option{sdk.WithLogger(testLogger(t))}, opts...)...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := inst.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return inst
}

// plugin is a Plugin named name whose Start is fn.
func plugin(name string, fn func(context.Context, *sdk.Client) error) sdk.Plugin {
	return sdk.Plugin{Name: name, Start: fn}
}

func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelError + 1
	if os.Getenv("TANDEM_TEST_LOG") == "1" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// recv receives from ch within wait.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s within %v", what, wait)
		var zero T
		return zero
	}
}
