package events

// Commands that make and join legs: originate a leg, answer / reject /
// redirect a leg that waits for a controller (a call parked by its route
// decision), bridge two legs so media flows between them, and unbridge.
// Like the other control commands they name their Controller and obey
// claims (see CallsClaimRequestV1).

// Verbs of the call flow commands (see CommandSubject).
const (
	VerbLegsOriginate = "legs.originate"
	VerbLegsAnswer    = "legs.answer"
	VerbLegsReject    = "legs.reject"
	VerbLegsRedirect  = "legs.redirect"
	VerbLegsBridge    = "legs.bridge"
	VerbLegsUnbridge  = "legs.unbridge"
)

// Type strings of the call flow commands.
const (
	TypeLegsOriginateRequestV1 = "tandem.cmd.v1.legs.originate.request"
	TypeLegsOriginateReplyV1   = "tandem.cmd.v1.legs.originate.reply"
	TypeLegsAnswerRequestV1    = "tandem.cmd.v1.legs.answer.request"
	TypeLegsAnswerReplyV1      = "tandem.cmd.v1.legs.answer.reply"
	TypeLegsRejectRequestV1    = "tandem.cmd.v1.legs.reject.request"
	TypeLegsRejectReplyV1      = "tandem.cmd.v1.legs.reject.reply"
	TypeLegsRedirectRequestV1  = "tandem.cmd.v1.legs.redirect.request"
	TypeLegsRedirectReplyV1    = "tandem.cmd.v1.legs.redirect.reply"
	TypeLegsBridgeRequestV1    = "tandem.cmd.v1.legs.bridge.request"
	TypeLegsBridgeReplyV1      = "tandem.cmd.v1.legs.bridge.reply"
	TypeLegsUnbridgeRequestV1  = "tandem.cmd.v1.legs.unbridge.request"
	TypeLegsUnbridgeReplyV1    = "tandem.cmd.v1.legs.unbridge.reply"
)

// LegsOriginateRequestV1 creates a leg: Tandem sends an INVITE to Target.
// The reply comes as soon as the INVITE is sent; the leg's ringing,
// answered and ended events tell the rest.
//
// Without SDP the INVITE carries no offer (RFC 3725 flow I): the answerer's
// 2xx brings the offer. With BridgeTo set, that offer goes to the BridgeTo
// leg in a re-INVITE and its answer returns in the ACK, so the two parties
// talk as soon as the target answers; without BridgeTo the ACK answers with
// the offer's media inactive until a legs.bridge.
type LegsOriginateRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	Target     string `json:"target"` // SIP or SIPS URI
	// CallID puts the new leg into this call (which must exist); empty
	// makes a new call of one leg.
	CallID string `json:"call_id,omitempty"`
	// BridgeTo is a confirmed leg, of CallID's call or another, to bridge
	// the new leg to when it answers. The BridgeTo leg's call takes the new
	// leg.
	BridgeTo string `json:"bridge_to,omitempty"`
	// From is the From URI (default: the core's own, sip:tandem@<host>).
	From        string `json:"from,omitempty"`
	FromDisplay string `json:"from_display,omitempty"`
	// Headers are added to the INVITE (allowed extension headers only).
	Headers []HeaderV1 `json:"headers,omitempty"`
	// TimeoutMS bounds ringing (default: the core's no_answer_timeout).
	TimeoutMS int64 `json:"timeout_ms,omitempty"`
	// SDP is the offer to send; empty sends none.
	SDP string `json:"sdp,omitempty"`
}

// LegsOriginateReplyV1 answers LegsOriginateRequestV1: the leg and the call
// it belongs to.
type LegsOriginateReplyV1 struct {
	Reply
	CallID string `json:"call_id,omitempty"`
	LegID  string `json:"leg_id,omitempty"`
}

// LegsAnswerRequestV1 answers a waiting leg with 200: with SDP as the
// answer when given, else with the offer's media inactive (the leg is then
// up and alone until a legs.bridge).
type LegsAnswerRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	SDP        string `json:"sdp,omitempty"`
}

// LegsAnswerReplyV1 answers LegsAnswerRequestV1 once the 200 is sent.
type LegsAnswerReplyV1 struct {
	Reply
}

// LegsRejectRequestV1 refuses a waiting leg with a final response.
type LegsRejectRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	Code       int    `json:"code"` // 400-699 (default 486)
	Reason     string `json:"reason,omitempty"`
}

// LegsRejectReplyV1 answers LegsRejectRequestV1.
type LegsRejectReplyV1 struct {
	Reply
}

// LegsRedirectRequestV1 answers a waiting leg with a 3xx listing Targets as
// Contacts.
type LegsRedirectRequestV1 struct {
	RequestID  string   `json:"request_id"`
	Controller string   `json:"controller,omitempty"`
	LegID      string   `json:"leg_id"`
	Targets    []string `json:"targets"`
	Code       int      `json:"code,omitempty"` // 300-399 (default 302)
}

// LegsRedirectReplyV1 answers LegsRedirectRequestV1.
type LegsRedirectReplyV1 struct {
	Reply
}

// LegsBridgeRequestV1 bridges two confirmed legs so their parties talk:
// an offerless re-INVITE to LegID brings its offer, which goes to OtherLegID
// in a re-INVITE; OtherLegID's answer returns to LegID in the ACK (RFC 3725
// §4). Legs of two calls end up in LegID's call; their former peers stay up,
// alone (events leg_unbridged), for the controller to deal with.
type LegsBridgeRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	OtherLegID string `json:"other_leg_id"`
}

// LegsBridgeReplyV1 answers LegsBridgeRequestV1 once both re-INVITEs are
// answered: CallID is the call that now holds both legs.
type LegsBridgeReplyV1 struct {
	Reply
	CallID string `json:"call_id,omitempty"`
}

// LegsUnbridgeRequestV1 separates a leg from its peer: both are re-INVITEd
// with their media inactive and stay up, alone.
type LegsUnbridgeRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
}

// LegsUnbridgeReplyV1 answers LegsUnbridgeRequestV1.
type LegsUnbridgeReplyV1 struct {
	Reply
}
