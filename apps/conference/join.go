package conference

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// join puts p's leg in its room's mixer: muted and deaf in the lobby when
// the room asks for a PIN, else as p says. A leg that is parked is answered
// with Tandem's media, an answered one re-INVITEd. On failure p is hung
// up. It runs in an owned goroutine, without the lock.
func (a *app) join(ctx context.Context, p *participant) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	a.lock()
	r, node, leg, call := p.room, p.node, p.leg, p.call
	muted, deaf := p.muted || p.lobby, p.deaf || p.lobby
	a.unlock()

	err := a.ensureMixer(ctx, r, node)
	if err == nil {
		err = a.core.Join(ctx, node, leg, r.id(), muted, deaf)
	}
	if err != nil {
		a.log.Warn("conference: join failed", "room", r.id(), "leg_id", leg, "err", err)
		a.lock()
		a.hangup(p, LeftFailed)
		a.unlock()
		return fmt.Errorf("conference: join %s to %s: %w", leg, r.id(), err)
	}
	// The party's Contact is the endpoint RFC 4575 names (best effort).
	contact := ""
	if info, err := a.core.GetCall(ctx, node, call); err == nil {
		for _, l := range info.Legs {
			if l.LegID == leg {
				contact = l.Contact
			}
		}
	}

	a.lock()
	defer a.unlock()
	ev := evInRoom
	if p.lobby {
		ev = evInLobby
	}
	next, ok := nextPartState(p.state, ev)
	if !ok {
		return nil // it left meanwhile
	}
	p.state = next
	if contact != "" {
		p.endpoint = plainURI(contact)
	}
	a.log.Info("conference: participant joined", "room", r.id(), "leg_id", leg, "state", p.state, "via", p.via)
	a.emit(r, TypeParticipantJoinedV1, leg, &ParticipantJoinedV1{
		Room: r.id(), CallID: p.call, Entity: p.entity, State: p.state.String(), Role: p.role(), Via: p.via.String(),
		Muted: p.muted, Deaf: p.deaf,
	})
	a.notifyUser(r, p)
	if p.state == partLobby {
		if d := a.set.pinTimeout; d > 0 {
			p.timer = a.after(d, func() { a.pinTimedOut(p) })
		}
		early := p.early
		p.early = nil
		for _, d := range early {
			a.pinDigit(p, d)
		}
	}
	return nil
}

// ensureMixer makes sure r has its mixer room, on node: it is created (and
// the room bound to node) when it has none. A room whose mixer room is on
// another node refuses with ErrConflict.
func (a *app) ensureMixer(ctx context.Context, r *room, node string) error {
	r.mixerMu.Lock()
	defer r.mixerMu.Unlock()
	a.lock()
	switch {
	case r.state == roomEnded:
		a.unlock()
		return events.NewError(events.ErrConflict, "conference: room %s has ended", r.id())
	case r.mixer && r.node != node:
		a.unlock()
		return events.NewError(events.ErrConflict, "conference: room %s is on node %q, the leg on %q", r.id(), r.node, node)
	case r.mixer:
		a.unlock()
		return nil
	}
	path := ""
	if r.spec.record {
		name := strings.NewReplacer("/", "_", "\\", "_").Replace(r.id())
		path = filepath.Join(a.set.recordDir, name+"-"+a.now().UTC().Format("20060102T150405.000Z")+".wav")
	}
	a.unlock()

	if err := a.core.CreateRoom(ctx, node, r.id(), path); err != nil {
		return fmt.Errorf("conference: mixer room %s: %w", r.id(), err)
	}
	a.lock()
	defer a.unlock()
	r.mixer, r.node, r.record = true, node, path
	ev := &RoomCreatedV1{Room: r.id(), URI: r.uri, Kind: r.kind(), Recording: path}
	if r.adhoc {
		exp := r.expires.UTC()
		ev.ExpiresAt = &exp
	}
	a.emit(r, TypeRoomCreatedV1, "", ev)
	a.log.Info("conference: room created", "room", r.id(), "node", node, "kind", r.kind(), "recording", path)
	return nil
}

// hangup has the core hang p's leg up (mu held); why goes into the left
// event. A hangup that fails because the leg is gone, or otherwise, lets p
// leave at once; else its leg_ended event does.
func (a *app) hangup(p *participant, why string) {
	if p.hungUp || p.state == partLeft {
		return
	}
	p.hungUp, p.leaving = true, why
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	node, leg := p.node, p.leg
	a.goLater(func(ctx context.Context) {
		ctx, cancel := withTimeout(ctx)
		defer cancel()
		err := a.core.Hangup(ctx, node, leg, "conference: "+why)
		if err == nil {
			return
		}
		if code, ok := sdk.ErrorCode(err); !ok || code != events.ErrUnknownLeg {
			a.log.Warn("conference: hangup failed", "leg_id", leg, "why", why, "err", err)
		}
		a.lock()
		defer a.unlock()
		a.leave(p, why)
	})
}

// leave records that p has left (mu held): its leg ended, its hangup
// failed, or its call is not the app's after all. Subscribers hear of it
// if they heard of p.
func (a *app) leave(p *participant, why string) {
	next, ok := nextPartState(p.state, evLeft)
	if !ok {
		return
	}
	if p.leaving != "" {
		why = p.leaving
	}
	p.state = next
	r := p.room
	a.removeParticipant(p)
	a.log.Info("conference: participant left", "room", r.id(), "leg_id", p.leg, "why", why)
	if p.shown {
		a.emit(r, TypeParticipantLeftV1, p.leg, &ParticipantLeftV1{Room: r.id(), CallID: p.call, Reason: why})
		a.notifyUser(r, p)
	}
}

// errUnknownParticipant is the error of a command on a leg that is in
// none of the app's rooms.
func errUnknownParticipant(leg string) error {
	return events.NewError(events.ErrConflict, "conference: leg %q is in no conference", leg)
}

// errorOf is err as an *events.Error for a reply.
func errorOf(err error) *events.Error {
	var e *events.Error
	if errors.As(err, &e) {
		return e
	}
	return events.NewError(events.ErrInternal, "%v", err)
}
