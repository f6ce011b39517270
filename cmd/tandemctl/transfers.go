package main

import (
	"flag"

	"github.com/tandem-sip/tandem/events"
)

// Transfer commands: transfers blind, attended. Tandem transfers a leg's
// party itself, natively or by a REFER to the party. Each sends the global
// --controller.

// transferFlags are the flags both transfer commands take.
type transferFlags struct {
	refer        *bool
	targetDialog *bool
}

func addTransferFlags(fs *flag.FlagSet) transferFlags {
	return transferFlags{
		refer: fs.Bool("refer", false, "transfer by a REFER to the party, which does the rest (default: natively, the phones see re-INVITEs only)"),
		targetDialog: fs.Bool("target-dialog", false,
			"send the REFER out of dialog to the party's Contact with Target-Dialog (RFC 4538) instead of in the leg's dialog; implies --refer"),
	}
}

// mode is the request's mode and target_dialog.
func (f transferFlags) mode() (string, bool) {
	if *f.refer || *f.targetDialog {
		return events.TransferRefer, *f.targetDialog
	}
	return events.TransferNative, false
}

// transfersBlind: tandemctl transfers blind LEG_ID TARGET [--refer]
// [--target-dialog].
func transfersBlind(a *app, args []string) error {
	fs := a.flagSet("transfers blind")
	tf := addTransferFlags(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" || pos[1] == "" {
		return usageErrorf("transfers blind takes a LEG_ID and a TARGET (a sip: or sips: URI)")
	}
	leg, target := pos[0], pos[1]
	if !isSIPURI(target) {
		return usageErrorf("transfers blind: TARGET %q is not a sip: or sips: URI", target)
	}
	mode, td := tf.mode()
	var rep events.TransfersBlindReplyV1
	raw, err := a.request("transfers blind", events.VerbTransfersBlind, events.TransfersBlindRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: leg, Target: target, Mode: mode, TargetDialog: td,
	}, &rep, &rep.Reply)
	if mode == events.TransferRefer {
		return a.done(raw, err, "transfer %s: leg %s's party accepted the REFER to %s", dash(rep.TransferID), leg, target)
	}
	return a.done(raw, err, "transfer %s: calling %s for leg %s; its peer ends when it answers", dash(rep.TransferID), target, leg)
}

// transfersAttended: tandemctl transfers attended LEG_ID OTHER_LEG_ID
// [--refer] [--target-dialog].
func transfersAttended(a *app, args []string) error {
	fs := a.flagSet("transfers attended")
	tf := addTransferFlags(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" || pos[1] == "" {
		return usageErrorf("transfers attended takes a LEG_ID and an OTHER_LEG_ID")
	}
	leg, other := pos[0], pos[1]
	if leg == other {
		return usageErrorf("transfers attended: LEG_ID and OTHER_LEG_ID are the same leg (%s)", leg)
	}
	mode, td := tf.mode()
	var rep events.TransfersAttendedReplyV1
	raw, err := a.request("transfers attended", events.VerbTransfersAttended, events.TransfersAttendedRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: leg, OtherLegID: other, Mode: mode, TargetDialog: td,
	}, &rep, &rep.Reply)
	if mode == events.TransferRefer {
		return a.done(raw, err, "transfer %s: leg %s's peer accepted the REFER to replace leg %s", dash(rep.TransferID), leg, other)
	}
	return a.done(raw, err, "transfer %s: the peers of legs %s and %s are bridged; %s and %s end", dash(rep.TransferID), leg, other, leg, other)
}
