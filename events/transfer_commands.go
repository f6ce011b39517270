package events

// Transfer commands: Tandem transfers a leg's party itself, natively
// (re-bridging, no REFER to any phone) or by asking the phone with a REFER
// (in the leg's dialog, or out of dialog to its Contact with Target-Dialog,
// RFC 4538). The transfer events (TransferRequestedV1...) follow either way.

// Verbs of the transfer commands.
const (
	VerbTransfersBlind    = "transfers.blind"
	VerbTransfersAttended = "transfers.attended"
)

// Type strings of the transfer commands.
const (
	TypeTransfersBlindRequestV1    = "tandem.cmd.v1.transfers.blind.request"
	TypeTransfersBlindReplyV1      = "tandem.cmd.v1.transfers.blind.reply"
	TypeTransfersAttendedRequestV1 = "tandem.cmd.v1.transfers.attended.request"
	TypeTransfersAttendedReplyV1   = "tandem.cmd.v1.transfers.attended.reply"
)

// Transfer modes.
const (
	TransferNative = "native" // Tandem re-bridges; the phones see re-INVITEs only
	TransferRefer  = "refer"  // Tandem sends REFER to the leg's party, which does the rest
)

// TransfersBlindRequestV1 transfers the party of LegID (the transferee) to
// Target. Native: a new leg to Target, bridged to LegID when it answers;
// LegID's peer (the transferor) then ends. Refer: a REFER with Refer-To
// Target to LegID's party, whose NOTIFYs become transfer events; with
// TargetDialog the REFER goes out of dialog to the party's Contact (its
// GRUU) with Target-Dialog instead of inside the leg's dialog.
type TransfersBlindRequestV1 struct {
	RequestID    string `json:"request_id"`
	Controller   string `json:"controller,omitempty"`
	LegID        string `json:"leg_id"`
	Target       string `json:"target"`
	Mode         string `json:"mode,omitempty"` // TransferNative (default) or TransferRefer
	TargetDialog bool   `json:"target_dialog,omitempty"`
}

// TransfersBlindReplyV1 answers TransfersBlindRequestV1 once the transfer
// has started (native) or the party accepted the REFER (refer).
type TransfersBlindReplyV1 struct {
	Reply
	TransferID string `json:"transfer_id,omitempty"`
}

// TransfersAttendedRequestV1 joins the peers of two legs of one party (the
// transferor's two calls): LegID's peer and OtherLegID's peer talk to each
// other, and LegID and OtherLegID end. Native: the peers are bridged
// (OtherLegID's peer moves to LegID's call). Refer: a REFER to LegID's
// peer's party whose Refer-To is OtherLegID's Contact (a GRUU) with
// Replaces naming OtherLegID's dialog; the INVITE with Replaces it sends
// takes OtherLegID's place.
type TransfersAttendedRequestV1 struct {
	RequestID    string `json:"request_id"`
	Controller   string `json:"controller,omitempty"`
	LegID        string `json:"leg_id"`
	OtherLegID   string `json:"other_leg_id"`
	Mode         string `json:"mode,omitempty"`
	TargetDialog bool   `json:"target_dialog,omitempty"`
}

// TransfersAttendedReplyV1 answers TransfersAttendedRequestV1 once the
// peers are bridged (native) or the party accepted the REFER (refer).
type TransfersAttendedReplyV1 struct {
	Reply
	TransferID string `json:"transfer_id,omitempty"`
}
