package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// The core's transfer commands: Tandem transfers a leg's party itself,
// natively (re-bridging, no REFER to any phone) or by a REFER to the
// party. The transfer events (events.TransferRequestedV1, ...Progress,
// ...Completed, ...Failed) follow either way, carrying the transfer id the
// methods return.
var (
	TransfersBlind = Command[events.TransfersBlindRequestV1, events.TransfersBlindReplyV1]{
		Verb:      events.VerbTransfersBlind,
		RequestID: func(r *events.TransfersBlindRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.TransfersBlindReplyV1) *events.Reply { return &r.Reply },
	}
	TransfersAttended = Command[events.TransfersAttendedRequestV1, events.TransfersAttendedReplyV1]{
		Verb:      events.VerbTransfersAttended,
		RequestID: func(r *events.TransfersAttendedRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.TransfersAttendedReplyV1) *events.Reply { return &r.Reply },
	}
)

// TransferOption changes how BlindTransfer and AttendedTransfer transfer;
// by default natively (events.TransferNative).
type TransferOption func(*transferOptions)

type transferOptions struct {
	mode         string
	targetDialog bool
}

// ByRefer transfers by a REFER to the leg's party (events.TransferRefer)
// instead of natively: the party does the rest and its NOTIFYs become the
// transfer's events.
func ByRefer() TransferOption { return func(o *transferOptions) { o.mode = events.TransferRefer } }

// TargetDialog sends the REFER out of dialog to the party's Contact (its
// GRUU) with a Target-Dialog naming the leg's dialog (RFC 4538) rather than
// inside the leg's dialog. It implies ByRefer.
func TargetDialog() TransferOption {
	return func(o *transferOptions) {
		o.mode = events.TransferRefer
		o.targetDialog = true
	}
}

func newTransferOptions(opts []TransferOption) transferOptions {
	var o transferOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// BlindTransfer transfers the party of legID (the transferee) to target (a
// sip: or sips: URI) and returns the transfer's id. Natively, the core
// calls target in a new leg, bridges it to legID when it answers and then
// ends legID's peer (the transferor); it returns once the transfer has
// started. With ByRefer it returns once the party accepted the REFER. A
// leg that is not answered, or a transfer already in progress, is refused
// with events.ErrConflict.
func (c *Client) BlindTransfer(ctx context.Context, legID, target string, opts ...TransferOption) (transferID string, err error) {
	o := newTransferOptions(opts)
	rep, err := Do(ctx, c, TransfersBlind, events.TransfersBlindRequestV1{
		Controller: c.Controller(), LegID: legID, Target: target, Mode: o.mode, TargetDialog: o.targetDialog,
	})
	if err != nil {
		return "", err
	}
	return rep.TransferID, nil
}

// AttendedTransfer joins the peers of two legs of one party (the
// transferor's two calls) and returns the transfer's id: legID's peer and
// otherLegID's peer then talk, and legID and otherLegID end. Natively the
// core bridges the peers and returns once they are; with ByRefer it sends
// legID's peer's party a REFER with Replaces naming otherLegID's dialog and
// returns once the party accepted it.
func (c *Client) AttendedTransfer(ctx context.Context, legID, otherLegID string, opts ...TransferOption) (transferID string, err error) {
	o := newTransferOptions(opts)
	rep, err := Do(ctx, c, TransfersAttended, events.TransfersAttendedRequestV1{
		Controller: c.Controller(), LegID: legID, OtherLegID: otherLegID, Mode: o.mode, TargetDialog: o.targetDialog,
	})
	if err != nil {
		return "", err
	}
	return rep.TransferID, nil
}
