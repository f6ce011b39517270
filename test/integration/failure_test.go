package integration

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/tandem-sip/tandem/events"
)

// A final failure from B goes to A with its code and reason phrase, and
// ends the call as B's doing.
func TestCalleeFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code   int
		reason string
	}{
		{486, "Busy Here Right Now"},
		{503, "Overloaded"},
		{603, "Decline"},
	} {
		t.Run(itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			n, a, b := setup(t)
			c := a.Invite(target(n, "bob"))
			in := b.NextInvite(wait)
			id := callID(t, n, c.CallID())
			in.Ringing()
			c.Expect(180, wait)
			var hdrs []sip.Header
			if tc.code == 503 {
				hdrs = append(hdrs, sip.NewHeader("Retry-After", "5"))
			}
			in.Respond(tc.code, tc.reason, nil, hdrs...)
			res := c.Expect(tc.code, wait)
			if res.Reason != tc.reason {
				t.Errorf("A got reason %q, want B's %q", res.Reason, tc.reason)
			}
			if tc.code == 503 && header(res, "Retry-After") != "5" {
				t.Errorf("503 to A with Retry-After %q, want B's 5", header(res, "Retry-After"))
			}

			evs, end := ended(t, n, id)
			b1 := id + "-b1"
			checkSteps(t, evs,
				step{events.TypeCallCreatedV1, ""}, step{events.TypeLegCreatedV1, id + "-a"}, step{events.TypeCallRoutedV1, ""},
				step{events.TypeLegCreatedV1, b1}, step{events.TypeLegRingingV1, b1},
				step{events.TypeLegEndedV1, b1}, step{events.TypeLegEndedV1, id + "-a"}, step{events.TypeCallEndedV1, ""})
			if end.HungUpBy != events.SideB || end.Code != tc.code || end.DurationMS != 0 {
				t.Errorf("call ended %+v, want by b with %d", end, tc.code)
			}
			if le := decode[events.LegEndedV1](t, find(t, evs, events.TypeLegEndedV1, b1)); le.Code != tc.code || le.Side != events.SideB {
				t.Errorf("B leg ended %+v", le)
			}
			if end.Reason == "" || strings.ContainsAny(end.Reason, "\r\n") {
				t.Errorf("call ended reason %q", end.Reason)
			}
		})
	}
}
