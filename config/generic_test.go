package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// future stands for fields other packages may add: every shape the loader
// handles generically.
type future struct {
	Inline  `yaml:",inline"`
	Name    string            `yaml:"name"`
	Count   uint16            `yaml:"count"`
	Ratio   float64           `yaml:"ratio"`
	Addr    netip.AddrPort    `yaml:"addr"`
	Wait    time.Duration     `yaml:"wait"`
	Ports   []int             `yaml:"ports"`
	Labels  map[string]string `yaml:"labels"`
	Untag   bool
	Skipped string `yaml:"-"`
	hidden  string
	Sub     struct {
		Deep []struct {
			X int `yaml:"x"`
		} `yaml:"deep"`
	} `yaml:"sub"`
}

type Inline struct {
	Top string `yaml:"top"`
}

func TestGenericYAML(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(`
top: t
name: n
count: 7
ratio: 0.5
addr: 192.0.2.1:5060
wait: 2s
ports: [1, 2]
labels: {a: b}
untag: true
sub: {deep: [{x: 1}, {x: 2}]}
`), &n); err != nil {
		t.Fatal(err)
	}
	var got future
	d := &decoder{source: "f"}
	d.decode(n.Content[0], reflect.ValueOf(&got).Elem(), "")
	if d.errs != nil {
		t.Fatal(d.errs)
	}
	want := future{Inline: Inline{Top: "t"}, Name: "n", Count: 7, Ratio: 0.5,
		Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Wait: 2 * time.Second,
		Ports: []int{1, 2}, Labels: map[string]string{"a": "b"}, Untag: true}
	want.Sub.Deep = append(want.Sub.Deep, struct {
		X int `yaml:"x"`
	}{1}, struct {
		X int `yaml:"x"`
	}{2})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	for body, wantErr := range map[string]string{
		"count: -1":             `f:1: count: "-1" is not a non-negative integer`,
		"count: 70000":          `f:1: count: "70000" is out of range`,
		"ratio: x":              `f:1: ratio: "x" is not a number`,
		"addr: nope":            `f:1: addr: "nope": `,
		"labels: [a]":           `f:1: labels: `,
		"skipped: x":            `f:1: skipped: unknown key`,
		"hidden: x":             `f:1: hidden: unknown key`,
		"sub: {deep: [{y: 1}]}": `f:1: sub.deep[0].y: unknown key`,
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(body), &n); err != nil {
			t.Fatal(err)
		}
		d := &decoder{source: "f"}
		d.decode(n.Content[0], reflect.ValueOf(new(future)).Elem(), "")
		if len(d.errs) != 1 || !strings.HasPrefix(d.errs[0].Error(), "config: "+wantErr) {
			t.Errorf("%s: errors %v, want one starting %q", body, d.errs, wantErr)
		}
	}
}

func TestGenericEnv(t *testing.T) {
	var got future
	errs := applyEnv(reflect.ValueOf(&got).Elem(), []string{
		"TANDEM_TOP=t",
		"TANDEM_COUNT=7",
		"TANDEM_RATIO=0.5",
		"TANDEM_ADDR=192.0.2.1:5060",
		"TANDEM_WAIT=2s",
		"TANDEM_PORTS=1, 2",
		"TANDEM_LABELS={\"a\": \"b\"}",
		"TANDEM_UNTAG=true",
		`TANDEM_SUB_DEEP=[{"x": 1}]`,
	}, map[string]string{})
	if errs != nil {
		t.Fatal(errs)
	}
	if got.Top != "t" || got.Count != 7 || got.Ratio != 0.5 || got.Addr.Port() != 5060 || got.Wait != 2*time.Second ||
		!reflect.DeepEqual(got.Ports, []int{1, 2}) || got.Labels["a"] != "b" || !got.Untag || len(got.Sub.Deep) != 1 || got.Sub.Deep[0].X != 1 {
		t.Errorf("got %+v", got)
	}
	for _, kv := range []string{"TANDEM_PORTS=1,x", "TANDEM_SKIPPED=x", "TANDEM_HIDDEN=x", "TANDEM_LABELS=[a]", "TANDEM_SUB=x"} {
		if errs := applyEnv(reflect.ValueOf(new(future)).Elem(), []string{kv}, map[string]string{}); len(errs) != 1 {
			t.Errorf("%s: errors %v, want one", kv, errs)
		}
	}
}

func TestEnvNamesUnique(t *testing.T) {
	seen := map[string]string{}
	for _, l := range leaves() {
		if other, dup := seen[l.env]; dup {
			t.Errorf("%s and %s share %s", other, l.path, l.env)
		}
		seen[l.env] = l.path
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"listen", "udp", "tcp", "advertise", "udp_read_buffer", "user_agent"}
	for in, want := range map[string]string{
		"lisen": "listen", "Listen": "listen", "adverstise": "advertise", "udb": "udp",
		"user-agent": "user_agent", "foo": "", "": "", "completely_different": "",
	} {
		if got := suggest(in, cands); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"nats://u:p@h:4222":    "nats://xxxxx@h:4222",
		"nats://tok@h":         "nats://xxxxx@h",
		"nats://h:4222":        "nats://h:4222",
		"nats://h/p@x":         "nats://h/p@x",
		"h:4222":               "h:4222",
		"tls://a:b@c@h:1/?q=@": "tls://xxxxx@h:1/?q=@",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLookupOrigin(t *testing.T) {
	o := map[string]string{"routes": "TANDEM_ROUTES", "sip": "f:2", "sip.listen": "f:3"}
	for in, want := range map[string]string{
		"routes[2].user": "TANDEM_ROUTES", "sip.listen": "f:3", "sip.udp": "f:2", "node": "", "": "",
	} {
		if got := lookupOrigin(o, in); got != want {
			t.Errorf("lookupOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}
