package b2bua

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Claim limits: a claim is a lease the controller renews; when it lapses
// (the controller crashed or lost its connection) the call goes on
// uncontrolled.
const (
	defaultClaimTTL = 30 * time.Second
	maxClaimTTL     = 10 * time.Minute
)

// claim is the call's controller, if any (like ARI's Stasis: one
// controller at a time, everyone else observes).
type claim struct {
	controller string
	expires    time.Time
	timer      *time.Timer
}

// mayControl reports whether controller may send control commands to the
// call: anyone while it is unclaimed, only its controller once claimed.
func (cl *call) mayControl(controller string) error {
	if cl.claim.controller == "" || cl.claim.controller == controller || controller == coreController {
		return nil
	}
	return events.NewError(events.ErrConflict, "call %s is controlled by %q", cl.id, cl.claim.controller)
}

// ClaimCall makes controller the call's controller until ttl passes (0:
// 30 s; at most 10 min), or renews its claim. Another controller's live
// claim is an ErrConflict.
func (c *Core) ClaimCall(ctx context.Context, callID, controller string, ttl time.Duration) (time.Time, error) {
	if controller == "" {
		return time.Time{}, events.NewError(events.ErrBadRequest, "claim without a controller name")
	}
	if ttl <= 0 {
		ttl = defaultClaimTTL
	}
	if ttl > maxClaimTTL {
		return time.Time{}, events.NewError(events.ErrBadRequest, "ttl %v above %v", ttl, maxClaimTTL)
	}
	var expires time.Time
	err := c.withCall(ctx, callID, func(cl *call, reply func(error)) {
		if err := cl.mayControl(controller); err != nil {
			reply(err)
			return
		}
		expires = cl.setClaim(controller, ttl)
		reply(nil)
	})
	return expires, err
}

// setClaim makes controller the call's controller for ttl.
func (cl *call) setClaim(controller string, ttl time.Duration) time.Time {
	expires := time.Now().Add(ttl)
	if cl.claim.timer != nil {
		cl.claim.timer.Stop()
	}
	cl.claim = claim{controller: controller, expires: expires}
	cl.claim.timer = cl.afterFunc(ttl, func(cl *call) { cl.claimLapsed(controller, expires) })
	cl.emit(events.TypeCallClaimedV1, "", &events.CallClaimedV1{Controller: controller, ExpiresAt: expires.UTC()})
	return expires
}

// ReleaseCall gives a claim up. Releasing an unclaimed call is a no-op;
// another controller's claim is an ErrConflict.
func (c *Core) ReleaseCall(ctx context.Context, callID, controller string) error {
	return c.withCall(ctx, callID, func(cl *call, reply func(error)) {
		switch {
		case cl.claim.controller == "":
			reply(nil)
		case cl.claim.controller != controller:
			reply(events.NewError(events.ErrConflict, "call %s is controlled by %q", cl.id, cl.claim.controller))
		default:
			cl.releaseClaim(events.ReleasedByController)
			reply(nil)
		}
	})
}

// claimLapsed releases a claim that was not renewed in time.
func (cl *call) claimLapsed(controller string, expires time.Time) {
	if cl.state == stEnded || cl.claim.controller != controller || !cl.claim.expires.Equal(expires) {
		return // renewed, released or replaced meanwhile
	}
	cl.log.Info("b2bua: claim lapsed", "controller", controller)
	cl.releaseClaim(events.ReleasedExpired)
}

// releaseClaim ends the current claim, if any, and says why.
func (cl *call) releaseClaim(why string) {
	if cl.claim.controller == "" {
		return
	}
	if cl.claim.timer != nil {
		cl.claim.timer.Stop()
	}
	controller := cl.claim.controller
	cl.claim = claim{}
	cl.emit(events.TypeCallReleasedV1, "", &events.CallReleasedV1{Controller: controller, Why: why})
}
