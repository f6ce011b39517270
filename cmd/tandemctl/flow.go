package main

import (
	"os"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Call flow commands: legs originate, answer, reject, redirect, bridge,
// unbridge. Each sends the global --controller.

// Bounds the core enforces too; checked here to fail early with a usage
// error.
const (
	maxSDPFile         = 64 << 10
	maxRingTimeout     = 10 * time.Minute
	maxRedirectTargets = 16
)

// isSIPURI reports whether s starts with sip: or sips: (any case) and has
// more after it; the core checks the rest.
func isSIPURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	return ok && rest != "" && (strings.EqualFold(scheme, "sip") || strings.EqualFold(scheme, "sips"))
}

// readSDP reads --sdp-file: "" reads nothing. The file is sent as is.
func readSDP(cmd, file string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", usageErrorf("%s: --sdp-file: %v", cmd, err)
	}
	if len(b) > maxSDPFile {
		return "", usageErrorf("%s: --sdp-file %s: %d bytes, more than 64 KiB", cmd, file, len(b))
	}
	return string(b), nil
}

// legsOriginate: tandemctl legs originate TARGET [--call ID] [--bridge-to
// LEG] [--from URI] [--from-display NAME] [--ring-timeout D] [--sdp-file F]
// [-H 'Name: value']...
func legsOriginate(a *app, args []string) error {
	fs := a.flagSet("legs originate")
	call := fs.String("call", "", "put the new leg into this existing call (`id`); default a new call")
	bridgeTo := fs.String("bridge-to", "", "bridge the new leg to this answered `leg` when it answers")
	from := fs.String("from", "", "the From `URI` (default: the core's own, sip:tandem@<host>)")
	display := fs.String("from-display", "", "the From display `name`")
	ring := fs.Duration("ring-timeout", 0, "give up ringing after this `duration` (default: the core's no-answer timeout; at most 10m)")
	sdpFile := fs.String("sdp-file", "", "send the SDP offer in `file` (default: no offer; the answerer's 2xx brings one)")
	var headers headerFlags
	fs.Var(&headers, "H", "a header `'Name: value'` to add to the INVITE; repeat for more")
	fs.Var(&headers, "header", "a header `'Name: value'` (same as -H)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("legs originate takes one TARGET (a sip: or sips: URI)")
	}
	target := pos[0]
	switch {
	case !isSIPURI(target):
		return usageErrorf("legs originate: TARGET %q is not a sip: or sips: URI", target)
	case *from != "" && !isSIPURI(*from):
		return usageErrorf("legs originate: --from %q is not a sip: or sips: URI", *from)
	case *ring < 0 || (*ring > 0 && *ring < time.Millisecond) || *ring > maxRingTimeout:
		return usageErrorf("legs originate: --ring-timeout %s not between 1ms and 10m", *ring)
	}
	sdp, err := readSDP("legs originate", *sdpFile)
	if err != nil {
		return err
	}
	var rep events.LegsOriginateReplyV1
	raw, err := a.request("legs originate", events.VerbLegsOriginate, events.LegsOriginateRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), Target: target,
		CallID: *call, BridgeTo: *bridgeTo, From: *from, FromDisplay: *display,
		Headers: headers, TimeoutMS: ring.Milliseconds(), SDP: sdp,
	}, &rep, &rep.Reply)
	then := ""
	if *bridgeTo != "" {
		then = ", bridged to leg " + *bridgeTo + " when it answers"
	}
	return a.done(raw, err, "leg %s: calling %s (call %s)%s", dash(rep.LegID), target, dash(rep.CallID), then)
}

// legsAnswer: tandemctl legs answer LEG_ID [--sdp-file F].
func legsAnswer(a *app, args []string) error {
	fs := a.flagSet("legs answer")
	sdpFile := fs.String("sdp-file", "", "answer with the SDP in `file` (default: the offer's media inactive until legs bridge)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("legs answer takes one LEG_ID")
	}
	sdp, err := readSDP("legs answer", *sdpFile)
	if err != nil {
		return err
	}
	var rep events.LegsAnswerReplyV1
	raw, err := a.request("legs answer", events.VerbLegsAnswer, events.LegsAnswerRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: pos[0], SDP: sdp,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: answered", pos[0])
}

// legsReject: tandemctl legs reject LEG_ID [--code N] [--reason TEXT].
func legsReject(a *app, args []string) error {
	fs := a.flagSet("legs reject")
	code := fs.Int("code", 486, "the final response's SIP `code`, 400-699")
	reason := fs.String("reason", "", "the response's reason `phrase` (default: the code's usual one)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usageErrorf("legs reject takes one LEG_ID")
	}
	if *code < 400 || *code > 699 {
		return usageErrorf("legs reject: --code %d is not a SIP failure code (400-699)", *code)
	}
	if strings.ContainsAny(*reason, "\r\n") {
		return usageErrorf("legs reject: --reason contains a line break")
	}
	var rep events.LegsRejectReplyV1
	raw, err := a.request("legs reject", events.VerbLegsReject, events.LegsRejectRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: pos[0], Code: *code, Reason: *reason,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: rejected with %d", pos[0], *code)
}

// legsRedirect: tandemctl legs redirect LEG_ID TARGET... [--code N].
func legsRedirect(a *app, args []string) error {
	fs := a.flagSet("legs redirect")
	code := fs.Int("code", 302, "the redirect's SIP `code`, 300-399")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 || pos[0] == "" {
		return usageErrorf("legs redirect takes a LEG_ID and one or more TARGETs")
	}
	leg, targets := pos[0], pos[1:]
	if len(targets) > maxRedirectTargets {
		return usageErrorf("legs redirect: %d TARGETs, at most %d", len(targets), maxRedirectTargets)
	}
	for _, t := range targets {
		if !isSIPURI(t) {
			return usageErrorf("legs redirect: TARGET %q is not a sip: or sips: URI", t)
		}
	}
	if *code < 300 || *code > 399 {
		return usageErrorf("legs redirect: --code %d is not a SIP redirect code (300-399)", *code)
	}
	var rep events.LegsRedirectReplyV1
	raw, err := a.request("legs redirect", events.VerbLegsRedirect, events.LegsRedirectRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: leg, Targets: targets, Code: *code,
	}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: redirected with %d to %s", leg, *code, strings.Join(targets, ", "))
}

// legsBridge: tandemctl legs bridge LEG_ID OTHER_LEG_ID.
func legsBridge(a *app, args []string) error {
	fs := a.flagSet("legs bridge")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] == "" || pos[1] == "" {
		return usageErrorf("legs bridge takes a LEG_ID and an OTHER_LEG_ID")
	}
	if pos[0] == pos[1] {
		return usageErrorf("legs bridge: a leg cannot be bridged to itself (%s)", pos[0])
	}
	var rep events.LegsBridgeReplyV1
	raw, err := a.request("legs bridge", events.VerbLegsBridge, events.LegsBridgeRequestV1{
		RequestID: a.requestID(), Controller: a.controller(), LegID: pos[0], OtherLegID: pos[1],
	}, &rep, &rep.Reply)
	return a.done(raw, err, "legs %s and %s: bridged in call %s", pos[0], pos[1], dash(rep.CallID))
}

// legsUnbridge: tandemctl legs unbridge LEG_ID.
func legsUnbridge(a *app, args []string) error {
	leg, err := a.oneID("legs unbridge", "LEG_ID", args)
	if err != nil {
		return err
	}
	var rep events.LegsUnbridgeReplyV1
	raw, err := a.request("legs unbridge", events.VerbLegsUnbridge,
		events.LegsUnbridgeRequestV1{RequestID: a.requestID(), Controller: a.controller(), LegID: leg}, &rep, &rep.Reply)
	return a.done(raw, err, "leg %s: unbridged (it and its peer stay up, alone)", leg)
}
