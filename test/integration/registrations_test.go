package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The command server serves registrations.list only for a core that
// implements natsapi.RegistrationLister: the core must keep doing so.
var _ natsapi.RegistrationLister = (*b2bua.Core)(nil)

// A phone registered with the node's registrar is listed over NATS,
// through the SDK, by its AOR (in any form) and in the list of every AOR;
// an AOR nobody registered lists nothing; a node without a registrar
// answers conflict.
func TestRegistrationsList(t *testing.T) {
	t.Parallel()
	n := registrarNode(t)
	bob := phone.New(t, "bob")
	const instance = "urn:uuid:0c0ffee0-0000-4000-8000-000000000001"
	res := bob.Register(n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, `+sip.instance="<`+instance+`>";reg-id=1`)
	if res.StatusCode != 200 {
		t.Fatalf("REGISTER: %d %s", res.StatusCode, res.Reason)
	}
	c := controller(t, n, "registrations")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	for _, aor := range []string{"sip:bob@example.test", "sip:bob@EXAMPLE.test;transport=udp", ""} {
		regs, truncated, err := c.ListRegistrations(ctx, aor)
		if err != nil {
			t.Fatalf("list %q: %v", aor, err)
		}
		if truncated || len(regs) != 1 {
			t.Fatalf("list %q: %+v (truncated %v), want bob's one binding", aor, regs, truncated)
		}
		r := regs[0]
		if r.AOR != "sip:bob@example.test" || !strings.Contains(r.Contact, bob.Addr()) || r.Instance != instance || r.RegID != 1 || r.Source == "" {
			t.Errorf("list %q: %+v", aor, r)
		}
		exp, err := time.Parse(time.RFC3339, r.ExpiresAt)
		if err != nil || time.Until(exp) < 500*time.Second || time.Until(exp) > 601*time.Second {
			t.Errorf("list %q: expires_at %q (%v), want in about 600 s", aor, r.ExpiresAt, err)
		}
	}

	regs, truncated, err := c.ListRegistrations(ctx, "sip:nobody@example.test")
	if err != nil || len(regs) != 0 || truncated {
		t.Errorf("an unknown AOR: %+v %v %v, want nothing", regs, truncated, err)
	}
	rep, err := sdk.Do(ctx, c, sdk.RegistrationsList, events.RegistrationsListRequestV1{AOR: "sip:nobody@example.test"})
	if err != nil || rep.Registrations == nil {
		t.Errorf("an unknown AOR: %+v %v, want an empty list", rep, err)
	}

	// A node without a registrar says so.
	plain := harness.Start(t, harness.WithConfig(func(c *config.Config) { c.Registrar.Enabled = false }))
	pc := controller(t, plain, "registrations")
	if _, _, err := pc.ListRegistrations(ctx, ""); err == nil {
		t.Errorf("a node without a registrar listed registrations")
	} else if code, _ := sdk.ErrorCode(err); code != events.ErrConflict {
		t.Errorf("a node without a registrar: %v, want conflict", err)
	}
}
