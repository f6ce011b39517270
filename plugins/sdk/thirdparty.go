package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// CallsOriginate is third-party call control (RFC 3725): the core calls two
// parties and connects them.
var CallsOriginate = Command[events.CallsOriginateRequestV1, events.CallsOriginateReplyV1]{
	Verb:      events.VerbCallsOriginate,
	RequestID: func(r *events.CallsOriginateRequestV1) *string { return &r.RequestID },
	Reply:     func(r *events.CallsOriginateReplyV1) *events.Reply { return &r.Reply },
}

// OriginateCall calls a, then b, and connects them (flow events.Flow4 when
// req.Flow is 0); the call is claimed by the client's controller. It
// returns once a's INVITE is sent: the call and a's leg. If b fails, a is
// hung up.
func (c *Client) OriginateCall(ctx context.Context, req events.CallsOriginateRequestV1) (callID, aLegID string, err error) {
	if req.Controller == "" {
		req.Controller = c.Controller()
	}
	rep, err := Do(ctx, c, CallsOriginate, req)
	if err != nil {
		return "", "", err
	}
	return rep.CallID, rep.ALegID, nil
}

// PhonesRefer is click-to-dial: the core asks a registered phone, by a
// REFER outside any dialog, to place a call.
var PhonesRefer = Command[events.PhonesReferRequestV1, events.PhonesReferReplyV1]{
	Verb:      events.VerbPhonesRefer,
	RequestID: func(r *events.PhonesReferRequestV1) *string { return &r.RequestID },
	Reply:     func(r *events.PhonesReferReplyV1) *events.Reply { return &r.Reply },
}

// ReferPhone asks phone (a registered AOR or a GRUU) to call target and
// returns the refer id once the phone accepted; the phone's NOTIFYs follow
// as transfer events of no call whose leg_id is that id. ReferPhoneWith
// takes the request's options.
func (c *Client) ReferPhone(ctx context.Context, phone, target string) (string, error) {
	rep, err := c.ReferPhoneWith(ctx, events.PhonesReferRequestV1{Phone: phone, Target: target})
	if err != nil {
		return "", err
	}
	return rep.ReferID, nil
}

// ReferPhoneWith is ReferPhone with every option of the request:
// NoSubscription (Refer-Sub: false, RFC 4488) and Fallback
// (events.ReferFallbackOriginate: a phone that cannot take a REFER is
// called instead, with Answer-Mode: Auto). The reply's Mode says which way
// it went: events.ReferModeRefer with ReferID, or
// events.ReferModeOriginate with CallID, ALegID and ReferRefused. The
// request is claimed by the client's controller unless it names one.
func (c *Client) ReferPhoneWith(ctx context.Context, req events.PhonesReferRequestV1) (events.PhonesReferReplyV1, error) {
	if req.Controller == "" {
		req.Controller = c.Controller()
	}
	return Do(ctx, c, PhonesRefer, req)
}
