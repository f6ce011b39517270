package sdk

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// The core's call control commands.
var (
	LegsHold = Command[events.LegsHoldRequestV1, events.LegsHoldReplyV1]{
		Verb:      events.VerbLegsHold,
		RequestID: func(r *events.LegsHoldRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsHoldReplyV1) *events.Reply { return &r.Reply },
	}
	LegsResume = Command[events.LegsResumeRequestV1, events.LegsResumeReplyV1]{
		Verb:      events.VerbLegsResume,
		RequestID: func(r *events.LegsResumeRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsResumeReplyV1) *events.Reply { return &r.Reply },
	}
	LegsDTMF = Command[events.LegsDTMFRequestV1, events.LegsDTMFReplyV1]{
		Verb:      events.VerbLegsDTMF,
		RequestID: func(r *events.LegsDTMFRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsDTMFReplyV1) *events.Reply { return &r.Reply },
	}
	LegsRequest = Command[events.LegsRequestRequestV1, events.LegsRequestReplyV1]{
		Verb:      events.VerbLegsRequest,
		RequestID: func(r *events.LegsRequestRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsRequestReplyV1) *events.Reply { return &r.Reply },
	}
	LegsHangup = Command[events.LegsHangupRequestV1, events.LegsHangupReplyV1]{
		Verb:      events.VerbLegsHangup,
		RequestID: func(r *events.LegsHangupRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.LegsHangupReplyV1) *events.Reply { return &r.Reply },
	}
	CallsClaim = Command[events.CallsClaimRequestV1, events.CallsClaimReplyV1]{
		Verb:      events.VerbCallsClaim,
		RequestID: func(r *events.CallsClaimRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.CallsClaimReplyV1) *events.Reply { return &r.Reply },
	}
	CallsRelease = Command[events.CallsReleaseRequestV1, events.CallsReleaseReplyV1]{
		Verb:      events.VerbCallsRelease,
		RequestID: func(r *events.CallsReleaseRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.CallsReleaseReplyV1) *events.Reply { return &r.Reply },
	}
)

// WithController sets the controller name the call control methods send
// (Client.Controller); by default it is the plugin's name. Instances of one
// plugin share the name, so any of them may act on a call another one
// claimed; give each its own name to keep them apart.
func WithController(name string) Option { return func(o *options) { o.controller = name } }

// Controller is the controller name the call control methods (HoldLeg,
// ClaimCall...) send: WithController's, or else the plugin's name. A call
// claimed by another controller refuses them with events.ErrConflict.
func (c *Client) Controller() string {
	if c.opts.controller != "" {
		return c.opts.controller
	}
	return c.opts.name
}

// HoldLeg puts a leg on hold: the core re-INVITEs the leg's party with a
// sendonly offer and answers once it accepted. An unknown leg is an
// *events.Error with code events.ErrUnknownLeg; a call claimed by another
// controller, events.ErrConflict.
func (c *Client) HoldLeg(ctx context.Context, legID string) error {
	_, err := Do(ctx, c, LegsHold, events.LegsHoldRequestV1{Controller: c.Controller(), LegID: legID})
	return err
}

// ResumeLeg takes a leg off hold (a sendrecv re-INVITE).
func (c *Client) ResumeLeg(ctx context.Context, legID string) error {
	_, err := Do(ctx, c, LegsResume, events.LegsResumeRequestV1{Controller: c.Controller(), LegID: legID})
	return err
}

// SendDTMF sends digits (0-9, *, #, A-D) to a leg's party by method
// events.DTMFInfo ("" is the same) or events.DTMFRFC4733, each lasting
// durationMS (0 for the core's default).
func (c *Client) SendDTMF(ctx context.Context, legID, digits, method string, durationMS int) error {
	_, err := Do(ctx, c, LegsDTMF, events.LegsDTMFRequestV1{
		Controller: c.Controller(), LegID: legID, Digits: digits, Method: method, DurationMS: durationMS,
	})
	return err
}

// SendRequest sends a request inside a leg's dialog (NOTIFY, INFO,
// OPTIONS, MESSAGE...) with extra headers and an optional body, and returns
// the party's final response: a 4xx from the party is a code, not an
// error. The dialog's own headers (Call-ID, CSeq, Contact...) cannot be
// set.
func (c *Client) SendRequest(ctx context.Context, legID, method string, headers []events.HeaderV1, contentType string, body []byte) (code int, reason string, err error) {
	rep, err := Do(ctx, c, LegsRequest, events.LegsRequestRequestV1{
		Controller: c.Controller(), LegID: legID, Method: method,
		Headers: headers, ContentType: contentType, Body: string(body),
	})
	if err != nil {
		return 0, "", err
	}
	return rep.Code, rep.Reason, nil
}

// HangupLeg ends one leg: BYE if answered, else CANCEL or a final response
// with cause (300-699, 0 for the core's default); reason goes into the
// events.
func (c *Client) HangupLeg(ctx context.Context, legID string, cause int, reason string) error {
	_, err := Do(ctx, c, LegsHangup, events.LegsHangupRequestV1{
		Controller: c.Controller(), LegID: legID, Cause: cause, Reason: reason,
	})
	return err
}

// ClaimCall makes the client the call's controller for ttl (0 for
// events.DefaultClaimTTL), or renews its claim, and returns when the claim
// lapses unless renewed again. Another controller's claim refuses it with
// events.ErrConflict. While claimed, the call obeys this controller only;
// the call outlives a claim that lapses.
func (c *Client) ClaimCall(ctx context.Context, callID string, ttl time.Duration) (time.Time, error) {
	rep, err := Do(ctx, c, CallsClaim, events.CallsClaimRequestV1{
		Controller: c.Controller(), CallID: callID, TTLMS: ttl.Milliseconds(),
	})
	if err != nil {
		return time.Time{}, err
	}
	return rep.ExpiresAt, nil
}

// ReleaseCall gives up the client's claim on a call.
func (c *Client) ReleaseCall(ctx context.Context, callID string) error {
	_, err := Do(ctx, c, CallsRelease, events.CallsReleaseRequestV1{Controller: c.Controller(), CallID: callID})
	return err
}
