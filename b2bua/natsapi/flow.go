package natsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tandem-sip/tandem/events"
)

// FlowController is the call flow part of the core: it makes legs
// (originate), settles a leg that waits for a controller (answer, reject,
// redirect) and joins or separates legs (bridge, unbridge). ServeCommands
// serves the flow verbs (events.VerbLegsOriginate ... VerbLegsUnbridge)
// only when its core also implements FlowController.
//
// The requests are validated before a method is called: URIs are sip: or
// sips: with a host, codes are in range (defaults applied), SDP and headers
// are bounded. controller names the sender's controller, as for
// LegController. The methods return nil, an *events.Error (ErrUnknownCall,
// ErrUnknownLeg, ErrConflict, ErrBadRequest...) replied as is, or another
// error replied as ErrInternal; they are called concurrently and should
// return within their ctx (Config.CommandTimeout).
type FlowController interface {
	// Originate sends an INVITE for a new leg; it returns once the INVITE is sent.
	Originate(ctx context.Context, req events.LegsOriginateRequestV1) (callID, legID string, err error)
	// AnswerLeg answers a waiting leg with 200, with sdp as the answer
	// (nil: the offer's media inactive).
	AnswerLeg(ctx context.Context, legID, controller string, sdp []byte) error
	// RejectLeg refuses a waiting leg with code (400-699).
	RejectLeg(ctx context.Context, legID, controller string, code int, reason string) error
	// RedirectLeg answers a waiting leg with code (300-399) and targets as
	// Contacts.
	RedirectLeg(ctx context.Context, legID, controller string, code int, targets []string) error
	// BridgeLegs returns the call that holds both legs afterwards.
	BridgeLegs(ctx context.Context, legID, otherLegID, controller string) (callID string, err error)
	// UnbridgeLeg separates the leg from its peer; both stay up, alone.
	UnbridgeLeg(ctx context.Context, legID, controller string) error
}

var flowVerbs = []string{
	events.VerbLegsOriginate, events.VerbLegsAnswer, events.VerbLegsReject,
	events.VerbLegsRedirect, events.VerbLegsBridge, events.VerbLegsUnbridge,
}

// Bounds and defaults of the flow requests, checked before the core is
// called.
const (
	maxSDP                = 64 << 10
	maxOriginateTimeoutMS = 600000 // 10 minutes of ringing
	maxRedirectTargets    = 16
	defaultRejectCode     = 486 // Busy Here
	defaultRedirectCode   = 302 // Moved Temporarily
)

// decodeFlow parses the request of a flow verb; ok is false for a verb that
// is not one. It returns what decode returns.
func (s *commandServer) decodeFlow(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	fc, _ := s.core.(FlowController)
	badf := badRequest(verb)
	done := verbDone(verb) // the core's error becomes the verb's error reply
	switch verb {
	case events.VerbLegsOriginate:
		var req events.LegsOriginateRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkOriginate(&req); e != "" {
			return req.RequestID, req.CallID, nil, badf("%s", e), true
		}
		return req.RequestID, req.CallID, func(ctx context.Context) (any, *events.Error) {
			callID, legID, err := fc.Originate(ctx, req)
			return done(req.RequestID, err, events.LegsOriginateReplyV1{
				Reply: events.Reply{RequestID: req.RequestID}, CallID: callID, LegID: legID,
			})
		}, nil, true

	case events.VerbLegsAnswer:
		var req events.LegsAnswerRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.LegID == "":
			return req.RequestID, "", nil, badf("leg_id missing"), true
		case len(req.SDP) > maxSDP:
			return req.RequestID, "", nil, badf("sdp larger than 64 KiB"), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			var sdp []byte
			if req.SDP != "" {
				sdp = []byte(req.SDP)
			}
			err := fc.AnswerLeg(ctx, req.LegID, req.Controller, sdp)
			return done(req.RequestID, err, events.LegsAnswerReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbLegsReject:
		var req events.LegsRejectRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.Code == 0 {
			req.Code = defaultRejectCode
		}
		switch {
		case req.LegID == "":
			return req.RequestID, "", nil, badf("leg_id missing"), true
		case req.Code < 400 || req.Code > 699:
			return req.RequestID, "", nil, badf("code %d not in 400-699", req.Code), true
		case hasControl(req.Reason):
			return req.RequestID, "", nil, badf("reason contains a control character"), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := fc.RejectLeg(ctx, req.LegID, req.Controller, req.Code, req.Reason)
			return done(req.RequestID, err, events.LegsRejectReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbLegsRedirect:
		var req events.LegsRedirectRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.Code == 0 {
			req.Code = defaultRedirectCode
		}
		if e := checkRedirect(&req); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := fc.RedirectLeg(ctx, req.LegID, req.Controller, req.Code, req.Targets)
			return done(req.RequestID, err, events.LegsRedirectReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbLegsBridge:
		var req events.LegsBridgeRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.LegID == "":
			return req.RequestID, "", nil, badf("leg_id missing"), true
		case req.OtherLegID == "":
			return req.RequestID, "", nil, badf("other_leg_id missing"), true
		case req.OtherLegID == req.LegID:
			return req.RequestID, "", nil, badf("other_leg_id is leg_id (%s): a leg cannot be bridged to itself", quote(req.LegID)), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			callID, err := fc.BridgeLegs(ctx, req.LegID, req.OtherLegID, req.Controller)
			return done(req.RequestID, err, events.LegsBridgeReplyV1{Reply: events.Reply{RequestID: req.RequestID}, CallID: callID})
		}, nil, true

	case events.VerbLegsUnbridge:
		var req events.LegsUnbridgeRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.LegID == "" {
			return req.RequestID, "", nil, badf("leg_id missing"), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := fc.UnbridgeLeg(ctx, req.LegID, req.Controller)
			return done(req.RequestID, err, events.LegsUnbridgeReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true
	}
	return "", "", nil, nil, false
}

// checkOriginate validates a legs.originate; it returns what is wrong, or
// "".
func checkOriginate(req *events.LegsOriginateRequestV1) string {
	if e := checkSIPURI(req.Target); e != "" {
		return "target " + quote(req.Target) + ": " + e
	}
	if req.From != "" {
		if e := checkSIPURI(req.From); e != "" {
			return "from " + quote(req.From) + ": " + e
		}
	}
	switch {
	case hasControl(req.FromDisplay):
		return "from_display contains a control character"
	case req.TimeoutMS < 0 || req.TimeoutMS > maxOriginateTimeoutMS:
		return fmt.Sprintf("timeout_ms %d not in 0-%d", req.TimeoutMS, maxOriginateTimeoutMS)
	case len(req.SDP) > maxSDP:
		return "sdp larger than 64 KiB"
	}
	return checkHeaders(req.Headers)
}

// checkRedirect validates a legs.redirect whose default code is applied;
// it returns what is wrong, or "".
func checkRedirect(req *events.LegsRedirectRequestV1) string {
	switch {
	case req.LegID == "":
		return "leg_id missing"
	case req.Code < 300 || req.Code > 399:
		return fmt.Sprintf("code %d not in 300-399", req.Code)
	case len(req.Targets) == 0:
		return "targets missing"
	case len(req.Targets) > maxRedirectTargets:
		return fmt.Sprintf("targets: %d, at most %d", len(req.Targets), maxRedirectTargets)
	}
	for i, t := range req.Targets {
		if e := checkSIPURI(t); e != "" {
			return fmt.Sprintf("targets[%d] %s: %s", i, quote(t), e)
		}
	}
	return ""
}

// checkSIPURI is a light check that s is a sip: or sips: URI with a host:
// the core parses it for real. It returns what is wrong, or "".
func checkSIPURI(s string) string {
	if s == "" {
		return "missing"
	}
	if hasControl(s) || strings.ContainsAny(s, " \t<>\"") {
		return "not a bare URI (space, control character, <, > or quote)"
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || (!strings.EqualFold(scheme, "sip") && !strings.EqualFold(scheme, "sips")) {
		return "not a sip: or sips: URI"
	}
	// The host comes after the user part, if any, and before the
	// parameters and headers.
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		rest = rest[:i]
	}
	host := rest
	if strings.HasPrefix(host, "[") { // IPv6 reference
		if i := strings.IndexByte(host, ']'); i >= 0 {
			host = host[1:i]
		} else {
			host = ""
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return "no host"
	}
	return ""
}

// checkHeaders validates headers to add to a request the core sends; it
// returns what is wrong, or "".
func checkHeaders(headers []events.HeaderV1) string {
	if len(headers) > maxHeaders {
		return fmt.Sprintf("headers: %d, at most %d", len(headers), maxHeaders)
	}
	for _, h := range headers {
		switch {
		case !isToken(h.Name):
			return "header name " + quote(h.Name) + " is not a token"
		case forbiddenHeaders[strings.ToLower(h.Name)]:
			return "header " + h.Name + " is set by the dialog"
		case strings.ContainsAny(h.Value, "\r\n"):
			return "header " + h.Name + ": value contains a line break"
		}
	}
	return ""
}

// hasControl reports whether s holds an ASCII control character other than
// a tab (CR and LF included), which has no place in a SIP header value or
// reason phrase.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f })
}

// flowErrorReply is a flow verb's reply type carrying r; nil for another
// verb.
func flowErrorReply(verb string, r events.Reply) any {
	switch verb {
	case events.VerbLegsOriginate:
		return events.LegsOriginateReplyV1{Reply: r}
	case events.VerbLegsAnswer:
		return events.LegsAnswerReplyV1{Reply: r}
	case events.VerbLegsReject:
		return events.LegsRejectReplyV1{Reply: r}
	case events.VerbLegsRedirect:
		return events.LegsRedirectReplyV1{Reply: r}
	case events.VerbLegsBridge:
		return events.LegsBridgeReplyV1{Reply: r}
	case events.VerbLegsUnbridge:
		return events.LegsUnbridgeReplyV1{Reply: r}
	}
	return nil
}
