package b2bua

import (
	"context"

	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// JoinMixer puts a leg in a room: the core terminates its media. A parked
// leg is answered with Tandem's media; an answered one is re-INVITEd with
// Tandem's offer (its peer stays up, alone).
func (c *Core) JoinMixer(ctx context.Context, legID, roomID, controller string, muted, deaf bool) error {
	r := c.room(roomID)
	if r == nil {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		cl.joinMixer(l, r, muted, deaf, reply)
	})
}

func (cl *call) joinMixer(l *leg, r *room, muted, deaf bool, reply func(error)) {
	c := cl.core
	if l.media != nil {
		reply(events.NewError(events.ErrConflict, "leg %s is in room %s already", l.id, l.media.room.id))
		return
	}
	parked := l == cl.a && cl.parked && l.inv != nil && !l.inv.final
	if !parked {
		if cl.waitACK(l, func() { cl.joinMixer(l, r, muted, deaf, reply) }) {
			return
		}
		if cl.offer != nil || cl.bridging != nil {
			cl.whenIdle(func() {
				if !l.live(cl) {
					reply(events.NewError(events.ErrUnknownLeg, "leg %s ended", l.id))
					return
				}
				cl.joinMixer(l, r, muted, deaf, reply)
			})
			return
		}
		if l.state != legConfirmed || cl.state != stConnected {
			reply(events.NewError(events.ErrConflict, "leg %s is neither answered nor parked", l.id))
			return
		}
	}
	m, err := c.openMedia()
	if err != nil {
		reply(events.NewError(events.ErrInternal, "rtp socket: %v", err))
		return
	}
	m.room = r
	// RFC 4579: a conference focus says so in its Contact
	if l.contact.Params == nil {
		l.contact.Params = sipx.HeaderParams{}
	}
	if !l.contact.Params.Has("isfocus") {
		l.contact.Params.Add("isfocus", "")
	}
	fail := func(err error) {
		m.close0()
		reply(err)
	}
	if parked {
		cl.answerIntoMixer(l, m, muted, deaf, fail, reply)
		return
	}
	cl.unpeer(l, "mixer")
	o := &offerTx{to: l, method: sipx.INVITE, body: mediaOffer(c.stack.Host(), m.port())}
	o.done = func(code int, reason string) {
		if code < 200 || code >= 300 || o.res == nil {
			fail(events.NewError(events.ErrConflict, "leg %s answered %d %s", l.id, code, reason))
			return
		}
		mp, err := remoteMedia(o.res.Body(), false)
		if err != nil {
			fail(events.NewError(events.ErrConflict, "leg %s answered media Tandem cannot mix: %v", l.id, err))
			return
		}
		reply(cl.attachMedia(l, m, mp, muted, deaf))
	}
	cl.offer = o
	cl.sendOffer(o)
}

// answerIntoMixer answers a parked A leg with Tandem's media.
func (cl *call) answerIntoMixer(a *leg, m *legMedia, muted, deaf bool, fail, reply func(error)) {
	c := cl.core
	offer := a.inv.req.Body()
	var body []byte
	var mp mediaParams
	if len(offer) > 0 {
		ans, p, err := mediaAnswer(offer, c.stack.Host(), m.port())
		if err != nil {
			fail(events.NewError(events.ErrConflict, "leg %s offered media Tandem cannot mix: %v", a.id, err))
			return
		}
		body, mp = ans, p
	} else {
		body = mediaOffer(c.stack.Host(), m.port())
	}
	res := cl.answerParked(a, body)
	var onACK func([]byte)
	if len(offer) == 0 {
		// the answer comes in the ACK
		onACK = func(ack []byte) {
			p, err := remoteMedia(ack, false)
			if err != nil {
				cl.log.Warn("b2bua: ACK answered media Tandem cannot mix", "leg_id", a.id, "error", err)
				m.close0()
				return
			}
			if err := cl.attachMedia(a, m, p, muted, deaf); err != nil {
				cl.log.Warn("b2bua: joining the mixer failed", "leg_id", a.id, "error", err)
			}
		}
	}
	cl.awaitACK(a, a.inv.req.CSeq().SeqNo, res, a.inv.tx, onACK)
	if onACK != nil {
		reply(nil)
		return
	}
	reply(cl.attachMedia(a, m, mp, muted, deaf))
}

// attachMedia adds the leg to its room's mix and starts its media.
func (cl *call) attachMedia(l *leg, m *legMedia, mp mediaParams, muted, deaf bool) error {
	if !l.live(cl) {
		m.close0()
		return events.NewError(events.ErrUnknownLeg, "leg %s ended", l.id)
	}
	m.params = mp
	m.remote.Store(mp.addr)
	p, err := m.room.mx.Add(mixer.ParticipantConfig{ID: l.id, PayloadType: mp.pt, EventPayloadType: mp.evPT, Sink: m, Muted: muted, Deaf: deaf})
	if err != nil {
		m.close0()
		return events.NewError(events.ErrConflict, "room %s: %v", m.room.id, err)
	}
	m.part = p
	go m.read()
	l.media = m
	m.room.mu.Lock()
	m.room.members[l.id] = l
	m.room.mu.Unlock()
	cl.log.Info("b2bua: leg joined the mixer", "leg_id", l.id, "room_id", m.room.id, "codec", codecName(mp.pt), "remote", mp.addr.String())
	cl.emit(events.TypeMixerJoinedV1, l.id, &events.MixerJoinedV1{RoomID: m.room.id, Codec: codecName(mp.pt)})
	return nil
}

// leaveMixer takes l out of its room.
func (cl *call) leaveMixer(l *leg, why string) {
	m := l.media
	if m == nil {
		return
	}
	l.media = nil
	m.room.mx.Remove(l.id)
	m.room.mu.Lock()
	delete(m.room.members, l.id)
	m.room.mu.Unlock()
	m.close()
	cl.emit(events.TypeMixerLeftV1, l.id, &events.MixerLeftV1{RoomID: m.room.id, Why: why})
}

// LeaveMixer takes a leg out of its room; the leg stays up.
func (c *Core) LeaveMixer(ctx context.Context, legID, controller string) error {
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		if l.media == nil {
			reply(events.NewError(events.ErrConflict, "leg %s is in no room", l.id))
			return
		}
		cl.leaveMixer(l, "command")
		reply(nil)
	})
}

// SetMixer changes how a leg is mixed: muted (the others do not hear it),
// deaf (it hears nothing), gainDB (how loud the others hear it).
func (c *Core) SetMixer(ctx context.Context, legID, controller string, muted, deaf *bool, gainDB *float64) error {
	if gainDB != nil && (*gainDB < -60 || *gainDB > 20) {
		return events.NewError(events.ErrBadRequest, "gain_db %v not in -60..20", *gainDB)
	}
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		if l.media == nil || l.media.part == nil {
			reply(events.NewError(events.ErrConflict, "leg %s is in no room", l.id))
			return
		}
		p := l.media.part
		if muted != nil {
			p.SetMuted(*muted)
		}
		if deaf != nil {
			p.SetDeaf(*deaf)
		}
		if gainDB != nil {
			p.SetInputGain(mixer.GainDB(*gainDB))
		}
		reply(nil)
	})
}
