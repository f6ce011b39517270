package events

// Events of a transfer (a REFER Tandem accepted, or a transfer command).
// Every one names the transfer by TransferID; the envelope's LegID is the
// transferor's leg.
const (
	TypeTransferRequestedV1  = "tandem.transfer.v1.requested"
	TypeTransferProgressV1   = "tandem.transfer.v1.progress"
	TypeTransferCompletedV1  = "tandem.transfer.v1.completed"
	TypeTransferFailedV1     = "tandem.transfer.v1.failed"
	TypeTransferRolledBackV1 = "tandem.transfer.v1.rolled_back"
)

// TransferRequestedV1: a transfer began.
type TransferRequestedV1 struct {
	Envelope
	TransferID  string `json:"transfer_id"`
	TargetLegID string `json:"target_leg_id"` // the transferee
	ReferTo     string `json:"refer_to"`
	ReferredBy  string `json:"referred_by,omitempty"`
	// Kind is "refer" (in-dialog REFER), "refer_ood" (REFER to a GRUU with
	// Target-Dialog), "command", or "click_to_dial" (phones.refer: a REFER
	// Tandem sent to a registered phone outside any dialog; no call).
	Kind string `json:"kind"`
	// NoSubscription: Refer-Sub: false, no NOTIFYs.
	NoSubscription bool `json:"no_subscription,omitempty"`
}

func (*TransferRequestedV1) Name() string { return "transfer_requested" }

// TransferProgressV1: the new leg towards the target moved on (100, 18x).
type TransferProgressV1 struct {
	Envelope
	TransferID string `json:"transfer_id"`
	NewLegID   string `json:"new_leg_id,omitempty"`
	Code       int    `json:"code"`
}

func (*TransferProgressV1) Name() string { return "transfer_progress" }

// TransferCompletedV1: the transferee talks to the target.
type TransferCompletedV1 struct {
	Envelope
	TransferID string `json:"transfer_id"`
	NewLegID   string `json:"new_leg_id"`
	// ElapsedMS is from the REFER to the transferee's bridge.
	ElapsedMS int64 `json:"elapsed_ms"`
}

func (*TransferCompletedV1) Name() string { return "transfer_completed" }

// TransferFailedV1: the transfer did not happen.
type TransferFailedV1 struct {
	Envelope
	TransferID string `json:"transfer_id"`
	Code       int    `json:"code"` // the SIP code reported in the final NOTIFY
	Reason     string `json:"reason"`
}

func (*TransferFailedV1) Name() string { return "transfer_failed" }

// TransferRolledBackV1: after a failure the transferee is still with the
// transferor (Reconnected), or was hung up because the transferor had left.
type TransferRolledBackV1 struct {
	Envelope
	TransferID  string `json:"transfer_id"`
	Reconnected bool   `json:"reconnected"`
}

func (*TransferRolledBackV1) Name() string { return "transfer_rolled_back" }
