package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tandem-sip/tandem/config"
)

// FuzzLoadYAML feeds arbitrary files to Load: it must never panic, and a
// configuration it accepts must validate.
func FuzzLoadYAML(f *testing.F) {
	if example, err := os.ReadFile(exampleFile); err == nil {
		f.Add(string(example))
	}
	for _, s := range []string{
		"",
		"node: a\n",
		"sip: {listen: ':0', udp: true}\n",
		"routes:\n  - user: '^9(\\d+)$'\n    target: sip:$1@h\n",
		"routes: [{user: '(', reject: 99}]\n",
		"a: &a [*a]\n",
		"sip: &s\n  <<: *s\n",
		"x: &x {<<: [*x, *x]}\nsip: *x\n",
		"route_deadline: 1h\nroute_deadline: 2h\n",
		"headers: {allow: [Via, ~, [a], {b: c}]}\n",
		"nats: !!binary aGVsbG8=\n",
		"? [a]\n: b\n",
		"--- a\n--- b\n",
		"\t",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "tandem.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(p, nil)
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("Load accepted a configuration Validate rejects: %v", verr)
			}
		}
	})
}
