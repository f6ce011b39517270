package natsapi

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// LegController is the call control part of the core: commands on legs and
// on a call's ownership. ServeCommands serves the control verbs
// (events.VerbLegsHold ... VerbCallsRelease) only when its core also
// implements LegController.
//
// controller names the sender's controller; empty means "not a
// controller", which the core allows on unclaimed calls only. Like those of
// CallController, the methods return nil, an *events.Error (ErrUnknownCall,
// ErrUnknownLeg, ErrConflict, ErrBadRequest...) replied as is, or another
// error replied as ErrInternal; they are called concurrently and should
// return within their ctx.
type LegController interface {
	// HoldLeg re-INVITEs the leg's party on hold (hold) or off hold.
	HoldLeg(ctx context.Context, legID, controller string, hold bool) error
	// SendDTMF sends digits to the leg's party by method "info" (default)
	// or "rfc4733", each lasting durationMS (0: the core's default).
	SendDTMF(ctx context.Context, legID, controller, digits, method string, durationMS int) error
	// SendRequest sends an in-dialog request on the leg and returns the
	// party's final response.
	SendRequest(ctx context.Context, legID, controller, method string, headers []events.HeaderV1, contentType string, body []byte) (code int, reason string, err error)
	// HangupLeg ends one leg.
	HangupLeg(ctx context.Context, legID, controller string, cause int, reason string) error
	// ClaimCall claims the call for controller, or renews its claim, for
	// ttl; ErrConflict when another controller holds it.
	ClaimCall(ctx context.Context, callID, controller string, ttl time.Duration) (expires time.Time, err error)
	// ReleaseCall gives up controller's claim on the call.
	ReleaseCall(ctx context.Context, callID, controller string) error
}

var controlVerbs = []string{
	events.VerbLegsHold, events.VerbLegsResume, events.VerbLegsDTMF, events.VerbLegsRequest,
	events.VerbLegsHangup, events.VerbCallsClaim, events.VerbCallsRelease,
}

// Bounds of the control requests, checked before the core is called.
const (
	maxDTMFDigits     = 64
	maxDTMFDurationMS = 10000
	maxClaimTTL       = time.Hour
	maxRequestBody    = 64 << 10
	maxHeaders        = 64
)

// forbiddenMethods are not for legs.request: they make, change or end a
// dialog, which the other commands do.
var forbiddenMethods = map[string]bool{
	"INVITE": true, "ACK": true, "BYE": true, "CANCEL": true, "PRACK": true, "UPDATE": true, "REGISTER": true,
}

// forbiddenHeaders are set by the dialog itself and cannot be given to
// legs.request or legs.originate.
var forbiddenHeaders = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true, "call-id": true, "i": true,
	"cseq": true, "contact": true, "m": true, "route": true, "record-route": true, "max-forwards": true,
	"content-length": true, "l": true, "content-type": true, "c": true,
}

// decodeControl parses the request of a control verb; ok is false for a
// verb that is not one. It returns what decode returns.
func (s *commandServer) decodeControl(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	lc, _ := s.core.(LegController)
	badf := badRequest(verb)
	done := verbDone(verb) // the core's error becomes the verb's error reply
	switch verb {
	case events.VerbLegsHold, events.VerbLegsResume:
		var req events.LegsHoldRequestV1 // LegsResumeRequestV1 has the same fields
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.LegID == "" {
			return req.RequestID, "", nil, badf("leg_id missing"), true
		}
		hold := verb == events.VerbLegsHold
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			r := events.Reply{RequestID: req.RequestID}
			var rep any = events.LegsResumeReplyV1{Reply: r}
			if hold {
				rep = events.LegsHoldReplyV1{Reply: r}
			}
			return done(req.RequestID, lc.HoldLeg(ctx, req.LegID, req.Controller, hold), rep)
		}, nil, true

	case events.VerbLegsDTMF:
		var req events.LegsDTMFRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.LegID == "":
			return req.RequestID, "", nil, badf("leg_id missing"), true
		case req.Digits == "":
			return req.RequestID, "", nil, badf("digits missing"), true
		case len(req.Digits) > maxDTMFDigits:
			return req.RequestID, "", nil, badf("more than %d digits", maxDTMFDigits), true
		case strings.Trim(strings.ToUpper(req.Digits), "0123456789*#ABCD") != "":
			return req.RequestID, "", nil, badf("digits %q: only 0-9, *, #, A-D", req.Digits), true
		case req.Method != "" && req.Method != events.DTMFInfo && req.Method != events.DTMFRFC4733:
			return req.RequestID, "", nil, badf("method %q: want %q or %q", req.Method, events.DTMFInfo, events.DTMFRFC4733), true
		case req.DurationMS < 0 || req.DurationMS > maxDTMFDurationMS:
			return req.RequestID, "", nil, badf("duration_ms %d not in 0-%d", req.DurationMS, maxDTMFDurationMS), true
		}
		method := req.Method
		if method == "" {
			method = events.DTMFInfo
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := lc.SendDTMF(ctx, req.LegID, req.Controller, req.Digits, method, req.DurationMS)
			return done(req.RequestID, err, events.LegsDTMFReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbLegsRequest:
		var req events.LegsRequestRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkLegRequest(&req); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			var body []byte
			if req.Body != "" {
				body = []byte(req.Body)
			}
			code, reason, err := lc.SendRequest(ctx, req.LegID, req.Controller, req.Method, req.Headers, req.ContentType, body)
			return done(req.RequestID, err, events.LegsRequestReplyV1{Reply: events.Reply{RequestID: req.RequestID}, Code: code, Reason: reason})
		}, nil, true

	case events.VerbLegsHangup:
		var req events.LegsHangupRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.LegID == "" {
			return req.RequestID, "", nil, badf("leg_id missing"), true
		}
		if req.Cause != 0 && (req.Cause < 300 || req.Cause > 699) {
			return req.RequestID, "", nil, badf("cause %d not in 300-699", req.Cause), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := lc.HangupLeg(ctx, req.LegID, req.Controller, req.Cause, req.Reason)
			return done(req.RequestID, err, events.LegsHangupReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbCallsClaim:
		var req events.CallsClaimRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.CallID == "":
			return req.RequestID, "", nil, badf("call_id missing"), true
		case req.Controller == "":
			return req.RequestID, req.CallID, nil, badf("controller missing"), true
		case req.TTLMS < 0 || time.Duration(req.TTLMS)*time.Millisecond > maxClaimTTL:
			return req.RequestID, req.CallID, nil, badf("ttl_ms %d not in 0-%d", req.TTLMS, maxClaimTTL.Milliseconds()), true
		}
		ttl := time.Duration(req.TTLMS) * time.Millisecond
		if ttl == 0 {
			ttl = events.DefaultClaimTTL
		}
		return req.RequestID, req.CallID, func(ctx context.Context) (any, *events.Error) {
			expires, err := lc.ClaimCall(ctx, req.CallID, req.Controller, ttl)
			return done(req.RequestID, err, events.CallsClaimReplyV1{
				Reply: events.Reply{RequestID: req.RequestID}, Controller: req.Controller, ExpiresAt: expires.UTC(),
			})
		}, nil, true

	case events.VerbCallsRelease:
		var req events.CallsReleaseRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.CallID == "":
			return req.RequestID, "", nil, badf("call_id missing"), true
		case req.Controller == "":
			return req.RequestID, req.CallID, nil, badf("controller missing"), true
		}
		return req.RequestID, req.CallID, func(ctx context.Context) (any, *events.Error) {
			err := lc.ReleaseCall(ctx, req.CallID, req.Controller)
			return done(req.RequestID, err, events.CallsReleaseReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true
	}
	return "", "", nil, nil, false
}

// checkLegRequest validates a legs.request; it returns what is wrong, or "".
func checkLegRequest(req *events.LegsRequestRequestV1) string {
	switch {
	case req.LegID == "":
		return "leg_id missing"
	case req.Method == "":
		return "method missing"
	case !isToken(req.Method) || strings.ToUpper(req.Method) != req.Method:
		return "method " + quote(req.Method) + " is not an upper-case SIP method"
	case forbiddenMethods[req.Method]:
		return "method " + req.Method + " is not allowed in legs.request"
	case len(req.Body) > maxRequestBody:
		return "body larger than 64 KiB"
	case req.Body != "" && req.ContentType == "":
		return "content_type missing with body"
	case strings.ContainsAny(req.ContentType, "\r\n"):
		return "content_type contains a line break"
	}
	return checkHeaders(req.Headers)
}

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-.!%*_+`'~", r):
		default:
			return false
		}
	}
	return true
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// controlErrorReply is a control verb's reply type carrying r; nil for
// another verb.
func controlErrorReply(verb string, r events.Reply) any {
	switch verb {
	case events.VerbLegsHold:
		return events.LegsHoldReplyV1{Reply: r}
	case events.VerbLegsResume:
		return events.LegsResumeReplyV1{Reply: r}
	case events.VerbLegsDTMF:
		return events.LegsDTMFReplyV1{Reply: r}
	case events.VerbLegsRequest:
		return events.LegsRequestReplyV1{Reply: r}
	case events.VerbLegsHangup:
		return events.LegsHangupReplyV1{Reply: r}
	case events.VerbCallsClaim:
		return events.CallsClaimReplyV1{Reply: r}
	case events.VerbCallsRelease:
		return events.CallsReleaseReplyV1{Reply: r}
	}
	return nil
}
