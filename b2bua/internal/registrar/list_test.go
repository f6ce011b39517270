package registrar

import (
	"context"
	"errors"
	"testing"
	"time"
)

// List gives an AOR's live bindings (by any URI of it), or every AOR's in
// AOR order, with the public GRUU of an instance registered with GRUUs;
// max cuts the list short and says so; expired bindings are left out.
func TestList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, g := range []reg{
		{to: "sip:bob@example.com", callID: "b", contacts: []string{"<sip:bob@192.0.2.2>"}, expires: "60"},
		{callID: "a", contacts: []string{`<sip:alice@192.0.2.1>;+sip.instance="<urn:uuid:00000000-0000-4000-8000-000000000001>";reg-id=1`},
			expires: "600", supported: "gruu"},
		{callID: "a2", contacts: []string{"<sip:alice@192.0.2.3>"}, expires: "600"},
	} {
		if res := e.process(t, g); res.Code != 200 {
			t.Fatalf("REGISTER %s: %d %s %v", g.callID, res.Code, res.Reason, res.Err)
		}
	}
	now := e.clock.Now()

	all, truncated, err := e.r.List(ctx, "", now, 0)
	if err != nil || truncated || len(all) != 3 {
		t.Fatalf("List all: %+v %v %v", all, truncated, err)
	}
	if all[0].AOR != aliceAOR || all[2].AOR != "sip:bob@example.com" {
		t.Errorf("List all: not in AOR order: %+v", all)
	}
	var pub int
	for _, l := range all {
		if l.PubGRUU != "" {
			pub++
			if l.PubGRUU != aliceAOR+";gr=urn:uuid:00000000-0000-4000-8000-000000000001" {
				t.Errorf("pub-gruu %q", l.PubGRUU)
			}
		}
	}
	if pub != 1 {
		t.Errorf("%d bindings with a pub-gruu, want 1", pub)
	}

	some, truncated, err := e.r.List(ctx, "", now, 2)
	if err != nil || !truncated || len(some) != 2 {
		t.Errorf("List max 2: %d %v %v", len(some), truncated, err)
	}
	one, _, err := e.r.List(ctx, "sip:bob@EXAMPLE.com;transport=tcp", now, 0)
	if err != nil || len(one) != 1 || one[0].Binding.Contact != "sip:bob@192.0.2.2" {
		t.Errorf("List bob: %+v %v", one, err)
	}
	if none, _, err := e.r.List(ctx, "sip:nobody@example.com", now, 0); err != nil || len(none) != 0 {
		t.Errorf("List nobody: %+v %v", none, err)
	}
	if _, _, err := e.r.List(ctx, "not a uri", now, 0); !errors.Is(err, ErrBadAOR) {
		t.Errorf("List of a bad AOR: %v", err)
	}
	// bob's binding expires (not yet swept): it is no longer listed
	if later, _, err := e.r.List(ctx, "", now.Add(2*time.Minute), 0); err != nil || len(later) != 2 {
		t.Errorf("List after bob expired: %+v %v", later, err)
	}
}
