package events

// Third-party call control (RFC 3725): Tandem calls two parties and
// connects them.

// VerbCallsOriginate originates a call between two parties.
const VerbCallsOriginate = "calls.originate"

// Type strings of calls.originate.
const (
	TypeCallsOriginateRequestV1 = "tandem.cmd.v1.calls.originate.request"
	TypeCallsOriginateReplyV1   = "tandem.cmd.v1.calls.originate.reply"
)

// RFC 3725 flows of CallsOriginateRequestV1.
const (
	// Flow1: A is called without an offer; A's offer (in its 2xx) goes to B
	// in B's INVITE; B's answer returns to A in A's ACK. Simple, but A's 2xx
	// waits for its ACK while B rings: for a B that answers at once
	// (an IVR, a conference).
	Flow1 = 1
	// Flow4: A is called with an inactive offer and acknowledged at once;
	// then B is called without an offer, and B's offer goes to A in a
	// re-INVITE whose answer returns to B in its ACK. The default.
	Flow4 = 4
)

// CallsOriginateRequestV1 calls A, then B, and connects them; the call is
// claimed by Controller when one is named. If A fails nothing more happens;
// if B fails, A is hung up. Events follow all the way (leg_created,
// leg_ringing, leg_answered, leg_bridged, leg_ended).
type CallsOriginateRequestV1 struct {
	RequestID   string     `json:"request_id"`
	Controller  string     `json:"controller,omitempty"`
	A           string     `json:"a"` // SIP URI of the first party
	B           string     `json:"b"` // SIP URI of the second party
	From        string     `json:"from,omitempty"`
	FromDisplay string     `json:"from_display,omitempty"`
	Headers     []HeaderV1 `json:"headers,omitempty"`
	TimeoutMS   int64      `json:"timeout_ms,omitempty"` // ringing bound, each party
	Flow        int        `json:"flow,omitempty"`       // Flow1 or Flow4 (default)
}

// CallsOriginateReplyV1 answers CallsOriginateRequestV1 once A's INVITE is
// sent: the call and A's leg.
type CallsOriginateReplyV1 struct {
	Reply
	CallID string `json:"call_id,omitempty"`
	ALegID string `json:"a_leg_id,omitempty"`
}

// VerbPhonesRefer asks a registered phone to place a call (click-to-dial):
// an out-of-dialog REFER to its GRUU or registered contact.
const VerbPhonesRefer = "phones.refer"

// Type strings of phones.refer.
const (
	TypePhonesReferRequestV1 = "tandem.cmd.v1.phones.refer.request"
	TypePhonesReferReplyV1   = "tandem.cmd.v1.phones.refer.reply"
)

// Modes of PhonesReferReplyV1: how the phone was made to call.
const (
	// ReferModeRefer: the phone accepted the REFER and places the call
	// itself.
	ReferModeRefer = "refer"
	// ReferModeOriginate: the phone could not take the REFER, and Tandem
	// placed the call by third-party call control instead (Fallback).
	ReferModeOriginate = "originate"
)

// Fallbacks of PhonesReferRequestV1.
const (
	// ReferFallbackNone: a refused REFER fails the command (the default, "").
	ReferFallbackNone = ""
	// ReferFallbackOriginate: when the phone answers the REFER with 405,
	// 420, 489 or 501 (it cannot take a REFER, as opposed to refusing this
	// one), Tandem places the call as calls.originate does (RFC 3725 flow
	// IV): A is the very contact the REFER went to, called with
	// "Answer-Mode: Auto" (RFC 5373) so that it answers by itself, and B is
	// Target.
	ReferFallbackOriginate = "originate"
)

// PhonesReferRequestV1 sends a REFER outside any dialog to Phone (a
// registered AOR: its preferred contact; or a GRUU: exactly that
// instance) asking it to call Target. The phone's NOTIFYs become transfer
// events of no call (kind "click_to_dial", leg_id the refer id) on the
// node's subject.
//
// With NoSubscription the REFER carries "Refer-Sub: false" and "Supported:
// norefersub" (RFC 4488). A phone that answers with a 2xx carrying
// "Refer-Sub: false" makes no subscription and sends no NOTIFYs: the
// refer's only event is transfer_requested with no_subscription true, and
// nothing follows it. A phone that answers without it subscribed anyway,
// and its NOTIFYs are handled as without NoSubscription.
//
// With Fallback "originate" a phone that cannot take a REFER gets a call
// instead (ReferFallbackOriginate); the call's own events (leg_created,
// leg_answered, leg_bridged, call_ended...) then tell how it goes, and it
// is claimed by Controller when one is named, as calls.originate's is.
type PhonesReferRequestV1 struct {
	RequestID      string `json:"request_id"`
	Controller     string `json:"controller,omitempty"`
	Phone          string `json:"phone"`
	Target         string `json:"target"`
	From           string `json:"from,omitempty"`            // the REFER's From and Referred-By (default the core's); the fallback's From
	NoSubscription bool   `json:"no_subscription,omitempty"` // ask for no refer subscription (RFC 4488)
	Fallback       string `json:"fallback,omitempty"`        // ReferFallbackNone ("") or ReferFallbackOriginate
}

// PhonesReferReplyV1 answers PhonesReferRequestV1 once the phone accepted
// the REFER (a 2xx; Mode "refer", ReferID set), or, with Fallback
// "originate", once the fallback call's INVITE to the phone is sent (Mode
// "originate", CallID and ALegID set, ReferRefused the code the phone
// refused the REFER with).
type PhonesReferReplyV1 struct {
	Reply
	ReferID string `json:"refer_id,omitempty"`
	// Mode is ReferModeRefer or ReferModeOriginate.
	Mode string `json:"mode,omitempty"`
	// NoSubscription: the phone accepted the REFER with Refer-Sub: false;
	// no NOTIFYs will follow.
	NoSubscription bool   `json:"no_subscription,omitempty"`
	CallID         string `json:"call_id,omitempty"`       // the fallback call
	ALegID         string `json:"a_leg_id,omitempty"`      // the fallback call's leg to the phone
	ReferRefused   int    `json:"refer_refused,omitempty"` // the phone's status code to the REFER, when it refused it
}
