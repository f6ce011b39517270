package conference

import (
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Ad-hoc conference URIs are leases (DESIGN.md §4, lease draft §3.2 and
// REQ 1-5): the app hands out sip:<prefix><token>@<domain>, the token
// random and meaningless; the URI routes to the room while the room and
// its lease live, and gets 404 afterwards, as does any URI with the prefix
// the app does not know.

// grantLease is the lease granted for asked (0: def), capped at max (REQ 2
// and 3: the acquirer asks, the domain may grant less). A negative ask is
// an ErrBadRequest.
func grantLease(asked, def, max time.Duration) (time.Duration, error) {
	switch {
	case asked < 0:
		return 0, events.NewError(events.ErrBadRequest, "conference: ttl_ms %d: must be 0 (the default) or more", asked.Milliseconds())
	case asked == 0:
		asked = def
	}
	return min(asked, max), nil
}

// leaseLive reports whether a lease expiring at expires still holds at
// now (REQ 5: once it does not, the URI gets 404).
func leaseLive(now, expires time.Time) bool { return now.Before(expires) }
