package plugins_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The example prefix router, built with go build and launched by the node's
// plugin host as a process, routes real calls; killed with SIGKILL while
// calls are up and ringing, those calls carry on, new calls fall back to the
// configured routes, and the host brings the plugin back (event, metric),
// which routes again.
func TestProcessPluginRoutesAndSurvivesSIGKILL(t *testing.T) {
	bin, sum := prefixRouter(t)
	bob := phone.New(t, "bob")     // where the plugin routes 9…
	carol := phone.New(t, "carol") // where the configured route sends 9…
	n := harness.Start(t,
		harness.WithRoutes(b2bua.Route{Name: "fallback", User: `^9(\d+)$`, Target: "sip:$1@" + carol.Addr()}),
		harness.WithConfig(func(c *config.Config) {
			c.Plugins.HealthInterval = 100 * time.Millisecond
			// Long enough that the calls placed while the plugin is down
			// are routed before it is back; short enough for a test.
			c.Plugins.RestartBackoff = 3 * time.Second
			c.Plugins.RestartBackoffMax = 3 * time.Second
			c.Plugins.List = []host.PluginConfig{{
				Name: "prefixrouter", Kind: host.KindProcess, Path: bin, SHA256: sum,
				Decisions: []string{"route"},
				Config:    map[string]any{"prefixes": map[string]any{"9": "sip:$rest@" + bob.Addr()}},
			}}
		}))
	alice := phone.New(t, "alice")

	st := pluginStatus(t, n)
	if !st.Up || st.PID == 0 {
		t.Fatalf("plugin status after start: %+v", st)
	}
	pid := st.PID

	// Routed by the plugin: to bob, with the user after the prefix.
	up := ring(t, n, alice, bob, "9100")
	up.answer(t, bob)
	if r := routedBy(t, n, up.id); r.By != "plugin" || !strings.HasPrefix(r.Target, "sip:100@") {
		t.Fatalf("first call routed %+v, want by the plugin to sip:100@bob", r)
	}
	ringing := ring(t, n, alice, bob, "9101")

	// Kill the plugin mid-traffic.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	down := n.Events.Await(host.TypePluginDownV1, nil, wait)
	var dev host.PluginEventV1
	if err := down.Decode(&dev); err != nil || dev.PID != pid || dev.Reason != host.ReasonExited {
		t.Fatalf("down event %+v (%v)", dev, err)
	}

	// New calls still work: the core falls back to its routes (carol).
	fb := ring(t, n, alice, carol, "9200")
	fb.answer(t, carol)
	if r := routedBy(t, n, fb.id); r.By != "config" {
		t.Errorf("call while the plugin is down routed %+v, want by config", r)
	}
	// The calls that were up and ringing carry on.
	ringing.answer(t, bob)
	up.hangup(t)
	ringing.hangup(t)
	fb.hangup(t)

	// The host restarts the plugin: an event and a metric.
	re := n.Events.Await(host.TypePluginRestartedV1, nil, wait)
	var rev host.PluginEventV1
	if err := re.Decode(&rev); err != nil || rev.Restarts != 1 || rev.PID == pid || rev.PID == 0 {
		t.Fatalf("restarted event %+v (%v)", rev, err)
	}
	if got := metric(t, n, "tandem_plugin_restarts_total"); got != 1 {
		t.Errorf("tandem_plugin_restarts_total = %v, want 1", got)
	}
	if got := metric(t, n, "tandem_plugin_up"); got != 1 {
		t.Errorf("tandem_plugin_up = %v, want 1", got)
	}

	// And routes again.
	again := ring(t, n, alice, bob, "9300")
	again.answer(t, bob)
	if r := routedBy(t, n, again.id); r.By != "plugin" {
		t.Errorf("call after the restart routed %+v, want by the plugin", r)
	}
	again.hangup(t)
	for _, c := range []*call{up, ringing, fb, again} {
		if end := n.Events.AwaitCallEnd(c.id, wait); end.Code != 200 {
			t.Errorf("call %s ended with %d, want 200", c.id, end.Code)
		}
	}
}

func pluginStatus(t *testing.T, n *harness.Node) host.Status {
	t.Helper()
	for _, s := range n.Server.Plugins().Status() {
		if s.Name == "prefixrouter" {
			return s
		}
	}
	t.Fatal("no plugin prefixrouter")
	return host.Status{}
}

// metric reads a per-plugin metric of the node.
func metric(t *testing.T, n *harness.Node, name string) float64 {
	t.Helper()
	mfs, err := n.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// The same router as a built-in app (in-process, no go-plugin) routes real
// calls too.
func TestBuiltinPluginRoutes(t *testing.T) {
	bob := phone.New(t, "bob")
	n := harness.Start(t, harness.WithConfig(func(c *config.Config) {
		c.Plugins.List = []host.PluginConfig{{
			Name: "router", Kind: host.KindBuiltin, App: "prefixrouter", Decisions: []string{"route"},
			Config: map[string]any{"prefixes": map[string]any{"7": "sip:$rest@" + bob.Addr()}},
		}}
	}))
	alice := phone.New(t, "alice")
	c := ring(t, n, alice, bob, "7042")
	c.answer(t, bob)
	if r := routedBy(t, n, c.id); r.By != "plugin" || !strings.HasPrefix(r.Target, "sip:042@") {
		t.Errorf("routed %+v, want by the plugin to sip:042@bob", r)
	}
	if got := c.in.Req.Recipient.User; got != "042" {
		t.Errorf("bob was called as %q, want 042", got)
	}
	c.hangup(t)
	n.Events.AwaitCallEnd(c.id, wait)
}
