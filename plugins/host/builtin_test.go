package host_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// A built-in app from the registry runs in-process and answers decisions;
// the host says so in an event, a metric and Status.
func TestBuiltinFromRegistry(t *testing.T) {
	e := start(t, fast(host.PluginConfig{
		Name: "router", Kind: host.KindBuiltin, App: "prefixrouter", Decisions: []string{"route"}, Config: routeConfig,
	}), builtins(nil))
	ev := awaitEvent[*events.PluginStartedV1](e, "router")
	if ev.Kind != string(host.KindBuiltin) || ev.Node != node || ev.Seq != 1 || ev.Restarts != 0 {
		t.Errorf("started event %+v", ev)
	}
	e.mustRoute("9123", "sip:123@10.0.0.9")
	if d, err := e.route("555"); err != nil || d.Action != events.RouteDefault {
		t.Errorf("route 555 = %+v, %v; want the router to decline", d, err)
	}
	if st := e.status("router"); !st.Up || st.PID != 0 || st.Kind != host.KindBuiltin {
		t.Errorf("status %+v", st)
	}
	if up := e.metric("tandem_plugin_up", "router"); up != 1 {
		t.Errorf("tandem_plugin_up = %v", up)
	}
}

// A builtin naming an app that is not registered is refused by New.
func TestBuiltinUnknownApp(t *testing.T) {
	_, err := host.New(fast(host.PluginConfig{Name: "x", Kind: host.KindBuiltin, App: "nope"}), node, host.WithBuiltins(builtins(nil)))
	if err == nil || !strings.Contains(err.Error(), "plugins.list[0].app") || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("New = %v, want an error naming plugins.list[0].app", err)
	}
}

// flaky fails (from a Go function) each time its test says so.
func flaky(fail <-chan error) sdk.Plugin {
	return sdk.Plugin{Name: "flaky", Start: func(_ context.Context, c *sdk.Client) error {
		if _, err := c.HandleRoute(func(context.Context, events.RouteRequestV1) (events.RouteDecisionV1, error) {
			return events.RouteDecisionV1{Action: events.RouteReject, Code: 486}, nil
		}); err != nil {
			return err
		}
		return c.Go(func(ctx context.Context) error {
			select {
			case err := <-fail:
				return err
			case <-ctx.Done():
				return nil
			}
		})
	}}
}

// A built-in that fails is restarted: down and restarted events, the
// restarts counter, and it answers again.
func TestBuiltinRestart(t *testing.T) {
	fail := make(chan error, 1)
	e := start(t, fast(host.PluginConfig{Name: "flaky", Kind: host.KindBuiltin, Decisions: []string{"route"}}),
		builtins(host.Registry{"flaky": flaky(fail)}))
	awaitEvent[*events.PluginStartedV1](e, "flaky")
	fail <- errors.New("boom")
	down := awaitEvent[*events.PluginDownV1](e, "flaky")
	if down.Reason != events.PluginExited || !strings.Contains(down.Error, "boom") {
		t.Errorf("down event %+v", down)
	}
	re := awaitEvent[*events.PluginRestartedV1](e, "flaky")
	if re.Restarts != 1 || re.Seq != 3 {
		t.Errorf("restarted event %+v", re)
	}
	if n := e.metric("tandem_plugin_restarts_total", "flaky"); n != 1 {
		t.Errorf("restarts = %v", n)
	}
	if d, err := e.route("1"); err != nil || d.Code != 486 {
		t.Errorf("after restart route = %+v, %v", d, err)
	}
}

// garbage answers the routing decision with bytes that are no decision,
// bypassing the SDK (which refuses to send invalid answers).
var garbage = sdk.Plugin{Name: "garbage", Start: func(_ context.Context, c *sdk.Client) error {
	_, err := c.Conn().QueueSubscribe(events.DecideRoute, "garbage", func(m *nats.Msg) {
		_ = m.Respond([]byte(`{"action":"teleport","target":42`))
	})
	return err
}}

// A garbage answer does not keep another plugin's valid answer from
// winning (natsapi's TestRouteFirstValidAnswerWins orders them); alone, it
// is rejected and logged and the core uses its configuration.
func TestGarbageAnswerRejected(t *testing.T) {
	e := start(t, fast(
		host.PluginConfig{Name: "garbage", Kind: host.KindBuiltin, Decisions: []string{"route"}},
		host.PluginConfig{Name: "router", Kind: host.KindBuiltin, App: "prefixrouter", Decisions: []string{"route"}, Config: routeConfig},
	), builtins(host.Registry{"garbage": garbage}))
	e.mustRoute("9123", "sip:123@10.0.0.9")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e.host.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	alone := start(t, fast(host.PluginConfig{Name: "garbage", Kind: host.KindBuiltin, Decisions: []string{"route"}}),
		builtins(host.Registry{"garbage": garbage}))
	rctx, rcancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer rcancel()
	if _, err := alone.api.Route(rctx, events.RouteRequestV1{User: "9123"}); !errors.Is(err, natsapi.ErrInvalidDecision) {
		t.Fatalf("route = %v, want ErrInvalidDecision", err)
	}
	if !alone.logs.contains("natsapi: invalid route decision rejected") {
		t.Error("the rejected answer was not logged")
	}
}
