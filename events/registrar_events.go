package events

// Registrar event type strings. Registrar events belong to no call: their
// envelope's call_id and leg_id are empty and seq is 0; record_version
// orders the changes of one AOR instead (it grows with every change of
// any AOR's bindings).
const (
	TypeBindingAddedV1     = "tandem.binding.v1.added"
	TypeBindingRefreshedV1 = "tandem.binding.v1.refreshed"
	TypeBindingRemovedV1   = "tandem.binding.v1.removed"
	TypeBindingExpiredV1   = "tandem.binding.v1.expired"
	TypeGRUUMintedV1       = "tandem.gruu.v1.minted"
)

// BindingInfoV1 describes one registrar binding (a contact of an AOR).
type BindingInfoV1 struct {
	AOR           string `json:"aor"`                 // canonical address-of-record, e.g. sip:alice@example.com
	Contact       string `json:"contact"`             // the Contact URI as registered
	Instance      string `json:"instance,omitempty"`  // +sip.instance (e.g. urn:uuid:...), normalised
	RegID         uint32 `json:"reg_id,omitempty"`    // RFC 5626 reg-id
	Q             string `json:"q,omitempty"`         // q-value as registered, e.g. "0.5"
	Expires       int64  `json:"expires"`             // seconds left when the event was made
	SIPCallID     string `json:"sip_call_id"`         // Call-ID of the REGISTER that last touched it
	CSeq          uint32 `json:"cseq"`                // its CSeq
	Source        string `json:"source,omitempty"`    // transport address the REGISTER came from
	Transport     string `json:"transport,omitempty"` // its transport
	User          string `json:"user,omitempty"`      // authenticated user, if any
	RecordVersion uint64 `json:"record_version"`      // version of the AOR's record after the change
}

// BindingAddedV1: a REGISTER created a binding.
type BindingAddedV1 struct {
	Envelope
	Binding BindingInfoV1 `json:"binding"`
}

func (*BindingAddedV1) Name() string { return "binding_added" }

// BindingRefreshedV1: a REGISTER refreshed (or replaced the Contact of) a
// binding.
type BindingRefreshedV1 struct {
	Envelope
	Binding BindingInfoV1 `json:"binding"`
}

func (*BindingRefreshedV1) Name() string { return "binding_refreshed" }

// BindingRemovedV1: a REGISTER removed a binding (expires 0, or Contact: *).
type BindingRemovedV1 struct {
	Envelope
	Binding BindingInfoV1 `json:"binding"`
	Reason  string        `json:"reason"` // "unregistered" or "wildcard"
}

func (*BindingRemovedV1) Name() string { return "binding_removed" }

// BindingExpiredV1: a binding reached its expiry without a refresh.
type BindingExpiredV1 struct {
	Envelope
	Binding BindingInfoV1 `json:"binding"`
}

func (*BindingExpiredV1) Name() string { return "binding_expired" }

// GRUUMintedV1: the registrar handed out a GRUU (RFC 5627) for a binding.
type GRUUMintedV1 struct {
	Envelope
	AOR      string `json:"aor"`
	Instance string `json:"instance"`
	Kind     string `json:"kind"` // "pub" or "temp"
	URI      string `json:"uri"`
	// SIPCallID and FirstCSeq are what a temp-gruu's validity hangs on: it
	// stays valid while the instance registers with this Call-ID.
	SIPCallID string `json:"sip_call_id,omitempty"`
	FirstCSeq uint32 `json:"first_cseq,omitempty"`
}

func (*GRUUMintedV1) Name() string { return "gruu_minted" }
