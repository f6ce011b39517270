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

// PhonesReferRequestV1 sends a REFER outside any dialog to Phone (a
// registered AOR: its preferred contact; or a GRUU: exactly that
// instance) asking it to call Target. The phone's NOTIFYs become transfer
// events of no call (kind "click_to_dial", leg_id the refer id) on the
// node's subject.
type PhonesReferRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	Phone      string `json:"phone"`
	Target     string `json:"target"`
	From       string `json:"from,omitempty"` // the REFER's From and Referred-By (default the core's)
}

// PhonesReferReplyV1 answers PhonesReferRequestV1 once the phone accepted
// the REFER (a 2xx).
type PhonesReferReplyV1 struct {
	Reply
	ReferID string `json:"refer_id,omitempty"`
}
