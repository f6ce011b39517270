package natsapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tandem-sip/tandem/events"
)

// CallOriginator is the third-party call control part of the core (RFC
// 3725): calls.originate calls two parties and connects them. ServeCommands
// serves events.VerbCallsOriginate only when its core implements it.
//
// The request is validated first: a and b are sip: or sips: URIs with a
// host, from too when set, flow is 0, 1 or 4, timeout_ms and headers are
// bounded as for legs.originate.
type CallOriginator interface {
	// OriginateCall returns once A's INVITE is sent: the call and A's leg.
	OriginateCall(ctx context.Context, req events.CallsOriginateRequestV1) (callID, aLegID string, err error)
}

var thirdPartyVerbs = []string{events.VerbCallsOriginate}

// PhoneReferrer is the click-to-dial part of the core: phones.refer asks a
// registered phone to place a call by an out-of-dialog REFER. ServeCommands
// serves events.VerbPhonesRefer only when its core implements it; phone
// and target are sip: or sips: URIs with a host, from too when set, and
// fallback is "" or "originate".
type PhoneReferrer interface {
	// ReferPhone returns once the phone accepted the REFER (mode "refer":
	// its id, which the transfer events of its NOTIFYs carry as leg_id), or
	// once the fallback call's first INVITE is sent (mode "originate": the
	// call, its leg to the phone, and the code the REFER was refused
	// with). The reply's request id is filled in by the caller.
	ReferPhone(ctx context.Context, req events.PhonesReferRequestV1) (events.PhonesReferReplyV1, error)
}

var phoneVerbs = []string{events.VerbPhonesRefer}

// decodeThirdParty parses a calls.originate; ok is false for another verb.
func (s *commandServer) decodeThirdParty(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	badf, done := badRequest(verb), verbDone(verb)
	if verb == events.VerbPhonesRefer {
		pr, _ := s.core.(PhoneReferrer)
		var req events.PhonesReferRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		for _, u := range []struct{ name, v string }{{"phone", req.Phone}, {"target", req.Target}} {
			if e := checkSIPURI(u.v); e != "" {
				return req.RequestID, "", nil, badf("%s %s: %s", u.name, quote(u.v), e), true
			}
		}
		if req.From != "" {
			if e := checkSIPURI(req.From); e != "" {
				return req.RequestID, "", nil, badf("from %s: %s", quote(req.From), e), true
			}
		}
		if req.Fallback != events.ReferFallbackNone && req.Fallback != events.ReferFallbackOriginate {
			return req.RequestID, "", nil, badf("fallback %s: want %q or none", quote(req.Fallback), events.ReferFallbackOriginate), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			rep, err := pr.ReferPhone(ctx, req)
			rep.Reply = events.Reply{RequestID: req.RequestID}
			return done(req.RequestID, err, rep)
		}, nil, true
	}
	if verb != events.VerbCallsOriginate {
		return "", "", nil, nil, false
	}
	co, _ := s.core.(CallOriginator)
	var req events.CallsOriginateRequestV1
	if err := json.Unmarshal(data, &req); err != nil {
		return "", "", nil, badf("%v", err), true
	}
	if e := checkOriginateCall(&req); e != "" {
		return req.RequestID, "", nil, badf("%s", e), true
	}
	return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
		id, aLeg, err := co.OriginateCall(ctx, req)
		return done(req.RequestID, err, events.CallsOriginateReplyV1{Reply: events.Reply{RequestID: req.RequestID}, CallID: id, ALegID: aLeg})
	}, nil, true
}

// checkOriginateCall validates a calls.originate; it returns what is
// wrong, or "".
func checkOriginateCall(req *events.CallsOriginateRequestV1) string {
	for _, u := range []struct{ name, v string }{{"a", req.A}, {"b", req.B}} {
		if e := checkSIPURI(u.v); e != "" {
			return u.name + " " + quote(u.v) + ": " + e
		}
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
	case req.Flow != 0 && req.Flow != events.Flow1 && req.Flow != events.Flow4:
		return fmt.Sprintf("flow %d: want 1 or 4", req.Flow)
	}
	return checkHeaders(req.Headers)
}

// thirdPartyErrorReply is calls.originate's reply type carrying r; nil for
// another verb.
func thirdPartyErrorReply(verb string, r events.Reply) any {
	switch verb {
	case events.VerbCallsOriginate:
		return events.CallsOriginateReplyV1{Reply: r}
	case events.VerbPhonesRefer:
		return events.PhonesReferReplyV1{Reply: r}
	}
	return nil
}
