package config_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/host"
)

func TestValidatePluginsAndUsers(t *testing.T) {
	plugin := func(p host.PluginConfig) func(*config.Config) {
		return func(c *config.Config) {
			c.Plugins.List = []host.PluginConfig{{Name: "ok", Kind: host.KindBuiltin}, p}
		}
	}
	user := func(u natsapi.User) func(*config.Config) {
		return func(c *config.Config) { c.NATS.Embedded.Users = []natsapi.User{{User: "ok", Password: "x"}, u} }
	}
	proc := host.PluginConfig{Name: "p", Kind: host.KindProcess, Path: "/bin/p"}
	with := func(f func(*host.PluginConfig)) host.PluginConfig { p := proc; f(&p); return p }
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		key    string
		msg    string
	}{
		{"name empty", plugin(with(func(p *host.PluginConfig) { p.Name = "" })), "plugins.list[1].name", "must be set"},
		{"name dot", plugin(with(func(p *host.PluginConfig) { p.Name = "a.b" })), "plugins.list[1].name", "letters, digits"},
		{"name twice", plugin(with(func(p *host.PluginConfig) { p.Name = "ok" })), "plugins.list[1].name", "also the name of list[0]"},
		{"kind", plugin(with(func(p *host.PluginConfig) { p.Kind = "thread" })), "plugins.list[1].kind", "not builtin or process"},
		{"process path", plugin(with(func(p *host.PluginConfig) { p.Path = "" })), "plugins.list[1].path", "must be set"},
		{"process app", plugin(with(func(p *host.PluginConfig) { p.App = "x" })), "plugins.list[1].app", "only for kind builtin"},
		{"sha256", plugin(with(func(p *host.PluginConfig) { p.SHA256 = "abc" })), "plugins.list[1].sha256", "64 hexadecimal"},
		{"builtin path", plugin(host.PluginConfig{Name: "b", Kind: host.KindBuiltin, Path: "/x"}), "plugins.list[1].path", "only for kind process"},
		{"decision", plugin(with(func(p *host.PluginConfig) { p.Decisions = []string{"nope"} })), "plugins.list[1].decisions[0]", `"nope" is not one of route`},
		{"publish", plugin(with(func(p *host.PluginConfig) { p.Publish = []string{"a.>.b"} })), "plugins.list[1].publish[0]", "> must be the last"},
		{"subscribe", plugin(with(func(p *host.PluginConfig) { p.Subscribe = []string{"a..b"} })), "plugins.list[1].subscribe[0]", "empty token"},
		{"config", plugin(with(func(p *host.PluginConfig) { p.Config = map[string]any{"f": func() {}} })), "plugins.list[1].config", "JSON"},
		{"credentials_file embedded", plugin(with(func(p *host.PluginConfig) { p.CredentialsFile = "/x.creds" })), "plugins.list[1].credentials_file", "external nats.url"},
		{"health_interval", func(c *config.Config) { c.Plugins.HealthInterval = 0 }, "plugins.health_interval", "more than 0"},
		{"backoff max", func(c *config.Config) { c.Plugins.RestartBackoffMax = time.Millisecond }, "plugins.restart_backoff_max", "less than restart_backoff"},

		{"user empty", user(natsapi.User{Password: "x"}), "nats.embedded.users[1].user", "must be set"},
		{"user internal", user(natsapi.User{User: natsapi.InternalUser, Password: "x"}), "nats.embedded.users[1].user", "core's own"},
		{"user plugin-", user(natsapi.User{User: "plugin-x", Password: "x"}), "nats.embedded.users[1].user", "plugins' users"},
		{"user twice", user(natsapi.User{User: "ok", Password: "x"}), "nats.embedded.users[1].user", "also the user of"},
		{"user password", user(natsapi.User{User: "u"}), "nats.embedded.users[1].password", "must be set"},
		{"user subject", user(natsapi.User{User: "u", Password: "x", Publish: []string{"a b"}}), "nats.embedded.users[1].publish[0]", "white space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			tc.mutate(&c)
			checkOnly(t, c.Validate(), tc.key, tc.msg)
		})
	}
}

// Plugins and users come from the environment as JSON, config and all.
func TestPluginsFromEnv(t *testing.T) {
	c, err := config.Load("", []string{
		`TANDEM_PLUGINS_LIST=[{"name":"r","kind":"process","path":"/bin/r","decisions":["route"],"config":{"prefixes":{"9":"sip:$rest@h"}}}]`,
		`TANDEM_NATS_EMBEDDED_USERS=[{"user":"ops","password":"hunter2","subscribe":["tandem.v1.evt.>"]}]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Plugins.List[0]
	if p.Name != "r" || p.Kind != host.KindProcess || p.Config["prefixes"].(map[string]any)["9"] != "sip:$rest@h" {
		t.Errorf("plugin %+v", p)
	}
	if u := c.NATS.Embedded.Users[0]; u.User != "ops" || u.Password != "hunter2" || len(u.Subscribe) != 1 {
		t.Errorf("user %+v", u)
	}
	// The password stays out of logs, text and JSON.
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "config", c)
	if strings.Contains(b.String(), "hunter2") || !strings.Contains(b.String(), "xxxxx") {
		t.Errorf("logged config shows the password:\n%s", b.String())
	}
}
