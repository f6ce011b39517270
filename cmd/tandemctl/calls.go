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

// callsHangup: tandemctl calls hangup CALL_ID [--cause N] [--reason TEXT].
func callsHangup(a *app, args []string) error {
	fs := a.flagSet("calls hangup")
	cause := fs.Int("cause", 0, "SIP `code` (300-699) towards a leg not yet answered (default: the core's, 480)")
	reason := fs.String("reason", "", "reason `text` recorded in the call's events")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("calls hangup takes one CALL_ID")
	}
	if *cause != 0 && (*cause < 300 || *cause > 699) {
		return usageErrorf("calls hangup: --cause %d is not a SIP failure code (300-699)", *cause)
	}
	var rep events.CallsHangupReplyV1
	raw, err := a.request("calls hangup", events.VerbCallsHangup,
		events.CallsHangupRequestV1{RequestID: a.requestID(), CallID: pos[0], Cause: *cause, Reason: *reason}, &rep, &rep.Reply)
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "call %s: hanging up\n", pos[0])
	return err
}

// Commands still to come, once events defines their verbs and the core
// serves them (see the reserved list in main.go): calls originate URI
// [--from URI] [--header K:V] [--timeout D], calls bridge LEG LEG, calls
// unbridge, calls transfer. Each is a function like callsHangup plus one
// line in main.go's commands; the call control ones are in control.go.
