package events

import "time"

// Event types of call ownership: a controller (a plugin, an operator's
// tandemctl) claims a call to control it; one controller per call at a time,
// the others observe. See CallsClaimRequestV1.
const (
	TypeCallClaimedV1  = "tandem.call.v1.claimed"
	TypeCallReleasedV1 = "tandem.call.v1.released"
)

// Why a claim ended, in CallReleasedV1.Why.
const (
	ReleasedByController = "released" // the controller released it (calls.release)
	ReleasedExpired      = "expired"  // the controller did not renew it in time
	ReleasedCallEnded    = "ended"    // the call ended while claimed
)

// CallClaimedV1: a controller claimed the call, or renewed its claim.
type CallClaimedV1 struct {
	Envelope
	Controller string    `json:"controller"`
	ExpiresAt  time.Time `json:"expires_at"` // the claim lapses then unless renewed
}

func (*CallClaimedV1) Name() string { return "claimed" }

// CallReleasedV1: the call has no controller any more; the call itself
// goes on (unless Why is "ended").
type CallReleasedV1 struct {
	Envelope
	Controller string `json:"controller"` // the controller that held it
	Why        string `json:"why"`        // "released", "expired" or "ended"
}

func (*CallReleasedV1) Name() string { return "released" }
