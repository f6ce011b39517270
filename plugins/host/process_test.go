package host_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
)

func processPlugin(t *testing.T) host.PluginConfig {
	return host.PluginConfig{
		Name: "router", Kind: host.KindProcess, Path: exampleBinary(t),
		Decisions: []string{"route"}, Config: routeConfig,
	}
}

// The example binary, launched by the host over go-plugin, answers
// decisions; with a process plugin the embedded server refuses anonymous
// clients.
func TestProcessPlugin(t *testing.T) {
	e := start(t, fast(processPlugin(t)), builtins(nil))
	ev := awaitEvent[*events.PluginStartedV1](e, "router")
	st := e.status("router")
	if !st.Up || st.PID == 0 || ev.PID != st.PID || ev.Kind != string(host.KindProcess) {
		t.Fatalf("status %+v, event %+v", st, ev)
	}
	e.mustRoute("9555", "sip:555@10.0.0.9")
	if !e.api.AuthRequired() {
		t.Error("a process plugin is configured but the server does not require authentication")
	}
	if nc, err := nats.Connect(e.api.ClientURL(), nats.MaxReconnects(0)); !errors.Is(err, nats.ErrAuthorization) {
		if nc != nil {
			nc.Close()
		}
		t.Errorf("anonymous connect: %v, want an authorization violation", err)
	}
	// The plugin's log lines reach the host's log, under its name.
	if !e.logs.contains("prefixrouter: routing") {
		t.Error("the plugin's log line did not reach the host's log")
	}
}

// SIGKILL: the host notices at once (down event), restarts it with a new
// process (restarted event, metric) and it answers again.
func TestProcessKilledIsRestarted(t *testing.T) {
	e := start(t, fast(processPlugin(t)), builtins(nil))
	awaitEvent[*events.PluginStartedV1](e, "router")
	pid := e.status("router").PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	down := awaitEvent[*events.PluginDownV1](e, "router")
	if down.Reason != events.PluginExited || down.PID != pid {
		t.Errorf("down event %+v", down)
	}
	re := awaitEvent[*events.PluginRestartedV1](e, "router")
	if re.PID == pid || re.PID == 0 || re.Restarts != 1 {
		t.Errorf("restarted event %+v (old pid %d)", re, pid)
	}
	e.mustRoute("9777", "sip:777@10.0.0.9")
	if n := e.metric("tandem_plugin_restarts_total", "router"); n != 1 {
		t.Errorf("restarts = %v", n)
	}
	if up := e.metric("tandem_plugin_up", "router"); up != 1 {
		t.Errorf("up = %v", up)
	}
}

// A plugin that hangs (SIGSTOP) fails its health check, is killed and
// replaced; meanwhile the core gets no answer and falls back.
func TestProcessHungIsReplaced(t *testing.T) {
	e := start(t, fast(processPlugin(t)), builtins(nil))
	awaitEvent[*events.PluginStartedV1](e, "router")
	pid := e.status("router").PID
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	down := awaitEvent[*events.PluginDownV1](e, "router")
	if down.Reason != events.PluginUnhealthy {
		t.Errorf("down event %+v, want reason unhealthy", down)
	}
	awaitEvent[*events.PluginRestartedV1](e, "router")
	e.mustRoute("9888", "sip:888@10.0.0.9")
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the hung process %d is still there", pid)
	}
}

// With a sha256 the executable is checked before it runs: a wrong sum keeps
// it from running (retried, logged), the right one lets it.
func TestProcessChecksum(t *testing.T) {
	bin := exampleBinary(t)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	good, bad := processPlugin(t), processPlugin(t)
	good.SHA256 = hex.EncodeToString(sum[:])
	bad.Name, bad.SHA256 = "tampered", strings.Repeat("0", 64)
	e := start(t, fast(good, bad), builtins(nil))
	awaitEvent[*events.PluginStartedV1](e, "router")
	e.mustRoute("9100", "sip:100@10.0.0.9")
	st := e.status("tampered")
	if st.Up || !strings.Contains(st.LastErr, "checksum") {
		t.Errorf("tampered status %+v, want down with a checksum error", st)
	}
}

// An executable that is no plugin fails the handshake and is retried.
func TestProcessNotAPlugin(t *testing.T) {
	e := start(t, fast(host.PluginConfig{Name: "true", Kind: host.KindProcess, Path: "/bin/true"}), builtins(nil))
	st := e.status("true")
	if st.Up || st.LastErr == "" {
		t.Errorf("status %+v, want down with an error", st)
	}
	if _, err := e.route("9"); err == nil {
		t.Error("someone answered")
	}
}

// Shutdown stops the process (its Stop, then go-plugin's Kill).
func TestShutdownStopsProcess(t *testing.T) {
	e := start(t, fast(processPlugin(t)), builtins(nil))
	awaitEvent[*events.PluginStartedV1](e, "router")
	pid := e.status("router").PID
	if err := e.host.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("plugin process %d still runs after Shutdown", pid)
	}
	if st := e.status("router"); st.Up {
		t.Errorf("status %+v after Shutdown", st)
	}
	if _, err := e.route("9"); err == nil {
		t.Error("a decision was answered after Shutdown")
	}
}

// The grant the host makes is what the server enforces: a plugin's user
// cannot forge events or read another plugin's inbox.
func TestGrantEnforced(t *testing.T) {
	e := start(t, fast(processPlugin(t)), builtins(nil))
	users := e.host.Users()
	if len(users) != 1 || users[0].User != "plugin-router" {
		t.Fatalf("users %v", users)
	}
	g := users[0]
	denied := make(chan error, 4)
	nc, err := nats.Connect(e.api.ClientURL(), nats.UserInfo(g.User, g.Password), nats.CustomInboxPrefix(g.InboxPrefix),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { denied <- err }))
	if err != nil {
		t.Fatalf("connect as %s: %v", g.User, err)
	}
	defer nc.Close()
	for _, try := range []struct {
		op, subject string
		do          func() error
	}{
		{"Publish", "tandem.v1.evt.node-1.call.c1.ended", func() error {
			return nc.Publish("tandem.v1.evt.node-1.call.c1.ended", []byte("{}"))
		}},
		{"Subscription", "_INBOX_other.>", func() error {
			_, err := nc.Subscribe("_INBOX_other.>", func(*nats.Msg) {})
			return err
		}},
	} {
		if err := try.do(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-denied:
			if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), try.subject) {
				t.Errorf("%s %s: %v, want a permission violation", try.op, try.subject, err)
			}
		case <-time.After(wait):
			t.Errorf("%s %s was allowed", try.op, try.subject)
		}
	}
}
