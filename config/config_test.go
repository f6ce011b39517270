package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
)

// writeYAML writes a config file in a temporary directory and returns its
// path.
func writeYAML(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tandem.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantErrs checks that err mentions every one of wants, each in one of the
// joined errors.
func wantErrs(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want errors mentioning %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, config.Defaults()) {
		t.Errorf("Load(\"\", nil) = %+v, want Defaults() %+v", c, config.Defaults())
	}
	if err := config.Defaults().Validate(); err != nil {
		t.Errorf("Defaults().Validate() = %v", err)
	}
	// Other TANDEM-less variables are none of our business.
	if _, err := config.Load("", []string{"HOME=/root", "PATH=/bin", "TANDEMX=1", "weird"}); err != nil {
		t.Errorf("unrelated variables: %v", err)
	}
}

func TestLoadEmptyFile(t *testing.T) {
	for _, body := range []string{"", "# only a comment\n", "---\n", "~\n", "sip:\nnats:\n  embedded:\n"} {
		c, err := config.Load(writeYAML(t, body), nil)
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		if !reflect.DeepEqual(c, config.Defaults()) {
			t.Errorf("%q: got %+v, want defaults", body, c)
		}
	}
}

func TestLoadYAML(t *testing.T) {
	p := writeYAML(t, `
node: edge-2
sip:
  listen: 0.0.0.0:5070
  tcp: false
  advertise: sip.example.com:5070
routes:
  - name: out
    user: '^9(\d+)$'
    target: sip:$1@10.0.0.1
  - user: '^0$'
    reject: 403
    reason: Forbidden
route_deadline: 250ms
no_answer_timeout: 1m30s
max_redirects: 0
headers:
  allow: [Subject]
nats:
  url: nats://a:4222,tls://b:4222
  embedded:
    data_dir: ""
  stream_max_age: 1h
http:
  listen: ""
log:
  level: debug
  format: json
`)
	got, err := config.Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Defaults()
	want.Node = "edge-2"
	want.SIP.Listen = "0.0.0.0:5070"
	want.SIP.TCP = false
	want.SIP.Advertise = "sip.example.com:5070"
	want.Routes = []b2bua.Route{
		{Name: "out", User: `^9(\d+)$`, Target: "sip:$1@10.0.0.1"},
		{User: "^0$", Reject: 403, Reason: "Forbidden"},
	}
	want.RouteDeadline = 250 * time.Millisecond
	want.NoAnswerTimeout = 90 * time.Second
	want.MaxRedirects = 0
	want.Headers.Allow = []string{"Subject"}
	want.NATS.URL = "nats://a:4222,tls://b:4222"
	want.NATS.Embedded.DataDir = ""
	want.NATS.StreamMaxAge = time.Hour
	want.HTTP.Listen = ""
	want.Log = config.LogConfig{Level: "debug", Format: "json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestLoadYAMLAnchorsAndMerge(t *testing.T) {
	p := writeYAML(t, `
routes:
  - &pbx
    user: '^1(\d+)$'
    target: sip:$1@pbx.example.com
  - <<: *pbx
    user: '^2(\d+)$'
`)
	c, err := config.Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []b2bua.Route{
		{User: `^1(\d+)$`, Target: "sip:$1@pbx.example.com"},
		{User: `^2(\d+)$`, Target: "sip:$1@pbx.example.com"},
	}
	if !reflect.DeepEqual(c.Routes, want) {
		t.Errorf("routes = %+v, want %+v", c.Routes, want)
	}
}

func TestEnvOverridesYAML(t *testing.T) {
	p := writeYAML(t, `
node: from-file
sip:
  listen: 127.0.0.1:5070
  udp: true
route_deadline: 1s
headers:
  allow: [Subject]
routes:
  - user: x
    target: sip:file@example.com
http:
  listen: 127.0.0.1:9000
`)
	env := []string{
		"TANDEM_NODE=from-env",
		"TANDEM_SIP_LISTEN=0.0.0.0:5080",
		"TANDEM_SIP_UDP=false",
		"TANDEM_ROUTE_DEADLINE=300ms",
		"TANDEM_MAX_REDIRECTS=5",
		"TANDEM_HEADERS_ALLOW= Priority , Organization,,",
		`TANDEM_ROUTES=[{"name":"e","user":"^9(\\d+)$","target":"sip:$1@env.example.com"},{"user":"^0$","reject":486}]`,
		"TANDEM_NATS_URL=nats://nats.example.com:4222",
		"TANDEM_NATS_EMBEDDED_DATA_DIR=/var/lib/tandem",
		"TANDEM_NATS_EMBEDDED_PORT=4333",
		"TANDEM_HTTP_LISTEN=",
		"TANDEM_LOG_LEVEL=warn",
		"TANDEM_LOG_LEVEL=error", // the last one wins
	}
	got, err := config.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Defaults()
	want.Node = "from-env"
	want.SIP.Listen = "0.0.0.0:5080"
	want.SIP.UDP = false
	want.RouteDeadline = 300 * time.Millisecond
	want.MaxRedirects = 5
	want.Headers.Allow = []string{"Priority", "Organization"}
	want.Routes = []b2bua.Route{
		{Name: "e", User: `^9(\d+)$`, Target: "sip:$1@env.example.com"},
		{User: "^0$", Reject: 486},
	}
	want.NATS.URL = "nats://nats.example.com:4222"
	want.NATS.Embedded.DataDir = "/var/lib/tandem"
	want.NATS.Embedded.Port = 4333
	want.HTTP.Listen = ""
	want.Log.Level = "error"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestEnvEmptyLists(t *testing.T) {
	c, err := config.Load("", []string{"TANDEM_HEADERS_ALLOW=", "TANDEM_ROUTES="})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Headers.Allow) != 0 || len(c.Routes) != 0 {
		t.Errorf("allow = %q, routes = %+v; want both empty", c.Headers.Allow, c.Routes)
	}
}

func TestEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		env   string
		wants []string
	}{
		{"TANDEM_ROUTE_DEADLINE=abc", []string{"TANDEM_ROUTE_DEADLINE", "route_deadline", `"abc" is not a duration`}},
		{"TANDEM_ROUTE_DEADLINE=100", []string{"TANDEM_ROUTE_DEADLINE", "route_deadline", "not a duration"}},
		{"TANDEM_NATS_FLUSH_TIMEOUT=5 s", []string{"TANDEM_NATS_FLUSH_TIMEOUT", "nats.flush_timeout"}},
		{"TANDEM_SIP_UDP=maybe", []string{"TANDEM_SIP_UDP", "sip.udp", "not a boolean"}},
		{"TANDEM_MAX_REDIRECTS=three", []string{"TANDEM_MAX_REDIRECTS", "max_redirects", "not an integer"}},
		{"TANDEM_MAX_REDIRECTS=", []string{"TANDEM_MAX_REDIRECTS", "max_redirects", "not an integer"}},
		{"TANDEM_RETRY_AFTER=99999999999999999999", []string{"TANDEM_RETRY_AFTER", "retry_after", "out of range"}},
		{"TANDEM_ROUTES=[{", []string{"TANDEM_ROUTES", "routes"}},
		{`TANDEM_ROUTES={"user":"x"}`, []string{"TANDEM_ROUTES", "routes", "expected a list"}},
		{`TANDEM_ROUTES=[{"usr":"x","target":"sip:a@b"}]`, []string{"TANDEM_ROUTES", "routes[0].usr", "unknown key", "did you mean routes[0].user?"}},
		{`TANDEM_ROUTES=[{"user":"(","target":"sip:a@b"}]`, []string{"TANDEM_ROUTES", "routes[0].user", "invalid regexp"}},
		{"TANDEM_SIP_LISTEN=foo", []string{"TANDEM_SIP_LISTEN", "sip.listen", `"foo" is not host:port`}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			_, err := config.Load("", []string{tc.env})
			wantErrs(t, err, tc.wants...)
		})
	}
}

func TestUnknownEnvVar(t *testing.T) {
	_, err := config.Load("", []string{"TANDEM_SIP_LISTN=1.2.3.4:5060", "TANDEM_BOGUS=1", "TANDEM_NODE=ok"})
	wantErrs(t, err,
		"config: TANDEM_BOGUS: unknown variable",
		"config: TANDEM_SIP_LISTN: unknown variable",
		"did you mean TANDEM_SIP_LISTEN?")
	// Sections and route fields have no variables of their own.
	for _, name := range []string{"TANDEM_SIP", "TANDEM_NATS_EMBEDDED", "TANDEM_ROUTES_0_USER", "TANDEM_"} {
		_, err := config.Load("", []string{name + "=x"})
		wantErrs(t, err, name+": unknown variable")
	}
}

func TestUnknownYAMLKey(t *testing.T) {
	p := writeYAML(t, `node: a
sip:
  lisen: 1.2.3.4:5060
  udp: true
bogus: 1
routes:
  - user: x
    target: sip:a@b
    rejct: 403
`)
	_, err := config.Load(p, nil)
	wantErrs(t, err,
		p+":3: sip.lisen: unknown key (did you mean sip.listen?)",
		p+":5: bogus: unknown key",
		p+":9: routes[0].rejct: unknown key (did you mean routes[0].reject?)")
}

func TestYAMLErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		wants      []string
	}{
		{"bad duration", "route_deadline: 5 minutes\n", []string{":1: route_deadline: \"5 minutes\" is not a duration"}},
		{"bare number duration", "drain_timeout: 30\n", []string{":1: drain_timeout: \"30\" is not a duration"}},
		{"bad bool", "sip:\n  udp: maybe\n", []string{":2: sip.udp: \"maybe\" is not a boolean"}},
		{"bad int", "max_redirects: lots\n", []string{":1: max_redirects: \"lots\" is not an integer"}},
		{"mapping for scalar", "node:\n  a: b\n", []string{":2: node: expected a single value, got a mapping"}},
		{"scalar for section", "sip: yes\n", []string{":1: sip: expected a mapping of keys"}},
		{"scalar for list", "headers:\n  allow: Subject\n", []string{":2: headers.allow: expected a list"}},
		{"list of lists", "headers:\n  allow: [[a]]\n", []string{"headers.allow[0]: expected a single value, got a list"}},
		{"duplicate key", "node: a\nnode: b\n", []string{":2: node: duplicate key (first set on line 1)"}},
		{"top level list", "- a\n", []string{"expected a mapping of keys"}},
		{"two documents", "node: a\n---\nnode: b\n", []string{"second YAML document"}},
		{"syntax", "sip: [\n", []string{"tandem.yaml"}},
		{"merge cycle", "sip: &s\n  <<: *s\n", []string{"sip: merge key (<<) refers to a mapping that contains it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(writeYAML(t, tc.body), nil)
			wantErrs(t, err, tc.wants...)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestErrorsJoined(t *testing.T) {
	p := writeYAML(t, `
node: a.b
sip:
  listen: nowhere
route_deadline: soon
log:
  level: loud
`)
	_, err := config.Load(p, []string{"TANDEM_LOG_FORMAT=xml", "TANDEM_TYPO=1"})
	wantErrs(t, err,
		p+":2: node: \"a.b\" cannot be a NATS subject token",
		p+":4: sip.listen: \"nowhere\" is not host:port",
		p+":5: route_deadline: \"soon\" is not a duration",
		p+":7: log.level: \"loud\" is not one of debug, info, warn, error",
		"config: TANDEM_LOG_FORMAT: log.format: \"xml\" is not text or json",
		"config: TANDEM_TYPO: unknown variable")
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	if len(errs) != 6 {
		t.Errorf("%d errors joined, want 6:\n%v", len(errs), err)
	}
	found := false
	for _, e := range errs {
		var ce *config.Error
		if !errors.As(e, &ce) {
			t.Errorf("%v is not a *config.Error", e)
			continue
		}
		if ce.Key == "node" {
			found = true
			if ce.Source != p+":2" {
				t.Errorf("node error source = %q, want %s:2", ce.Source, p)
			}
		}
	}
	if !found {
		t.Errorf("no *config.Error with Key node in %v", err)
	}
}

func TestLoadReturnsZeroOnError(t *testing.T) {
	c, err := config.Load("", []string{"TANDEM_NODE="})
	if err == nil || !reflect.DeepEqual(c, config.Config{}) {
		t.Errorf("Load = %+v, %v; want zero Config and an error", c, err)
	}
}
