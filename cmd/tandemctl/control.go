package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Call control commands: legs hold, resume, dtmf, request, hangup; calls
// claim, release. Each sends the global --controller.

// controller is --controller, else $TANDEM_CONTROLLER.
func (a *app) controller() string {
	if a.g.controller != "" {
		return a.g.controller
	}
	return a.getenv("TANDEM_CONTROLLER")
}

// oneID parses a command that takes one id and nothing else.
func (a *app) oneID(path, what string, args []string) (string, error) {
	fs := a.flagSet(path)
	pos, err := a.parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 || pos[0] == "" {
		return "", usageErrorf("%s takes one %s", path, what)
	}
	return pos[0], nil
}

// done prints the reply (--json) or line, or returns err.
func (a *app) done(raw []byte, err error, format string, args ...any) error {
	if a.g.json {
		return a.printRaw(raw, err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, format+"\n", args...)
	return err
}

// legsHold: tandemctl legs hold LEG_ID.
func legsHold(a *app, args []string) error {
	leg, err := a.oneID("legs hold", "LEG_ID", args)
	if err != nil {
		return err
	}
	var rep events.LegsHoldReplyV1
	raw, err := a.request("legs hold", events.VerbLegsHold,
		events.LegsHoldRequestV1{RequestID: a.requestID(), Controller: a.controller(), LegID: leg}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: on hold", leg)
}

// legsResume: tandemctl legs resume LEG_ID.
func legsResume(a *app, args []string) error {
	leg, err := a.oneID("legs resume", "LEG_ID", args)
	if err != nil {
		return err
	}
	var rep events.LegsResumeReplyV1
	raw, err := a.request("legs resume", events.VerbLegsResume,
		events.LegsResumeRequestV1{RequestID: a.requestID(), Controller: a.controller(), LegID: leg}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: resumed", leg)
}

// legsDTMF: tandemctl legs dtmf LEG_ID DIGITS [--method info|rfc4733] [--duration D].
func legsDTMF(a *app, args []string) error {
	fs := a.flagSet("legs dtmf")
	method := fs.String("method", events.DTMFInfo, "`how`: info (SIP INFO, application/dtmf-relay) or rfc4733 (RTP events, needs media anchoring)")
	duration := fs.Duration("duration", 0, "length of each digit, a `duration` (default: the core's, 250ms)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" || pos[1] == "" {
		return usageErrorf("legs dtmf takes a LEG_ID and DIGITS")
	}
	if *method != events.DTMFInfo && *method != events.DTMFRFC4733 {
		return usageErrorf("legs dtmf: --method %q: want %s or %s", *method, events.DTMFInfo, events.DTMFRFC4733)
	}
	if strings.Trim(strings.ToUpper(pos[1]), "0123456789*#ABCD") != "" {
		return usageErrorf("legs dtmf: DIGITS %q: only 0-9, *, #, A-D", pos[1])
	}
	if *duration < 0 || (*duration > 0 && *duration < time.Millisecond) {
		return usageErrorf("legs dtmf: --duration %s is not a positive number of milliseconds", *duration)
	}
	var rep events.LegsDTMFReplyV1
	raw, err := a.request("legs dtmf", events.VerbLegsDTMF, events.LegsDTMFRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: pos[0], Digits: pos[1],
		Method: *method, DurationMS: int(duration.Milliseconds()),
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: sent %s", pos[0], pos[1])
}

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags []events.HeaderV1

func (h *headerFlags) String() string {
	if h == nil {
		return ""
	}
	var parts []string
	for _, x := range *h {
		parts = append(parts, x.Name+": "+x.Value)
	}
	return strings.Join(parts, ", ")
}

func (h *headerFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	*h = append(*h, events.HeaderV1{Name: name, Value: strings.TrimSpace(value)})
	return nil
}

// legsRequest: tandemctl legs request LEG_ID METHOD [--header 'Name: value']...
// [--content-type T] [--body TEXT|@file].
func legsRequest(a *app, args []string) error {
	fs := a.flagSet("legs request")
	var headers headerFlags
	fs.Var(&headers, "header", "a header `'Name: value'` to add; repeat for more")
	ctype := fs.String("content-type", "", "the body's `type`, e.g. application/json")
	body := fs.String("body", "", "the body: `TEXT`, or @FILE to read it from FILE")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" || pos[1] == "" {
		return usageErrorf("legs request takes a LEG_ID and a METHOD")
	}
	method := strings.ToUpper(pos[1])
	switch method {
	case "INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "REGISTER":
		return usageErrorf("legs request: %s is not an in-dialog request this command sends (use legs hold, legs hangup...)", method)
	}
	text := *body
	if file, ok := strings.CutPrefix(text, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return usageErrorf("legs request: --body: %v", err)
		}
		text = string(b)
	}
	if text != "" && *ctype == "" {
		return usageErrorf("legs request: --body needs --content-type")
	}
	var rep events.LegsRequestReplyV1
	raw, err := a.request("legs request", events.VerbLegsRequest, events.LegsRequestRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: pos[0], Method: method,
		Headers: headers, ContentType: *ctype, Body: text,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: %s answered %d %s", pos[0], method, rep.Code, rep.Reason)
}

// legsHangup: tandemctl legs hangup LEG_ID [--cause N] [--reason TEXT].
func legsHangup(a *app, args []string) error {
	id, cause, reason, err := hangupArgs(a, "legs hangup", "LEG_ID", args)
	if err != nil {
		return err
	}
	var rep events.LegsHangupReplyV1
	raw, err := a.request("legs hangup", events.VerbLegsHangup, events.LegsHangupRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: id, Cause: cause, Reason: reason,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: hanging up", id)
}

// callsClaim: tandemctl calls claim CALL_ID --controller NAME [--ttl 30s].
func callsClaim(a *app, args []string) error {
	fs := a.flagSet("calls claim")
	ttl := fs.Duration("ttl", events.DefaultClaimTTL, "how long the claim lasts unless renewed (claim again), a `duration`")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("calls claim takes one CALL_ID")
	}
	ctl := a.controller()
	if ctl == "" {
		return usageErrorf("calls claim needs --controller NAME")
	}
	if *ttl < time.Millisecond || *ttl > time.Hour {
		return usageErrorf("calls claim: --ttl %s not between 1ms and 1h", *ttl)
	}
	var rep events.CallsClaimReplyV1
	raw, err := a.request("calls claim", events.VerbCallsClaim, events.CallsClaimRequestV1{
		RequestID: a.requestID(), Controller: ctl, CallID: pos[0], TTLMS: ttl.Milliseconds(),
	}, &rep, &rep.Reply)
	return a.done(raw, err, "call %s: claimed by %s until %s", pos[0], rep.Controller, rep.ExpiresAt.UTC().Format(time.RFC3339Nano))
}

// callsRelease: tandemctl calls release CALL_ID --controller NAME.
func callsRelease(a *app, args []string) error {
	call, err := a.oneID("calls release", "CALL_ID", args)
	if err != nil {
		return err
	}
	ctl := a.controller()
	if ctl == "" {
		return usageErrorf("calls release needs --controller NAME")
	}
	var rep events.CallsReleaseReplyV1
	raw, err := a.request("calls release", events.VerbCallsRelease,
		events.CallsReleaseRequestV1{RequestID: a.requestID(), Controller: ctl, CallID: call}, &rep, &rep.Reply)
	return a.done(raw, err, "call %s: released by %s", call, ctl)
}
