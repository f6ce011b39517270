package main

import (
	"errors"
	"fmt"

	"github.com/tandem-sip/tandem/events"
)

// callsList: tandemctl calls list.
func callsList(a *app, args []string) error {
	fs := a.flagSet("calls list")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("calls list takes no arguments, got %q", pos)
	}
	var rep events.CallsListReplyV1
	raw, err := a.request("calls list", events.VerbCallsList,
		events.CallsListRequestV1{RequestID: a.requestID()}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	return printCallTable(a.stdout, rep.Calls)
}

// callsShow: tandemctl calls show CALL_ID.
func callsShow(a *app, args []string) error {
	fs := a.flagSet("calls show")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("calls show takes one CALL_ID")
	}
	var rep events.CallsGetReplyV1
	raw, err := a.request("calls show", events.VerbCallsGet,
		events.CallsGetRequestV1{RequestID: a.requestID(), CallID: pos[0]}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	if rep.Call == nil {
		return errors.New("calls show: the reply has no call")
	}
	return printCall(a.stdout, *rep.Call)
}

// hangupArgs parses the arguments shared by calls hangup and legs hangup:
// one id (idName in messages) and the optional --cause and --reason.
func hangupArgs(a *app, command, idName string, args []string) (id string, cause int, reason string, err error) {
	fs := a.flagSet(command)
	c := fs.Int("cause", 0, "SIP `code` (300-699) towards a leg not yet answered (default: the core's, 480)")
	r := fs.String("reason", "", "reason `text` recorded in the call's events")
	pos, err := a.parse(fs, args)
	if err != nil {
		return "", 0, "", err
	}
	if len(pos) != 1 || pos[0] == "" {
		return "", 0, "", usageErrorf("%s takes one %s", command, idName)
	}
	if *c != 0 && (*c < 300 || *c > 699) {
		return "", 0, "", usageErrorf("%s: --cause %d is not a SIP failure code (300-699)", command, *c)
	}
	return pos[0], *c, *r, nil
}

// callsHangup: tandemctl calls hangup CALL_ID [--cause N] [--reason TEXT].
func callsHangup(a *app, args []string) error {
	id, cause, reason, err := hangupArgs(a, "calls hangup", "CALL_ID", args)
	if err != nil {
		return err
	}
	var rep events.CallsHangupReplyV1
	raw, err := a.request("calls hangup", events.VerbCallsHangup,
		events.CallsHangupRequestV1{RequestID: a.requestID(), CallID: id, Cause: cause, Reason: reason}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "call %s: hanging up\n", id)
	return err
}

// Commands still to come, once events defines their verbs and the core
// serves them, are each a function like callsHangup plus one line in
// main.go's commands; the call control ones are in control.go, the call
// flow ones (originate, answer, reject, redirect, bridge, unbridge) in
// flow.go, the transfers (blind, attended) in transfers.go.
