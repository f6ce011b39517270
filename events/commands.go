package events

// Command requests carry a RequestID so a retried command is recognised and
// answered with the first answer (idempotency).

// CallsListRequestV1 lists the calls of a node.
type CallsListRequestV1 struct {
	RequestID string `json:"request_id"`
}

// CallsListReplyV1 answers CallsListRequestV1.
type CallsListReplyV1 struct {
	Reply
	Calls []CallInfoV1 `json:"calls"`
}

// CallsGetRequestV1 asks for one call with its legs.
type CallsGetRequestV1 struct {
	RequestID string `json:"request_id"`
	CallID    string `json:"call_id"`
}

// CallsGetReplyV1 answers CallsGetRequestV1.
type CallsGetReplyV1 struct {
	Reply
	Call *CallInfoV1 `json:"call,omitempty"`
}

// CallsHangupRequestV1 ends a call: BYE to answered legs, CANCEL or a final
// response to ringing ones.
type CallsHangupRequestV1 struct {
	RequestID string `json:"request_id"`
	CallID    string `json:"call_id"`
	// Cause is the SIP code the call ends with towards a leg that is not yet
	// answered (default 480), and the reason in events.
	Cause  int    `json:"cause,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// CallsHangupReplyV1 answers CallsHangupRequestV1.
type CallsHangupReplyV1 struct {
	Reply
}

// Reply is embedded in every command reply. Error is nil on success.
type Reply struct {
	RequestID string `json:"request_id"`
	Error     *Error `json:"error,omitempty"`
}

// CallInfoV1 is a snapshot of a call.
type CallInfoV1 struct {
	CallID      string      `json:"call_id"`
	Node        string      `json:"node"`
	State       string      `json:"state"`
	CreatedAt   string      `json:"created_at"`             // RFC 3339
	ConnectedAt string      `json:"connected_at,omitempty"` // RFC 3339
	Legs        []LegInfoV1 `json:"legs"`
}

// LegInfoV1 is a snapshot of a leg.
type LegInfoV1 struct {
	LegID     string `json:"leg_id"`
	Side      string `json:"side"`
	State     string `json:"state"`
	SIPCallID string `json:"sip_call_id"`
	LocalTag  string `json:"local_tag,omitempty"`
	RemoteTag string `json:"remote_tag,omitempty"`
	LocalURI  string `json:"local_uri"`
	RemoteURI string `json:"remote_uri"`
	Contact   string `json:"contact,omitempty"`     // the remote target
	PeerLegID string `json:"peer_leg_id,omitempty"` // the leg it is bridged to
}
