package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/examples/prefixrouter/prefix"
	"github.com/tandem-sip/tandem/plugins/host"
)

// wait bounds every wait in these tests; nothing waits for it to pass.
const wait = 20 * time.Second

const node = "node-1"

// routeConfig routes users starting with 9 to a fixed host.
var routeConfig = map[string]any{"prefixes": map[string]any{"9": "sip:$rest@10.0.0.9"}}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// TestMain removes what the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// exampleBinary builds plugins/examples/prefixrouter once with go build.
func exampleBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tandem-plugins-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, "prefixrouter"),
			"github.com/tandem-sip/tandem/plugins/examples/prefixrouter").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "prefixrouter")
}

// testLogger logs to the test at warn level (debug with TANDEM_TEST_LOG=1).
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("TANDEM_TEST_LOG") == "1" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }() // a line after the test ended
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = tWriter{}

// env is a real embedded NATS (through the core's own natsapi) and a host.
type env struct {
	t      *testing.T
	api    *natsapi.API
	host   *host.Host
	reg    *prometheus.Registry
	events chan pluginEvent
	logs   *logRecorder
}

// start starts natsapi, with the users of the host made from cfg (as the
// server does), then the host, and subscribes to the host's events.
func start(t *testing.T, cfg host.Config, builtins host.Registry) *env {
	t.Helper()
	e := &env{t: t, reg: prometheus.NewRegistry(), events: make(chan pluginEvent, 64), logs: &logRecorder{}}
	log := slog.New(slog.NewMultiHandler(testLogger(t).Handler(), slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := host.New(cfg, node, host.WithLogger(log), host.WithRegisterer(e.reg), host.WithBuiltins(builtins))
	if err != nil {
		t.Fatalf("host.New: %v", err)
	}
	e.host = h
	ncfg := natsapi.Defaults()
	ncfg.Embedded.Port = -1
	ncfg.Embedded.DataDir = t.TempDir()
	for _, g := range h.Users() {
		ncfg.Embedded.Users = append(ncfg.Embedded.Users, natsapi.User{
			User: g.User, Password: natsapi.Secret(g.PasswordHash), Publish: g.Publish, Subscribe: g.Subscribe,
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	api, err := natsapi.Start(ctx, ncfg, node, log, nil)
	if err != nil {
		t.Fatalf("natsapi.Start: %v", err)
	}
	e.api = api
	t.Cleanup(func() { _ = api.Close() })

	if _, err := api.Conn().Subscribe(events.PluginEventsFilter, func(m *nats.Msg) {
		ev, err := decodePluginEvent(m)
		if err != nil {
			t.Errorf("host event on %s: %v", m.Subject, err)
			return
		}
		e.events <- ev
	}); err != nil {
		t.Fatal(err)
	}
	if err := api.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(ctx, host.NATS{URL: api.ClientURL(), Connect: api.Connect, Conn: api.Conn()}); err != nil {
		t.Fatalf("host.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("host.Shutdown: %v", err)
		}
	})
	return e
}

// builtins is the registry of the tests: the example and test apps.
func builtins(extra host.Registry) host.Registry {
	r := host.Registry{"prefixrouter": prefix.Plugin}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// fast is a host configuration with short intervals.
func fast(list ...host.PluginConfig) host.Config {
	c := host.Defaults()
	c.HealthInterval = 50 * time.Millisecond
	c.HealthTimeout = 2 * time.Second // generous: a loaded CI machine must not look like a hang
	c.RestartBackoff = 20 * time.Millisecond
	c.RestartBackoffMax = 200 * time.Millisecond
	c.List = list
	return c
}

// pluginEvent is what the host's three events have in common.
type pluginEvent interface {
	events.Event
	Info() *events.PluginInfoV1
}

// decodePluginEvent decodes a host event into its registered type and
// checks that it came on its subject.
func decodePluginEvent(m *nats.Msg) (pluginEvent, error) {
	var env events.Envelope
	if err := json.Unmarshal(m.Data, &env); err != nil {
		return nil, err
	}
	spec, ok := events.Lookup(env.Type)
	if !ok || spec.Kind != events.KindEvent {
		return nil, fmt.Errorf("type %q is not a registered event", env.Type)
	}
	v := spec.New()
	if err := json.Unmarshal(m.Data, v); err != nil {
		return nil, err
	}
	ev, ok := v.(pluginEvent)
	if !ok {
		return nil, fmt.Errorf("%T is not a plugin event", v)
	}
	if want := events.PluginEventSubject(env.Node, ev.Info().Plugin, ev.Name()); m.Subject != want {
		return nil, fmt.Errorf("%s published on %s, want %s", env.Type, m.Subject, want)
	}
	return ev, nil
}

// awaitEvent waits for the host's event of type E (e.g.
// *events.PluginDownV1) about plugin.
func awaitEvent[E pluginEvent](e *env, plugin string) E {
	e.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-e.events:
			if x, ok := ev.(E); ok && ev.Info().Plugin == plugin {
				return x
			}
		case <-deadline:
			var zero E
			e.t.Fatalf("no %T event for %s within %v", zero, plugin, wait)
		}
	}
}

// route asks the routing decision for user as the core does.
func (e *env) route(user string) (events.RouteDecisionV1, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return e.api.Route(ctx, events.RouteRequestV1{User: user})
}

// mustRoute checks that user is forwarded to target.
func (e *env) mustRoute(user, target string) {
	e.t.Helper()
	d, err := e.route(user)
	if err != nil || d.Action != events.RouteForward || d.Target != target {
		e.t.Fatalf("route %s = %+v, %v; want forward to %s", user, d, err, target)
	}
}

// status returns the host's status of one plugin.
func (e *env) status(name string) host.Status {
	e.t.Helper()
	for _, s := range e.host.Status() {
		if s.Name == name {
			return s
		}
	}
	e.t.Fatalf("no plugin %s", name)
	return host.Status{}
}

func (e *env) metric(name, plugin string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "plugin" && l.GetValue() == plugin {
					if m.GetGauge() != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	e.t.Fatalf("no metric %s{plugin=%q}", name, plugin)
	return 0
}

// logRecorder keeps JSON log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(p))
	return len(p), nil
}

func (l *logRecorder) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}
