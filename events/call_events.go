package events

// Event type strings. The Go type name carries the same version.
const (
	TypeCallCreatedV1   = "tandem.call.v1.created"
	TypeCallRoutedV1    = "tandem.call.v1.routed"
	TypeLegCreatedV1    = "tandem.leg.v1.created"
	TypeLegRingingV1    = "tandem.leg.v1.ringing"
	TypeLegAnsweredV1   = "tandem.leg.v1.answered"
	TypeCallConnectedV1 = "tandem.call.v1.connected"
	TypeLegHeldV1       = "tandem.leg.v1.held"
	TypeLegResumedV1    = "tandem.leg.v1.resumed"
	TypeLegEndedV1      = "tandem.leg.v1.ended"
	TypeCallEndedV1     = "tandem.call.v1.ended"
)

// Leg sides.
const (
	SideA = "a" // the leg on which Tandem is UAS (the caller's)
	SideB = "b" // the leg on which Tandem is UAC (towards the target)
)

// CallCreatedV1: an INVITE arrived and a call now exists.
type CallCreatedV1 struct {
	Envelope
	From       string `json:"from"`
	To         string `json:"to"`
	RequestURI string `json:"request_uri"`
	Source     string `json:"source"` // transport address the INVITE came from
	Transport  string `json:"transport"`
}

func (*CallCreatedV1) Name() string { return "created" }

// CallRoutedV1: the routing decision was taken.
type CallRoutedV1 struct {
	Envelope
	Action string `json:"action"`           // "forward" or "reject"
	Target string `json:"target,omitempty"` // the URI the B leg goes to
	Code   int    `json:"code,omitempty"`   // with reject
	By     string `json:"by"`               // "plugin", "config" or "default"
}

func (*CallRoutedV1) Name() string { return "routed" }

// LegCreatedV1: a leg exists (the A leg on arrival, a B leg when Tandem
// sends its INVITE).
type LegCreatedV1 struct {
	Envelope
	Side      string `json:"side"`
	Target    string `json:"target"`      // remote URI of the leg
	SIPCallID string `json:"sip_call_id"` // the leg's own SIP Call-ID
}

func (*LegCreatedV1) Name() string { return "leg_created" }

// LegRingingV1: a 18x on the leg (relayed to the other leg).
type LegRingingV1 struct {
	Envelope
	Code       int  `json:"code"`
	EarlyMedia bool `json:"early_media"`
}

func (*LegRingingV1) Name() string { return "leg_ringing" }

// LegAnsweredV1: a 2xx to the leg's INVITE.
type LegAnsweredV1 struct {
	Envelope
	Side string `json:"side"`
}

func (*LegAnsweredV1) Name() string { return "leg_answered" }

// CallConnectedV1: both legs are answered; media flows.
type CallConnectedV1 struct {
	Envelope
	SetupMS int64 `json:"setup_ms"` // from INVITE arrival to connect
}

func (*CallConnectedV1) Name() string { return "connected" }

// LegHeldV1: the leg's party put the call on hold (sendonly/inactive SDP),
// or Tandem put the leg's party on hold by command.
type LegHeldV1 struct {
	Envelope
	Direction string `json:"direction"`    // the SDP direction offered
	By        string `json:"by,omitempty"` // "party" (the leg's party offered it) or "command" (offered to it)
}

func (*LegHeldV1) Name() string { return "leg_held" }

// LegResumedV1: the leg's party took the call off hold, or Tandem resumed
// the leg by command.
type LegResumedV1 struct {
	Envelope
	Direction string `json:"direction"`
	By        string `json:"by,omitempty"` // "party" or "command", as in LegHeldV1
}

func (*LegResumedV1) Name() string { return "leg_resumed" }

// LegEndedV1: the leg's dialog (or its setup) is over.
type LegEndedV1 struct {
	Envelope
	Side   string `json:"side"`
	Code   int    `json:"code"`   // final SIP code of the leg, 200 for a BYE'd call
	Reason string `json:"reason"` // e.g. "bye", "cancel", "busy", "timeout"
}

func (*LegEndedV1) Name() string { return "leg_ended" }

// CallEndedV1: the call is gone; the last event of a call.
type CallEndedV1 struct {
	Envelope
	DurationMS int64  `json:"duration_ms"` // from connect to end; 0 if never connected
	HungUpBy   string `json:"hung_up_by"`  // "a", "b", "core" or "command"
	Code       int    `json:"code"`        // the code A's INVITE was answered with
	Reason     string `json:"reason"`
}

func (*CallEndedV1) Name() string { return "ended" }
