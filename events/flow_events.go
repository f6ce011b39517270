package events

// Events of legs joining and leaving one another, and of calls waiting for
// a controller.
const (
	TypeLegBridgedV1   = "tandem.leg.v1.bridged"
	TypeLegUnbridgedV1 = "tandem.leg.v1.unbridged"
	TypeLegMovedV1     = "tandem.leg.v1.moved"
	TypeCallParkedV1   = "tandem.call.v1.parked"
)

// LegBridgedV1: the leg's party now talks to PeerLegID's (one event per
// leg).
type LegBridgedV1 struct {
	Envelope
	PeerLegID string `json:"peer_leg_id"`
}

func (*LegBridgedV1) Name() string { return "leg_bridged" }

// LegUnbridgedV1: the leg no longer talks to PeerLegID: by command, because
// its peer was bridged elsewhere, or because the peer ended while the call
// was claimed. The leg stays up.
type LegUnbridgedV1 struct {
	Envelope
	PeerLegID string `json:"peer_leg_id"`
	Why       string `json:"why"` // "command", "rebridged" or "peer_ended"
}

func (*LegUnbridgedV1) Name() string { return "leg_unbridged" }

// LegMovedV1: the leg left call FromCallID for the call of the envelope
// (a bridge of legs of two calls). It is the first event of the leg in its
// new call; FromSeq is the last Seq of its old call.
type LegMovedV1 struct {
	Envelope
	FromCallID string `json:"from_call_id"`
	FromSeq    uint64 `json:"from_seq"`
}

func (*LegMovedV1) Name() string { return "leg_moved" }

// CallParkedV1: the route decision parked the call; its A leg waits for
// legs.answer, legs.reject, legs.redirect or legs.bridge, until the no-answer
// timeout.
type CallParkedV1 struct {
	Envelope
	Controller string `json:"controller,omitempty"` // who claimed it, if the decision named one
}

func (*CallParkedV1) Name() string { return "parked" }
