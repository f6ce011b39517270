package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// The core's call flow commands: make legs, settle a leg that waits for a
// controller (a call parked by its route decision), join and separate legs.
var (
	LegsOriginate = Command[events.LegsOriginateRequestV1, events.LegsOriginateReplyV1]{
		Verb:      events.VerbLegsOriginate,
		RequestID: func(r *events.LegsOriginateRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsOriginateReplyV1) *events.Reply { return &r.Reply },
	}
	LegsAnswer = Command[events.LegsAnswerRequestV1, events.LegsAnswerReplyV1]{
		Verb:      events.VerbLegsAnswer,
		RequestID: func(r *events.LegsAnswerRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsAnswerReplyV1) *events.Reply { return &r.Reply },
	}
	LegsReject = Command[events.LegsRejectRequestV1, events.LegsRejectReplyV1]{
		Verb:      events.VerbLegsReject,
		RequestID: func(r *events.LegsRejectRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsRejectReplyV1) *events.Reply { return &r.Reply },
	}
	LegsRedirect = Command[events.LegsRedirectRequestV1, events.LegsRedirectReplyV1]{
		Verb:      events.VerbLegsRedirect,
		RequestID: func(r *events.LegsRedirectRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsRedirectReplyV1) *events.Reply { return &r.Reply },
	}
	LegsBridge = Command[events.LegsBridgeRequestV1, events.LegsBridgeReplyV1]{
		Verb:      events.VerbLegsBridge,
		RequestID: func(r *events.LegsBridgeRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsBridgeReplyV1) *events.Reply { return &r.Reply },
	}
	LegsUnbridge = Command[events.LegsUnbridgeRequestV1, events.LegsUnbridgeReplyV1]{
		Verb:      events.VerbLegsUnbridge,
		RequestID: func(r *events.LegsUnbridgeRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsUnbridgeReplyV1) *events.Reply { return &r.Reply },
	}
)

// Originate has the core send an INVITE to req.Target for a new leg and
// returns the leg and its call as soon as the INVITE is sent; the leg's
// ringing, answered and ended events tell the rest. An empty
// req.Controller is filled with Client.Controller (and an empty RequestID
// with a fresh one). See events.LegsOriginateRequestV1 for BridgeTo (bridge
// the new leg to another when it answers), CallID, SDP and the rest.
func (c *Client) Originate(ctx context.Context, req events.LegsOriginateRequestV1) (callID, legID string, err error) {
	if req.Controller == "" {
		req.Controller = c.Controller()
	}
	rep, err := Do(ctx, c, LegsOriginate, req)
	if err != nil {
		return "", "", err
	}
	return rep.CallID, rep.LegID, nil
}

// AnswerLeg answers a waiting leg with 200: with sdp as the answer, or,
// when sdp is empty, with the offer's media inactive (the leg is then up
// and alone until BridgeLegs). A leg that is not waiting is refused with
// events.ErrConflict.
func (c *Client) AnswerLeg(ctx context.Context, legID string, sdp []byte) error {
	_, err := Do(ctx, c, LegsAnswer, events.LegsAnswerRequestV1{
		Controller: c.Controller(), LegID: legID, SDP: string(sdp),
	})
	return err
}

// RejectLeg refuses a waiting leg with a final response: code 400-699 (0
// for the core's default, 486) and an optional reason phrase.
func (c *Client) RejectLeg(ctx context.Context, legID string, code int, reason string) error {
	_, err := Do(ctx, c, LegsReject, events.LegsRejectRequestV1{
		Controller: c.Controller(), LegID: legID, Code: code, Reason: reason,
	})
	return err
}

// RedirectLeg answers a waiting leg with a 3xx (code 300-399, 0 for the
// core's default, 302) listing targets (SIP or SIPS URIs) as Contacts.
func (c *Client) RedirectLeg(ctx context.Context, legID string, code int, targets ...string) error {
	_, err := Do(ctx, c, LegsRedirect, events.LegsRedirectRequestV1{
		Controller: c.Controller(), LegID: legID, Code: code, Targets: targets,
	})
	return err
}

// BridgeLegs bridges two confirmed legs so their parties talk (RFC 3725
// re-INVITEs) and returns, once both re-INVITEs are answered, the call that
// now holds both legs (legID's). Their former peers stay up, alone.
func (c *Client) BridgeLegs(ctx context.Context, legID, otherLegID string) (callID string, err error) {
	rep, err := Do(ctx, c, LegsBridge, events.LegsBridgeRequestV1{
		Controller: c.Controller(), LegID: legID, OtherLegID: otherLegID,
	})
	if err != nil {
		return "", err
	}
	return rep.CallID, nil
}

// UnbridgeLeg separates a leg from its peer: both are re-INVITEd with their
// media inactive and stay up, alone.
func (c *Client) UnbridgeLeg(ctx context.Context, legID string) error {
	_, err := Do(ctx, c, LegsUnbridge, events.LegsUnbridgeRequestV1{Controller: c.Controller(), LegID: legID})
	return err
}
