package prefix_test

import (
	"context"
	"testing"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/examples/prefixrouter/prefix"
)

func TestLongestPrefix(t *testing.T) {
	r, err := prefix.New(prefix.Config{Prefixes: map[string]string{
		"9":   "sip:$rest@out.example.com",
		"90":  "sip:$rest@intl.example.com",
		"900": "sips:$user@premium.example.com",
		"":    "sip:$user@default.example.com",
	}})
	if err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]string{
		"9123":  "sip:123@out.example.com",
		"9012":  "sip:12@intl.example.com",
		"90012": "sips:90012@premium.example.com",
		"90":    "sip:@intl.example.com",
		"123":   "sip:123@default.example.com",
		"":      "sip:@default.example.com",
	} {
		if got, ok := r.Target(user); !ok || got != want {
			t.Errorf("Target(%q) = %q, %v; want %q", user, got, ok, want)
		}
	}
}

func TestDecide(t *testing.T) {
	r, err := prefix.New(prefix.Config{Prefixes: map[string]string{"9": "sip:$rest@h"}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := r.Decide(context.Background(), events.RouteRequestV1{User: "955"})
	if d.Action != events.RouteForward || d.Target != "sip:55@h" || d.Validate() != nil {
		t.Errorf("9 55: %+v", d)
	}
	d, _ = r.Decide(context.Background(), events.RouteRequestV1{User: "55"})
	if d.Action != events.RouteDefault || d.Validate() != nil {
		t.Errorf("55: %+v, want default", d)
	}
}

func TestBadTarget(t *testing.T) {
	if _, err := prefix.New(prefix.Config{Prefixes: map[string]string{"1": "tel:+1"}}); err == nil {
		t.Error("a tel: target was accepted")
	}
}
