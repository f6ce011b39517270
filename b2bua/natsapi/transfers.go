package natsapi

import (
	"context"
	"encoding/json"

	"github.com/tandem-sip/tandem/events"
)

// TransferController is the transfer part of the core: it transfers a
// leg's party itself, natively (re-bridging legs, the phones see
// re-INVITEs only) or by a REFER to the party. ServeCommands serves the
// transfer verbs (events.VerbTransfersBlind, VerbTransfersAttended) only
// when its core also implements TransferController.
//
// The requests are validated before a method is called: leg_id is set
// (and, for attended, other_leg_id is set and differs from it), a blind
// target is a sip: or sips: URI with a host, mode is "", native or refer
// ("" is replaced by events.TransferNative), and target_dialog goes with
// mode refer only. The controller field names the sender's controller, as
// for LegController. The methods return the transfer id the transfer
// events carry, or nil, an *events.Error (ErrUnknownLeg, ErrConflict,
// ErrBadRequest...) replied as is, or another error replied as
// ErrInternal; they are called concurrently and should return within their
// ctx (Config.CommandTimeout).
type TransferController interface {
	// BlindTransfer transfers the party of req.LegID to req.Target; it
	// returns once the transfer has started (native) or the party accepted
	// the REFER (refer).
	BlindTransfer(ctx context.Context, req events.TransfersBlindRequestV1) (transferID string, err error)
	// AttendedTransfer joins the peers of req.LegID and req.OtherLegID; it
	// returns once they are bridged (native) or the party accepted the
	// REFER (refer).
	AttendedTransfer(ctx context.Context, req events.TransfersAttendedRequestV1) (transferID string, err error)
}

var transferVerbs = []string{events.VerbTransfersBlind, events.VerbTransfersAttended}

// decodeTransfer parses the request of a transfer verb; ok is false for a
// verb that is not one. It returns what decode returns.
func (s *commandServer) decodeTransfer(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	tc, _ := s.core.(TransferController)
	badf := badRequest(verb)
	done := verbDone(verb) // the core's error becomes the verb's error reply
	switch verb {
	case events.VerbTransfersBlind:
		var req events.TransfersBlindRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkBlindTransfer(&req); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			id, err := tc.BlindTransfer(ctx, req)
			return done(req.RequestID, err, events.TransfersBlindReplyV1{
				Reply: events.Reply{RequestID: req.RequestID}, TransferID: id,
			})
		}, nil, true

	case events.VerbTransfersAttended:
		var req events.TransfersAttendedRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkAttendedTransfer(&req); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			id, err := tc.AttendedTransfer(ctx, req)
			return done(req.RequestID, err, events.TransfersAttendedReplyV1{
				Reply: events.Reply{RequestID: req.RequestID}, TransferID: id,
			})
		}, nil, true
	}
	return "", "", nil, nil, false
}

// checkBlindTransfer validates a transfers.blind and applies the default
// mode; it returns what is wrong, or "".
func checkBlindTransfer(req *events.TransfersBlindRequestV1) string {
	if req.LegID == "" {
		return "leg_id missing"
	}
	if e := checkSIPURI(req.Target); e != "" {
		return "target " + quote(req.Target) + ": " + e
	}
	return checkTransferMode(&req.Mode, req.TargetDialog)
}

// checkAttendedTransfer validates a transfers.attended and applies the
// default mode; it returns what is wrong, or "".
func checkAttendedTransfer(req *events.TransfersAttendedRequestV1) string {
	switch {
	case req.LegID == "":
		return "leg_id missing"
	case req.OtherLegID == "":
		return "other_leg_id missing"
	case req.OtherLegID == req.LegID:
		return "other_leg_id is leg_id (" + quote(req.LegID) + "): an attended transfer joins the peers of two different legs"
	}
	return checkTransferMode(&req.Mode, req.TargetDialog)
}

// checkTransferMode checks a transfer's mode and target_dialog, replacing
// an empty mode with events.TransferNative; it returns what is wrong, or
// "".
func checkTransferMode(mode *string, targetDialog bool) string {
	switch *mode {
	case "":
		*mode = events.TransferNative
	case events.TransferNative, events.TransferRefer:
	default:
		return "mode " + quote(*mode) + " is not " + events.TransferNative + " or " + events.TransferRefer
	}
	if targetDialog && *mode != events.TransferRefer {
		return "target_dialog needs mode " + events.TransferRefer + " (a native transfer sends no REFER)"
	}
	return ""
}

// transferErrorReply is a transfer verb's reply type carrying r; nil for
// another verb.
func transferErrorReply(verb string, r events.Reply) any {
	switch verb {
	case events.VerbTransfersBlind:
		return events.TransfersBlindReplyV1{Reply: r}
	case events.VerbTransfersAttended:
		return events.TransfersAttendedReplyV1{Reply: r}
	}
	return nil
}
