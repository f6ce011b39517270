package conference

import (
	"context"
	"strings"

	"github.com/tandem-sip/tandem/events"
)

// dial answers conference.dial: the core calls the target without an
// offer; when the leg answers it joins the room (re-INVITEd with Tandem's
// media). A room that is locked still lets its moderators' dial-outs in;
// a full one refuses (ErrConflict).
func (a *app) dial(ctx context.Context, req DialRequestV1) (DialReplyV1, error) {
	if lt := strings.ToLower(req.Target); !strings.HasPrefix(lt, "sip:") && !strings.HasPrefix(lt, "sips:") {
		return DialReplyV1{}, events.NewError(events.ErrBadRequest, "conference: target %q is not a SIP or SIPS URI", req.Target)
	}
	if req.TimeoutMS < 0 {
		return DialReplyV1{}, events.NewError(events.ErrBadRequest, "conference: timeout_ms %d is negative", req.TimeoutMS)
	}
	a.lock()
	r, err := a.findRoom(req.Room)
	if err == nil && r.state == roomEnded {
		err = events.NewError(events.ErrConflict, "conference: room %s has ended", r.id())
	}
	if err == nil && r.spec.max > 0 && r.occupied() >= r.spec.max {
		err = events.NewError(events.ErrConflict, "conference: room %s is full", r.id())
	}
	if err != nil {
		a.unlock()
		return DialReplyV1{}, err
	}
	node := r.node
	if node == "" {
		node = a.node
	}
	from := req.From
	if from == "" {
		from = r.uri
	}
	a.unlock()

	if err := a.ensureMixer(ctx, r, node); err != nil {
		return DialReplyV1{}, err
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	callID, legID, err := a.core.Originate(ctx, node, events.LegsOriginateRequestV1{Target: req.Target, From: from, TimeoutMS: req.TimeoutMS})
	if err != nil {
		return DialReplyV1{}, err
	}
	a.lock()
	p := &participant{
		leg: legID, call: callID, node: node, room: r, state: partDialing, via: viaDialOut,
		entity: plainURI(req.Target), muted: req.Muted, deaf: req.Deaf, shown: true,
	}
	a.addParticipant(p)
	a.notifyUser(r, p)
	if r.state == roomEnded {
		a.hangup(p, LeftRoomEnded)
	}
	a.unlock()
	a.log.Info("conference: dialing out", "room", r.id(), "target", req.Target, "leg_id", legID)

	// It may have answered before it was recorded: ask.
	if info, err := a.core.GetCall(ctx, node, callID); err == nil {
		for _, l := range info.Legs {
			if l.LegID == legID && l.State == "confirmed" {
				a.lock()
				a.answered(p)
				a.unlock()
			}
		}
	}
	return DialReplyV1{CallID: callID, LegID: legID}, nil
}

// onAnswered: a dial-out leg answered: join it.
func (a *app) onAnswered(ev *events.LegAnsweredV1) {
	a.lock()
	defer a.unlock()
	if p := a.legs[ev.LegID]; p != nil {
		a.answered(p)
	}
}

// answered moves a dialing participant to joining, once (mu held).
func (a *app) answered(p *participant) {
	if next, ok := nextPartState(p.state, evAnswered); ok {
		p.state = next
		a.goLater(func(ctx context.Context) { _ = a.join(ctx, p) })
	}
}

// merge answers conference.merge: the call's two bridged legs move into a
// new ad-hoc room, one after the other (the core re-INVITEs each with
// Tandem's media); the reply comes once both are in.
func (a *app) merge(ctx context.Context, req MergeRequestV1) (MergeReplyV1, error) {
	if req.CallID == "" {
		return MergeReplyV1{}, events.NewError(events.ErrBadRequest, "conference: call_id missing")
	}
	gctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	info, err := a.core.GetCall(gctx, a.node, req.CallID)
	cancel()
	if err != nil {
		return MergeReplyV1{}, err
	}
	var legs []events.LegInfoV1
	for _, l := range info.Legs {
		if l.State == "confirmed" && l.PeerLegID != "" {
			legs = append(legs, l)
		}
	}
	if len(legs) != 2 || legs[0].PeerLegID != legs[1].LegID {
		return MergeReplyV1{}, events.NewError(events.ErrConflict, "conference: call %s has no two answered legs bridged together", req.CallID)
	}
	r, _, err := a.newAdhoc(ctx, CreateRequestV1{Domain: req.Domain, TTLMS: req.TTLMS, Node: info.Node})
	if err != nil {
		return MergeReplyV1{}, err
	}
	rep := MergeReplyV1{Room: r.id(), URI: r.uri}
	for _, l := range legs {
		a.lock()
		if a.legs[l.LegID] != nil {
			a.unlock()
			return rep, events.NewError(events.ErrConflict, "conference: leg %s is in a conference already", l.LegID)
		}
		p := &participant{
			leg: l.LegID, call: info.CallID, node: info.Node, room: r, state: partJoining, via: viaMerge,
			entity: plainURI(l.RemoteURI),
		}
		a.addParticipant(p)
		a.unlock()
		if err := a.join(ctx, p); err != nil {
			if eerr := a.endRoom(ctx, r, EndMergeFailed); eerr != nil {
				a.log.Debug("conference: ending a failed merge's room", "room", r.id(), "err", eerr)
			}
			return rep, err
		}
		rep.LegIDs = append(rep.LegIDs, l.LegID)
	}
	a.lock()
	rep.ExpiresAt = r.expires.UTC()
	a.unlock()
	return rep, nil
}
