package transfer_test

import (
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/apps/transfer"
)

func TestParseConfig(t *testing.T) {
	c, err := transfer.ParseConfig([]byte(`{
		"deny": ["^sip:9"], "allow": ["@example\\.com$"],
		"rewrite": [{"match": "^sip:(\\d+)@", "target": "sip:$1@pbx"}],
		"require_same_domain": true, "max_transfers_per_call": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Deny) != 1 || len(c.Allow) != 1 || len(c.Rewrite) != 1 || c.Rewrite[0].Target != "sip:$1@pbx" ||
		!c.RequireSameDomain || c.MaxTransfersPerCall != 2 {
		t.Errorf("ParseConfig = %+v", c)
	}
	for _, empty := range []string{"", " ", "null", "{}"} {
		if c, err := transfer.ParseConfig([]byte(empty)); err != nil || c.MaxTransfersPerCall != 0 || c.Deny != nil {
			t.Errorf("ParseConfig(%q) = %+v, %v; want the zero Config", empty, c, err)
		}
	}
}

// Every problem is reported at once, each naming its key.
func TestConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // substrings of the error, in order
	}{
		{"unknown key", `{"denny": ["x"]}`, []string{`transfer: config: json: unknown field "denny"`}},
		{"wrong type", `{"max_transfers_per_call": "3"}`, []string{"transfer: config:", "max_transfers_per_call"}},
		{"bad regexps", `{"deny": ["ok", "(x"], "allow": ["[a"]}`, []string{
			"transfer: deny[1]: invalid regexp: error parsing regexp: missing closing ): `(x`",
			"transfer: allow[0]: invalid regexp:",
		}},
		{"empty regexps", `{"deny": [""], "allow": ["x", ""]}`, []string{
			"transfer: deny[0]: must not be empty", "transfer: allow[1]: must not be empty",
		}},
		{"rewrite", `{"rewrite": [
			{"target": "sip:x@y"},
			{"match": "(", "target": "sip:x@y"},
			{"match": "x", "target": "tel:+1"},
			{"match": "x", "target": ""},
			{"match": "^sip:(\\d+)@", "target": "sip:$2@pbx"},
			{"match": "^sip:(\\d+)@", "target": "sip:$1x@pbx"},
			{"match": "^sip:(?P<ext>\\d+)@", "target": "sip:${user}@pbx"},
			{"match": "x", "target": "sip:${1@pbx"},
			{"match": "x", "target": "sip:a$@pbx"}]}`, []string{
			"transfer: rewrite[0].match: must be set",
			"transfer: rewrite[1].match: invalid regexp:",
			`transfer: rewrite[2].target: "tel:+1" is not a sip: or sips: URI template`,
			`transfer: rewrite[3].target: "" is not a sip: or sips: URI template`,
			`transfer: rewrite[4].target: "sip:$2@pbx": match has no group "2"`,
			`transfer: rewrite[5].target: "sip:$1x@pbx": match has no group "1x"`,
			`transfer: rewrite[6].target: "sip:${user}@pbx": match has no group "user"`,
			`transfer: rewrite[7].target: "sip:${1@pbx": unclosed ${`,
			`transfer: rewrite[8].target: "sip:a$@pbx": a $ must name a group`,
		}},
		{"negative limit", `{"max_transfers_per_call": -1}`, []string{"transfer: max_transfers_per_call: -1: must be 0 (no limit) or more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := transfer.ParseConfig([]byte(tt.json))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if lines := strings.Count(msg, "\n") + 1; lines != len(tt.want) && !strings.HasPrefix(msg, "transfer: config:") {
				t.Errorf("%d problems, want %d:\n%s", lines, len(tt.want), msg)
			}
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("error lacks %q (in order):\n%s", w, msg)
					break
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// NewPolicy checks its Config like Validate.
func TestNewPolicyValidates(t *testing.T) {
	cfg := transfer.Config{Deny: []string{"("}}
	if _, err := transfer.NewPolicy(cfg); err == nil || cfg.Validate() == nil || err.Error() != cfg.Validate().Error() {
		t.Errorf("NewPolicy = %v, Validate = %v", err, cfg.Validate())
	}
}
