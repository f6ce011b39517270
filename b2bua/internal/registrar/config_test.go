package registrar

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestDefaultsValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("Defaults: %v", err)
	}
	if err := testConfig().Validate(); err != nil {
		t.Fatalf("testConfig: %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		keys   []string
	}{
		{"expiries", func(c *Config) { c.MinExpires = 0; c.MaxExpires = 1500 * time.Millisecond; c.DefaultExpires = 1 << 62 },
			[]string{"default_expires", "min_expires", "max_expires"}},
		{"min above max", func(c *Config) { c.MinExpires = 2 * time.Hour; c.MaxExpires = time.Hour }, []string{"min_expires", "default_expires"}},
		{"default outside", func(c *Config) { c.DefaultExpires = 10 * time.Second }, []string{"default_expires"}},
		{"store", func(c *Config) { c.Store = "redis" }, []string{"store"}},
		{"bucket", func(c *Config) { c.Store = StoreJetStream; c.Bucket = "a.b"; c.Replicas = 0 }, []string{"bucket", "replicas"}},
		{"fork", func(c *Config) { c.Fork = "random" }, []string{"fork"}},
		{"domains", func(c *Config) { c.Domains = []string{"ok.org", "bad host", ""} }, []string{"domains[1]", "domains[2]"}},
		{"max contacts", func(c *Config) { c.MaxContacts = 0 }, []string{"max_contacts"}},
		{"algorithms", func(c *Config) { c.Auth.Algorithms = []string{"SHA-512"} }, []string{"auth.algorithms[0]"}},
		{"no algorithm", func(c *Config) { c.Auth.Algorithms = nil }, []string{"auth.algorithms"}},
		{"realm", func(c *Config) { c.Auth.Realm = `a"b` }, []string{"auth.realm"}},
		{"users", func(c *Config) {
			c.Auth.Users = []User{{User: "a:b", Password: "x"}, {User: "n"}, {User: "h", HA1: "xyz"}, {User: "s", HA1SHA256: "00"},
				{User: "d", Password: "p"}, {User: "d", Password: "p"}, {User: "aor", Password: "p", AORs: []string{"mailto:x"}}}
		}, []string{"auth.users[0].user", "auth.users[1]", "auth.users[2].ha1", "auth.users[3].ha1_sha256", "auth.users[5].user", "auth.users[6].aors[0]"}},
		{"auth numbers", func(c *Config) {
			c.Auth.NonceTTL = 0
			c.Auth.FailInterval = -1
			c.Auth.NonceCounts = 0
			c.Auth.FailBurst = 0
			c.Auth.MaxSources = 0
		}, []string{"auth.nonce_ttl", "auth.fail_interval", "auth.nonce_counts", "auth.fail_burst", "auth.max_sources"}},
		{"watchers", func(c *Config) { c.Watchers = []Watcher{{AOR: "nope", Users: []string{"a"}}, {AOR: "*"}} }, []string{"watchers[0].aor", "watchers[1].users"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			tc.mutate(&c)
			err := c.Validate()
			var keys []string
			for _, e := range unwrapAll(err) {
				var ce *ConfigError
				if !errors.As(e, &ce) {
					t.Fatalf("%v is not a *ConfigError", e)
				}
				keys = append(keys, ce.Key)
			}
			for _, k := range tc.keys {
				if !contains(keys, k) {
					t.Errorf("no problem for %s in %q", k, keys)
				}
			}
			if len(keys) != len(tc.keys) {
				t.Errorf("problems %q, want %q", keys, tc.keys)
			}
		})
	}
	if _, err := New(Config{}, NewMemStore(), nil, slog.Default()); err == nil || !strings.Contains(err.Error(), "registrar: config") {
		t.Errorf("New with a zero Config: %v", err)
	}
}

func unwrapAll(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestCanonicalAOR(t *testing.T) {
	cases := map[string]string{
		"sip:alice@example.com":                  "sip:alice@example.com",
		"SIP:alice@EXAMPLE.COM":                  "sip:alice@example.com",
		"sip:%61lice@example.com;user=phone?x=y": "sip:alice@example.com",
		"sips:bob@example.com:5061":              "sips:bob@example.com:5061",
		"sip:a%20b@example.com":                  "sip:a%20b@example.com",
		"sip:+1555;phone-context=x@example.com":  "sip:+1555;phone-context=x@example.com",
	}
	for in, want := range cases {
		got, err := canonicalAORString(in)
		if err != nil || got != want {
			t.Errorf("canonicalAOR(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"tel:+1555", "sip:example.com", "mailto:a@b", ""} {
		if got, err := canonicalAORString(bad); err == nil {
			t.Errorf("canonicalAOR(%q) = %q", bad, got)
		}
	}
}

func TestConfigLogValue(t *testing.T) {
	var sb strings.Builder
	c := testConfig()
	slog.New(slog.NewTextHandler(&sb, nil)).Info("cfg", "registrar", c, "user", c.Auth.Users[0])
	if strings.Contains(sb.String(), "secret") || strings.Contains(sb.String(), c.Auth.Users[2].HA1) {
		t.Errorf("credentials in the log: %s", sb.String())
	}
}
