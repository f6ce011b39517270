package integration

import (
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// A route that points back at Tandem itself: Tandem's own B-leg INVITE
// arrives unchanged, is refused with 482 Loop Detected, and the caller gets
// that 482; both calls end and nothing keeps ringing.
func TestLoopDetected(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteForward, Target: target(n, "loop")}
	})
	a := phone.New(t, "alice")
	c := a.Invite(target(n, "loop"))
	res := c.Final(wait)
	if res.StatusCode != 482 {
		t.Fatalf("A got %d %s, want 482", res.StatusCode, res.Reason)
	}
	asked(t, seen)
	id := callID(t, n, c.CallID())
	_, end := ended(t, n, id)
	if end.Code != 482 || end.HungUpBy != events.SideB {
		t.Errorf("call ended with %d by %q, want 482 by b", end.Code, end.HungUpBy)
	}
	// The looped INVITE made no call of its own: only the caller's call
	// exists in the events.
	for _, e := range n.Events.All() {
		if e.CallID != id {
			t.Errorf("event of another call: %s %s", e.Type, e.Raw)
		}
	}
}
