package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// registrarCore is a fakeCore that also implements
// natsapi.RegistrationLister: alice has one binding.
type registrarCore struct{ *fakeCore }

var _ natsapi.RegistrationLister = registrarCore{}

func (registrarCore) ListRegistrations(_ context.Context, aor string) ([]events.RegistrationV1, bool, error) {
	if aor != "" && aor != "sip:alice@example.com" {
		return nil, false, nil
	}
	return []events.RegistrationV1{{AOR: "sip:alice@example.com", Contact: "sip:alice@192.0.2.1:5060",
		ExpiresAt: "2026-01-01T00:00:00Z", Source: "192.0.2.1:5060"}}, aor == "", nil
}

func TestRegistrationsList(t *testing.T) {
	url := serveAPI(t, registrarCore{&fakeCore{calls: sampleCalls()}}).ClientURL()
	for _, tc := range []struct {
		args     []string
		code     int
		contains []string
	}{
		{[]string{"registrations", "list"}, exitOK, []string{"AOR", "sip:alice@192.0.2.1:5060", "only the first 1 bindings"}},
		{[]string{"registrations", "list", "sip:alice@example.com"}, exitOK, []string{"sip:alice@example.com", "2026-01-01T00:00:00Z"}},
		{[]string{"registrations", "list", "sip:bob@example.com"}, exitOK, []string{"CONTACT"}},
		{[]string{"--json", "registrations", "list", "sip:bob@example.com"}, exitOK, []string{`"registrations":[]`}},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != tc.code {
			t.Errorf("%q: exit %d, want %d; stderr %q", tc.args, r.code, tc.code, r.stderr)
		}
		for _, s := range tc.contains {
			if !strings.Contains(r.stdout, s) {
				t.Errorf("%q: stdout %q lacks %q", tc.args, r.stdout, s)
			}
		}
	}
	if r := runCLI(t, "--nats", url, "registrations", "list", "alice"); r.code == exitOK {
		t.Errorf("an AOR that is not a SIP URI: exit 0")
	}
}
