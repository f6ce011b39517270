package main

import (
	"strings"
	"testing"
)

// phones refer checks its flags before it connects.
func TestPhonesReferUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"phones", "refer", "sip:bob@example.test"}, "phones refer takes a PHONE (a registered AOR or GRUU) and a TARGET"},
		{[]string{"phones", "refer", "sip:bob@example.test", "sip:carol@example.test", "--fallback", "invite"}, `--fallback "invite": want originate`},
		{[]string{"phones", "refer", "sip:bob@example.test", "sip:carol@example.test", "--from", "crm"}, `--from "crm" is not a sip: or sips: URI`},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "phones", "refer", "-h")
	for _, want := range []string{"-no-subscription", "-fallback string", "-from string"} {
		if r.code != exitOK || !strings.Contains(r.stderr, want) {
			t.Errorf("phones refer -h: exit %d, lacks %q:\n%s", r.code, want, r.stderr)
		}
	}
}
