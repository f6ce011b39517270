package conference

import (
	"context"
	"sort"

	"github.com/tandem-sip/tandem/events"
)

// list answers conference.list.
func (a *app) list(_ context.Context, req ListRequestV1) (ListReplyV1, error) {
	a.lock()
	defer a.unlock()
	var rs []*room
	if req.Room != "" {
		r, err := a.findRoom(req.Room)
		if err != nil {
			return ListReplyV1{}, err
		}
		rs = []*room{r}
	} else {
		for _, r := range a.rooms {
			rs = append(rs, r)
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].id() < rs[j].id() })
	}
	rep := ListReplyV1{Rooms: make([]RoomV1, 0, len(rs))}
	for _, r := range rs {
		rv := RoomV1{
			Room: r.id(), URI: r.uri, Kind: r.kind(), State: r.state.String(), Node: r.node,
			PIN: r.spec.needsPIN(), MaxParticipants: r.spec.max, Recording: r.record,
			Participants: []ParticipantV1{},
		}
		if r.adhoc {
			exp := r.expires.UTC()
			rv.ExpiresAt = &exp
		}
		for _, p := range r.sortedParts() {
			rv.Participants = append(rv.Participants, p.info())
		}
		rep.Rooms = append(rep.Rooms, rv)
	}
	return rep, nil
}

// setMixing changes how a participant is mixed (nil: unchanged). A
// participant in the lobby keeps the change for when its PIN lets it in;
// one not yet in the mixer refuses (ErrConflict). It waits for the core,
// without the lock.
func (a *app) setMixing(ctx context.Context, p *participant, muted, deaf *bool) error {
	a.lock()
	switch p.state {
	case partLobby:
		if muted != nil {
			p.muted = *muted
		}
		if deaf != nil {
			p.deaf = *deaf
		}
		a.emitUpdated(p)
		a.unlock()
		return nil
	case partJoined:
	default:
		st := p.state
		a.unlock()
		return events.NewError(events.ErrConflict, "conference: leg %s is %s, not in the conference yet", p.leg, st)
	}
	node, leg := p.node, p.leg
	a.unlock()

	ctx, cancel := withTimeout(ctx)
	defer cancel()
	if err := a.core.Set(ctx, node, leg, muted, deaf); err != nil {
		return err
	}
	a.lock()
	defer a.unlock()
	if p.state != partJoined {
		return nil
	}
	changed := false
	if muted != nil && p.muted != *muted {
		p.muted, changed = *muted, true
	}
	if deaf != nil && p.deaf != *deaf {
		p.deaf, changed = *deaf, true
	}
	if changed {
		a.log.Info("conference: participant changed", "room", p.room.id(), "leg_id", leg, "muted", p.muted, "deaf", p.deaf)
		a.emitUpdated(p)
		a.notifyUser(p.room, p)
	}
	return nil
}

// participantCommand runs a moderation verb on a participant.
func (a *app) participantCommand(verb string) func(context.Context, ParticipantRequestV1) (ParticipantReplyV1, error) {
	return func(ctx context.Context, req ParticipantRequestV1) (ParticipantReplyV1, error) {
		if req.LegID == "" {
			return ParticipantReplyV1{}, events.NewError(events.ErrBadRequest, "conference: leg_id missing")
		}
		a.lock()
		p := a.legs[req.LegID]
		a.unlock()
		if p == nil {
			return ParticipantReplyV1{}, errUnknownParticipant(req.LegID)
		}
		yes, no := true, false
		var err error
		switch verb {
		case VerbMute:
			err = a.setMixing(ctx, p, &yes, nil)
		case VerbUnmute:
			err = a.setMixing(ctx, p, &no, nil)
		case VerbDeaf:
			err = a.setMixing(ctx, p, nil, &yes)
		case VerbUndeaf:
			err = a.setMixing(ctx, p, nil, &no)
		case VerbKick:
			err = a.kick(ctx, p)
		}
		return ParticipantReplyV1{}, err
	}
}

// kick hangs a participant up and waits for the core to have done it.
func (a *app) kick(ctx context.Context, p *participant) error {
	a.lock()
	if p.state == partLeft {
		a.unlock()
		return errUnknownParticipant(p.leg)
	}
	p.hungUp, p.leaving = true, LeftKicked
	node, leg := p.node, p.leg
	a.unlock()
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	err := a.core.Hangup(ctx, node, leg, "conference: kicked")
	if err != nil {
		a.lock()
		p.hungUp, p.leaving = false, ""
		a.unlock()
	}
	return err
}

// roomCommand runs conference.lock, conference.unlock or conference.end.
func (a *app) roomCommand(verb string) func(context.Context, RoomRequestV1) (RoomReplyV1, error) {
	return func(ctx context.Context, req RoomRequestV1) (RoomReplyV1, error) {
		a.lock()
		r, err := a.findRoom(req.Room)
		if err != nil {
			a.unlock()
			return RoomReplyV1{}, err
		}
		switch verb {
		case VerbLock:
			err = a.changeLock(r, opLock, "command")
		case VerbUnlock:
			err = a.changeLock(r, opUnlock, "command")
		}
		a.unlock()
		if verb == VerbEnd {
			err = a.endRoom(ctx, r, EndCommand)
		}
		return RoomReplyV1{}, err
	}
}

// changeLock locks or unlocks r (mu held); by is who did.
func (a *app) changeLock(r *room, op roomOp, by string) error {
	next, changed, err := nextRoomState(r.state, op)
	if err != nil {
		return err
	}
	r.state = next
	if changed {
		a.log.Info("conference: room lock changed", "room", r.id(), "state", next, "by", by)
		a.emit(r, TypeRoomLockedV1, "", &RoomLockedV1{Room: r.id(), Locked: next == roomLocked, By: by})
		a.notifyRoom(r)
	}
	return nil
}

// endRoom ends r: its participants are hung up, its subscribers get a
// terminal NOTIFY, its mixer room is destroyed, and an ad-hoc room is
// forgotten (its URI gets 404). A static room is open again afterwards,
// for a new session.
func (a *app) endRoom(ctx context.Context, r *room, why string) error {
	a.lock()
	next, _, err := nextRoomState(r.state, opEnd)
	if err != nil {
		a.unlock()
		return err
	}
	r.state = next
	if r.lease != nil {
		r.lease.Stop()
	}
	for _, p := range r.sortedParts() {
		a.hangup(p, LeftRoomEnded)
	}
	for _, s := range r.subs {
		a.terminate(s)
	}
	if r.adhoc {
		delete(a.rooms, r.id())
		a.adhocs--
	}
	a.unlock()

	r.mixerMu.Lock()
	defer r.mixerMu.Unlock()
	a.lock()
	had, node := r.mixer, r.node
	a.unlock()
	if had {
		ctx, cancel := withTimeout(ctx)
		err := a.core.DestroyRoom(ctx, node, r.id())
		cancel()
		if err != nil {
			a.log.Warn("conference: destroying the mixer room failed", "room", r.id(), "err", err)
		}
	}
	a.lock()
	defer a.unlock()
	r.mixer, r.record = false, ""
	a.log.Info("conference: room ended", "room", r.id(), "why", why)
	a.emit(r, TypeRoomEndedV1, "", &RoomEndedV1{Room: r.id(), Reason: why})
	if !r.adhoc {
		r.state = roomOpen
		if len(r.parts) == 0 {
			r.node = ""
		}
	}
	return nil
}
