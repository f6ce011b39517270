package natsapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// pluginUser is a user granted as a plugin is by default.
var pluginUser = natsapi.User{
	User:      "plugin-p",
	Password:  "secret-p",
	Publish:   []string{events.CommandPrefix + ".>"},
	Subscribe: []string{events.EventPrefix + ".>", events.DecideRoute, "_INBOX_p.>"},
}

func startAuth(t *testing.T) *env {
	t.Helper()
	return startAPI(t, func(c *natsapi.Config) { c.Embedded.Users = []natsapi.User{pluginUser} })
}

// With users configured nothing connects without credentials, the core's
// own connection and the events stream still work, and InternalURL gives
// full access.
func TestAuthRefusesAnonymous(t *testing.T) {
	e := startAuth(t)
	if !e.api.AuthRequired() {
		t.Fatal("AuthRequired() = false with users configured")
	}
	for _, url := range []string{e.api.ClientURL(), strings.Replace(e.api.ClientURL(), "nats://", "nats://plugin-p:wrong@", 1)} {
		nc, err := nats.Connect(url, nats.MaxReconnects(0))
		if err == nil {
			nc.Close()
			t.Fatalf("connect %s without valid credentials succeeded", url)
		}
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("connect %s: %v, want an authorization violation", url, err)
		}
	}
	if strings.Contains(e.api.ClientURL(), "@") {
		t.Errorf("ClientURL %q carries credentials", e.api.ClientURL())
	}

	// The core publishes to JetStream as the internal user.
	e.api.Publish(callEvent("c1", 1))
	if err := e.api.Flush(ctxT(t, 10*time.Second)); err != nil {
		t.Fatalf("flush: %v", err)
	}
	admin := connect(t, e.api.InternalURL())
	if got := readStream(t, ctxT(t, 10*time.Second), admin); len(got) != 1 {
		t.Errorf("stream holds %d events, want 1", len(got))
	}
	ready := e.logs.records("natsapi: embedded nats server ready")
	if len(ready) != 1 || ready[0]["auth"] != true || e.logs.contains("secret-p") {
		t.Errorf("ready log %v should say auth=true; passwords must not be logged", ready)
	}
}

// A plugin user publishes and subscribes only within its grant, and may
// answer the decision requests it receives.
func TestAuthPermissions(t *testing.T) {
	e := startAuth(t)
	admin := connect(t, e.api.InternalURL())
	seen := make(chan string, 16)
	if _, err := admin.Subscribe(events.Prefix+".>", func(m *nats.Msg) { seen <- m.Subject }); err != nil {
		t.Fatal(err)
	}
	if err := admin.Flush(); err != nil {
		t.Fatal(err)
	}

	denied := make(chan error, 4)
	plugin, err := nats.Connect(e.api.ClientURL(), nats.UserInfo(pluginUser.User, string(pluginUser.Password)),
		nats.CustomInboxPrefix("_INBOX_p"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { denied <- err }))
	if err != nil {
		t.Fatalf("plugin connect: %v", err)
	}
	t.Cleanup(plugin.Close)

	// Outside the grant: a forged event. Inside: a command subject. The
	// server handles one connection's messages in order, so once the
	// command arrives the event would have arrived before it.
	forged := events.EventSubject("n", "c", "ended")
	if err := plugin.Publish(forged, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	allowed := events.CommandSubject("calls.list")
	if err := plugin.Publish(allowed, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	select {
	case subj := <-seen:
		if subj != allowed {
			t.Fatalf("observer got %s first, want %s (the forged event must be refused)", subj, allowed)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("allowed publish never arrived")
	}
	expectViolation(t, denied, "Publish", forged)

	// Subscribing outside the grant (another plugin's inbox) is refused.
	if _, err := plugin.Subscribe("_INBOX.>", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	expectViolation(t, denied, "Subscription", "_INBOX.>")

	// A granted decision is answered through the response permission, to
	// the core's own inbox, which is outside the publish grant.
	if _, err := plugin.Subscribe(events.DecideRoute, func(m *nats.Msg) { _ = m.Respond([]byte(`{"action":"default"}`)) }); err != nil {
		t.Fatal(err)
	}
	if err := plugin.Flush(); err != nil {
		t.Fatal(err)
	}
	d, err := e.api.Route(ctxT(t, 5*time.Second), events.RouteRequestV1{User: "u"})
	if err != nil || d.Action != events.RouteDefault {
		t.Fatalf("Route = %+v, %v; want the plugin's default answer", d, err)
	}
}

func expectViolation(t *testing.T, denied <-chan error, op, subject string) {
	t.Helper()
	select {
	case err := <-denied:
		if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), op) || !strings.Contains(err.Error(), subject) {
			t.Errorf("error %v, want a permission violation for %s to %s", err, op, subject)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("no permission violation for %s to %s", op, subject)
	}
}

// Connect opens in-process connections, with the caller's credentials.
// (Without them the server refuses too, but over the in-process pipe the
// client only notices after the server's 10 s write deadline.)
func TestConnectInProcess(t *testing.T) {
	e := startAuth(t)
	nc, err := e.api.Connect(nats.UserInfo(pluginUser.User, string(pluginUser.Password)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	defer nc.Close()
	if !nc.IsConnected() {
		t.Error("not connected")
	}
	// Without users, Connect needs nothing.
	open := startAPI(t)
	if open.api.AuthRequired() || open.api.InternalURL() != open.api.ClientURL() {
		t.Errorf("no users: AuthRequired %v, InternalURL %q", open.api.AuthRequired(), open.api.InternalURL())
	}
	nc2, err := open.api.Connect()
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	nc2.Close()
}

// Configured users are checked when the server starts.
func TestAuthBadUsers(t *testing.T) {
	for name, users := range map[string][]natsapi.User{
		"reserved":    {{User: natsapi.InternalUser, Password: "x"}},
		"twice":       {{User: "a", Password: "x"}, {User: "a", Password: "y"}},
		"no password": {{User: "a"}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := natsapi.Defaults()
			cfg.Embedded.Port = -1
			cfg.Embedded.DataDir = t.TempDir()
			cfg.Embedded.Users = users
			api, err := natsapi.Start(ctxT(t, 10*time.Second), cfg, testNode, nil, nil)
			if err == nil {
				api.Close()
				t.Fatal("Start succeeded")
			}
		})
	}
}

// A secret never prints.
func TestSecret(t *testing.T) {
	u := natsapi.User{User: "a", Password: "hunter2"}
	js, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{u.Password.String(), fmt.Sprintf("%v %+v", u, []natsapi.User{u}), string(js)} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("%q shows the password", s)
		}
	}
}
