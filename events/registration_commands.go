package events

// The registrar's bindings, read by command: who is registered where.

// VerbRegistrationsList lists the live bindings of one AOR, or of every
// AOR the node's location store holds.
const VerbRegistrationsList = "registrations.list"

// Type strings of registrations.list.
const (
	TypeRegistrationsListRequestV1 = "tandem.cmd.v1.registrations.list.request"
	TypeRegistrationsListReplyV1   = "tandem.cmd.v1.registrations.list.reply"
)

// MaxRegistrationsList bounds the bindings of one registrations.list reply;
// beyond it the reply says Truncated.
const MaxRegistrationsList = 1000

// RegistrationsListRequestV1 asks for the live bindings of AOR (a sip: or
// sips: URI, compared in its canonical form), or, when AOR is empty, of
// every AOR of the node's location store (shared by every node with the
// jetstream store), at most MaxRegistrationsList of them. A node without
// a registrar answers ErrConflict.
type RegistrationsListRequestV1 struct {
	RequestID string `json:"request_id"`
	AOR       string `json:"aor,omitempty"`
}

// RegistrationV1 is one live binding of an AOR.
type RegistrationV1 struct {
	AOR       string `json:"aor"`                // canonical address-of-record
	Contact   string `json:"contact"`            // the Contact URI as registered
	Instance  string `json:"instance,omitempty"` // +sip.instance, normalised
	RegID     uint32 `json:"reg_id,omitempty"`   // RFC 5626 reg-id
	ExpiresAt string `json:"expires_at"`         // RFC 3339, UTC
	GRUU      string `json:"gruu,omitempty"`     // public GRUU, when GRUUs were handed out
	Source    string `json:"source,omitempty"`   // transport address the REGISTER came from
}

// RegistrationsListReplyV1 answers RegistrationsListRequestV1: the
// bindings by AOR, then by q-value; empty (not an error) for an AOR
// without bindings. Truncated says some were left out.
type RegistrationsListReplyV1 struct {
	Reply
	Registrations []RegistrationV1 `json:"registrations"`
	Truncated     bool             `json:"truncated,omitempty"`
}
