package dialogevent

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		errs     []string // substrings of the error; none: valid
	}{
		{"empty", ``, nil},
		{"null", `null`, nil},
		{"zero", `{}`, nil},
		{"full", `{"watchers": {"sip:bob@example.com": ["sip:alice@example.com", "*"], "*": ["sips:op@example.com:5061"]}, "max_expires": 600}`, nil},
		{"unknown key", `{"watcher": {}}`, []string{`unknown field "watcher"`}},
		{"bad json", `{"watchers": [}`, []string{"dialogevent: config:"}},
		{"every problem at once", `{"watchers": {"bob": ["sip:a@b"], "sip:carol@example.com": ["x", "sip:ok@h", "tel:1"], "sip:dave@h": []}, "max_expires": -1}`, []string{
			`watchers[bob]: "bob" is not a sip: or sips: URI`,
			`watchers[sip:carol@example.com][0]: "x" is not`,
			`watchers[sip:carol@example.com][2]: "tel:1" is not`,
			`watchers[sip:dave@h]: lists nobody`,
			`max_expires: -1: must be 0`,
		}},
		{"no user", `{"watchers": {"sip:example.com": ["*"]}}`, []string{`watchers[sip:example.com]`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.in))
			if len(tt.errs) == 0 {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.errs)
			}
			for _, e := range tt.errs {
				if !strings.Contains(err.Error(), e) {
					t.Errorf("error %q does not say %q", err, e)
				}
			}
		})
	}
}

func TestWatchersAllow(t *testing.T) {
	c := Config{Watchers: map[string][]string{
		"sip:bob@example.com":   {"sip:alice@example.com", "sips:carol@EXAMPLE.com:5061"},
		"sip:carol@example.com": {Any},
		Any:                     {"sip:operator@example.com"},
	}}
	w, err := c.compile()
	if err != nil {
		t.Fatal(err)
	}
	aor := func(s string) AOR {
		a, ok := aorOfURI(s)
		if !ok {
			t.Fatalf("%q", s)
		}
		return a
	}
	for _, tt := range []struct {
		resource, subscriber string
		want                 bool
	}{
		{"sip:bob@example.com", "sip:bob@example.com", true}, // itself
		{"sip:dave@example.com", "sips:dave@Example.com:5061", true},
		{"sip:bob@example.com", "sip:alice@example.com", true},
		{"sip:bob@example.com", "sip:carol@example.com", true},
		{"sip:bob@example.com", "sip:mallory@example.com", false},
		{"sip:bob@example.com", "sip:alice@evil.example", false},
		{"sip:bob@example.com", "sip:Alice@example.com", false}, // users are case-sensitive
		{"sip:carol@example.com", "sip:mallory@example.com", true},
		{"sip:dave@example.com", "sip:operator@example.com", true},
		{"sip:dave@example.com", "sip:alice@example.com", false},
	} {
		if got := w.allows(aor(tt.resource), aor(tt.subscriber)); got != tt.want {
			t.Errorf("%s watched by %s: %v, want %v", tt.resource, tt.subscriber, got, tt.want)
		}
	}
	if (watchers{}).allows(aor("sip:a@h"), aor("sip:b@h")) {
		t.Error("no watchers allow another's AOR")
	}
}
