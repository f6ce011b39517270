package b2bua

import (
	"context"
	"errors"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// cannotTakeRefer reports a final response by which a phone says it cannot
// take a REFER at all, rather than refusing this one (a user's decline, an
// authentication challenge, a busy phone): 405 Method Not Allowed, 420 Bad
// Extension, 489 Bad Event (no refer event package) and 501 Not
// Implemented. baresip 1.0.0 answers an out-of-dialog REFER with 501.
func cannotTakeRefer(code int) bool {
	switch code {
	case 405, 420, 489, 501:
		return true
	}
	return false
}

// answerModeAuto is the header that asks the phone of a click-to-dial
// fallback to answer by itself (RFC 5373): its user asked for the call.
var answerModeAuto = events.HeaderV1{Name: "Answer-Mode", Value: "Auto"}

// originateForRefer places the call a click-to-dial REFER asked for, after
// the phone refused it with cannotTakeRefer: third-party call control by
// flow IV (RFC 3725, see OriginateCall), with A the very contact the REFER
// went to, called with Answer-Mode: Auto and the phone's AOR or GRUU
// (phone) in To, and B the target, called without it. The call is claimed
// by controller when one is named. It returns once A's INVITE is sent.
func (c *Core) originateForRefer(ctx context.Context, controller string, phone, contact, target, from sipx.Uri) (callID, aLegID string, err error) {
	return c.originateCall(ctx, thirdParty{
		controller: controller, a: contact, aTo: &phone, b: target, flow: events.Flow4,
		base:     origination{from: from, ring: c.cfg.NoAnswerTimeout},
		aHeaders: []events.HeaderV1{answerModeAuto},
	})
}

// fallbackError is the error of a click-to-dial whose REFER was refused
// (refused) and whose fallback call failed too (err): err's code, both
// messages.
func fallbackError(refused *events.Error, err error) error {
	var e *events.Error
	if !errors.As(err, &e) {
		return events.NewError(events.ErrInternal, "%s; calling it instead failed: %v", refused.Message, err)
	}
	return events.NewError(e.Code, "%s; calling it instead failed: %s", refused.Message, e.Message)
}
