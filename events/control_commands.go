package events

import "time"

// Commands of call control: on a leg (hold, resume, DTMF, an in-dialog
// request, hang up) and on a call's ownership (claim, release).
//
// Every request names its Controller. A call claimed by a controller (see
// CallsClaimRequestV1) obeys that controller only: a command with another
// controller, or none, is refused with ErrConflict. An empty Controller means
// "not a controller" and is allowed on unclaimed calls only.

// Verbs of the call control commands (see CommandSubject).
const (
	VerbLegsHold     = "legs.hold"
	VerbLegsResume   = "legs.resume"
	VerbLegsDTMF     = "legs.dtmf"
	VerbLegsRequest  = "legs.request"
	VerbLegsHangup   = "legs.hangup"
	VerbCallsClaim   = "calls.claim"
	VerbCallsRelease = "calls.release"
)

// Type strings of the call control commands.
const (
	TypeLegsHoldRequestV1     = "tandem.cmd.v1.legs.hold.request"
	TypeLegsHoldReplyV1       = "tandem.cmd.v1.legs.hold.reply"
	TypeLegsResumeRequestV1   = "tandem.cmd.v1.legs.resume.request"
	TypeLegsResumeReplyV1     = "tandem.cmd.v1.legs.resume.reply"
	TypeLegsDTMFRequestV1     = "tandem.cmd.v1.legs.dtmf.request"
	TypeLegsDTMFReplyV1       = "tandem.cmd.v1.legs.dtmf.reply"
	TypeLegsRequestRequestV1  = "tandem.cmd.v1.legs.request.request"
	TypeLegsRequestReplyV1    = "tandem.cmd.v1.legs.request.reply"
	TypeLegsHangupRequestV1   = "tandem.cmd.v1.legs.hangup.request"
	TypeLegsHangupReplyV1     = "tandem.cmd.v1.legs.hangup.reply"
	TypeCallsClaimRequestV1   = "tandem.cmd.v1.calls.claim.request"
	TypeCallsClaimReplyV1     = "tandem.cmd.v1.calls.claim.reply"
	TypeCallsReleaseRequestV1 = "tandem.cmd.v1.calls.release.request"
	TypeCallsReleaseReplyV1   = "tandem.cmd.v1.calls.release.reply"
)

// DTMF methods of LegsDTMFRequestV1.
const (
	DTMFInfo    = "info"    // SIP INFO, application/dtmf-relay (the default)
	DTMFRFC4733 = "rfc4733" // RTP telephone-events; needs media anchoring
)

// DefaultClaimTTL is the life of a claim whose request gives no TTL.
const DefaultClaimTTL = 30 * time.Second

// LegsHoldRequestV1 puts a leg on hold: a re-INVITE to the leg's party with
// the SDP direction sendonly (inactive if it was recvonly). The leg's held
// event follows.
type LegsHoldRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
}

// LegsHoldReplyV1 answers LegsHoldRequestV1 once the re-INVITE is answered.
type LegsHoldReplyV1 struct {
	Reply
}

// LegsResumeRequestV1 takes a leg off hold: a re-INVITE with the SDP
// direction sendrecv. The leg's resumed event follows.
type LegsResumeRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
}

// LegsResumeReplyV1 answers LegsResumeRequestV1 once the re-INVITE is
// answered.
type LegsResumeReplyV1 struct {
	Reply
}

// LegsDTMFRequestV1 sends DTMF digits to a leg's party.
type LegsDTMFRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	// Digits are 0-9, *, #, A-D, sent one after another.
	Digits string `json:"digits"`
	// Method is "info" (SIP INFO with application/dtmf-relay, the default)
	// or "rfc4733" (refused with ErrConflict until media is anchored).
	Method string `json:"method,omitempty"`
	// DurationMS is the length of each digit (default 250).
	DurationMS int `json:"duration_ms,omitempty"`
}

// LegsDTMFReplyV1 answers LegsDTMFRequestV1 once every digit is sent.
type LegsDTMFReplyV1 struct {
	Reply
}

// LegsRequestRequestV1 sends a request inside a leg's dialog (NOTIFY, INFO,
// OPTIONS, MESSAGE...). Dialog-forming or dialog-ending methods (INVITE,
// ACK, BYE, CANCEL) are refused with ErrBadRequest: use the other commands.
type LegsRequestRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	Method     string `json:"method"`
	// Headers are added to the request, in order; a name may repeat.
	Headers     []HeaderV1 `json:"headers,omitempty"`
	ContentType string     `json:"content_type,omitempty"` // with Body
	Body        string     `json:"body,omitempty"`
}

// LegsRequestReplyV1 answers LegsRequestRequestV1 with the final response
// of the leg's party, whatever its class: a 4xx from the party is a
// successful command with Code 4xx.
type LegsRequestReplyV1 struct {
	Reply
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// LegsHangupRequestV1 ends one leg: BYE when answered, CANCEL or a final
// response when not. The other legs of the call follow the core's rules
// (a two-leg call ends with its leg).
type LegsHangupRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	// Cause is the SIP code towards a leg that is not yet answered
	// (default 480), and the code in events.
	Cause  int    `json:"cause,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// LegsHangupReplyV1 answers LegsHangupRequestV1.
type LegsHangupReplyV1 struct {
	Reply
}

// CallsClaimRequestV1 claims a call for a controller, or renews the claim
// of the controller that holds it. While claimed, the call obeys its
// controller only; others observe, and their commands are refused with
// ErrConflict. A claim not renewed within its TTL lapses (event released,
// why "expired"); the call goes on.
type CallsClaimRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller"` // required
	CallID     string `json:"call_id"`
	// TTLMS is the claim's life in milliseconds (default 30000).
	TTLMS int64 `json:"ttl_ms,omitempty"`
}

// CallsClaimReplyV1 answers CallsClaimRequestV1: the controller now holds
// the call until ExpiresAt.
type CallsClaimReplyV1 struct {
	Reply
	Controller string    `json:"controller,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"` // RFC 3339
}

// CallsReleaseRequestV1 gives a claimed call up; only its controller may.
type CallsReleaseRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller"` // required
	CallID     string `json:"call_id"`
}

// CallsReleaseReplyV1 answers CallsReleaseRequestV1.
type CallsReleaseReplyV1 struct {
	Reply
}
