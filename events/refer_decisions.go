package events

// Decisions on REFER and SUBSCRIBE requests.

// Type strings of the REFER and SUBSCRIBE decisions.
const (
	TypeReferRequestV1      = "tandem.decide.v1.refer.request"
	TypeReferDecisionV1     = "tandem.decide.v1.refer.decision"
	TypeSubscribeRequestV1  = "tandem.decide.v1.subscribe.request"
	TypeSubscribeDecisionV1 = "tandem.decide.v1.subscribe.decision"
)

// Actions of ReferDecisionV1 and SubscribeDecisionV1.
const (
	ActionAccept  = "accept"  // the plugin takes the request on
	ActionReject  = "reject"  // refused, with Code
	ActionDefault = "default" // the plugin declines; the core uses its config
)

// ReplacesV1 is the dialog a Replaces header (RFC 3891) names: its Call-ID
// and tags as seen by the sender of the header.
type ReplacesV1 struct {
	CallID    string `json:"call_id"`
	ToTag     string `json:"to_tag"`
	FromTag   string `json:"from_tag"`
	EarlyOnly bool   `json:"early_only,omitempty"`
	// LegID and LegCallID name the Tandem leg of that dialog, when it is
	// one of this node's.
	LegID     string `json:"leg_id,omitempty"`
	LegCallID string `json:"leg_call_id,omitempty"`
}

// ReferRequestV1 is asked on DecideRefer once Tandem has accepted a REFER
// (answered 202). The envelope names the call and the leg the REFER came on
// or targets (the transferor's); TargetLegID is the transferee, the leg's
// peer. The answer says who carries the transfer out; the refer
// subscription's NOTIFYs follow the transfer (see the transfer commands).
type ReferRequestV1 struct {
	Envelope
	TransferID  string      `json:"transfer_id"`
	TargetLegID string      `json:"target_leg_id,omitempty"`
	ReferTo     string      `json:"refer_to"` // the URI, without its headers
	Replaces    *ReplacesV1 `json:"replaces,omitempty"`
	ReferredBy  string      `json:"referred_by,omitempty"`
	// OutOfDialog is set for a REFER sent to a leg's GRUU with
	// Target-Dialog (RFC 4538) rather than inside the leg's dialog.
	OutOfDialog bool `json:"out_of_dialog,omitempty"`
	// NoSubscription is set when the REFER said Refer-Sub: false.
	NoSubscription bool   `json:"no_subscription,omitempty"`
	From           string `json:"from"`
	Source         string `json:"source"`
}

// ReferDecisionV1 answers ReferRequestV1. With accept, the core carries the
// transfer out (a new leg to Target, else to the Refer-To URI, bridged to
// the transferee when it answers; the transferor's leg then ends).
type ReferDecisionV1 struct {
	Action string `json:"action"`         // ActionAccept, ActionReject or ActionDefault
	Code   int    `json:"code,omitempty"` // 400-699, with reject: the final NOTIFY's
	Reason string `json:"reason,omitempty"`
	// Target replaces the Refer-To URI, with accept (e.g. a dial plan's
	// rewrite).
	Target string `json:"target,omitempty"`
}

// Validate reports whether the decision can be acted on.
func (d ReferDecisionV1) Validate() error { return validateAction(d.Action, d.Code) }

// Declines reports a "default" answer: the plugin has no opinion.
func (d ReferDecisionV1) Declines() bool { return d.Action == ActionDefault }

// Declines reports a "default" answer: the plugin has no opinion.
func (d SubscribeDecisionV1) Declines() bool { return d.Action == ActionDefault }

// SubscribeRequestV1 is asked on DecideSubscribe for a new SUBSCRIBE whose
// event package a plugin serves (conference, dialog...). With accept, the
// core answers 200 and keeps the subscription as its own dialog (a leg with
// a SUBSCRIBE usage, LegID); the plugin sends its NOTIFYs with legs.request.
type SubscribeRequestV1 struct {
	Envelope
	Event      string `json:"event"`
	RequestURI string `json:"request_uri"`
	From       string `json:"from"`
	To         string `json:"to"`
	Source     string `json:"source"`
	Expires    int    `json:"expires"`
	Accept     string `json:"accept,omitempty"`
}

// SubscribeDecisionV1 answers SubscribeRequestV1.
type SubscribeDecisionV1 struct {
	Action string `json:"action"`         // ActionAccept, ActionReject or ActionDefault
	Code   int    `json:"code,omitempty"` // 400-699, with reject
	Reason string `json:"reason,omitempty"`
	// Expires shortens the subscription's life (seconds), with accept.
	Expires int `json:"expires,omitempty"`
}

// Validate reports whether the decision can be acted on.
func (d SubscribeDecisionV1) Validate() error {
	if d.Expires < 0 {
		return NewError(ErrBadRequest, "negative expires")
	}
	return validateAction(d.Action, d.Code)
}

func validateAction(action string, code int) error {
	switch action {
	case ActionAccept, ActionDefault:
	case ActionReject:
		if code < 400 || code > 699 {
			return NewError(ErrBadRequest, "reject code %d not in 400-699", code)
		}
	default:
		return NewError(ErrBadRequest, "unknown action %q", action)
	}
	return nil
}
