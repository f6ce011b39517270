package b2bua

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
	"github.com/tandem-sip/tandem/events"
)

// room is a mixing room of the core's mixer engine (DESIGN.md §6): the
// conference application creates it and puts legs in it; the core
// terminates those legs' media.
type room struct {
	id  string
	mx  *mixer.Room
	rec *wavRecorder

	mu      sync.Mutex
	members map[string]*leg // by leg id
}

// recorderID is the participant that records a room: muted, it hears the
// whole mix.
const recorderID = "\x00recorder"

// CreateRoom makes a mixing room (an existing one: nothing to do), recording
// its mix to recordPath when set.
func (c *Core) CreateRoom(ctx context.Context, roomID, recordPath string) error {
	if roomID == "" || strings.ContainsAny(roomID, " \t\r\n\x00") {
		return events.NewError(events.ErrBadRequest, "room_id %q: want a non-empty token", roomID)
	}
	c.roomsMu.Lock()
	defer c.roomsMu.Unlock()
	if _, ok := c.rooms[roomID]; ok {
		return nil
	}
	c.startMixer()
	mx, err := c.mix.NewRoom(roomID, c.onMixerEvent)
	if err != nil {
		return events.NewError(events.ErrInternal, "room %s: %v", roomID, err)
	}
	r := &room{id: roomID, mx: mx, members: map[string]*leg{}}
	if recordPath != "" {
		rec, err := newWAVRecorder(recordPath)
		if err != nil {
			c.mix.Remove(mx)
			mx.Close()
			return events.NewError(events.ErrBadRequest, "record_path: %v", err)
		}
		if _, err := mx.Add(mixer.ParticipantConfig{ID: recorderID, PayloadType: ptPCMU, Muted: true, Sink: rec}); err != nil {
			rec.close()
			c.mix.Remove(mx)
			mx.Close()
			return events.NewError(events.ErrInternal, "room %s: recorder: %v", roomID, err)
		}
		r.rec = rec
	}
	c.rooms[roomID] = r
	c.log.Info("b2bua: mixer room created", "room_id", roomID, "record", recordPath)
	return nil
}

// DestroyRoom ends a room: its legs leave it (they stay up, alone) and its
// recording is closed.
func (c *Core) DestroyRoom(ctx context.Context, roomID string) error {
	c.roomsMu.Lock()
	r, ok := c.rooms[roomID]
	delete(c.rooms, roomID)
	c.roomsMu.Unlock()
	if !ok {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	r.mu.Lock()
	legs := make([]*leg, 0, len(r.members))
	for _, l := range r.members {
		legs = append(legs, l)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range legs {
		wg.Add(1)
		if !c.postLeg(l, func(cl *call) { defer wg.Done(); cl.leaveMixer(l, "room_ended") }) {
			wg.Done()
		}
	}
	wg.Wait()
	c.mix.Remove(r.mx)
	r.mx.Close()
	if r.rec != nil {
		if err := r.rec.close(); err != nil {
			c.log.Warn("b2bua: closing a recording failed", "room_id", roomID, "error", err)
		}
	}
	c.log.Info("b2bua: mixer room ended", "room_id", roomID)
	return nil
}

// room finds a room by id.
func (c *Core) room(id string) *room {
	c.roomsMu.Lock()
	defer c.roomsMu.Unlock()
	return c.rooms[id]
}

// ListRooms describes the node's rooms and their participants.
func (c *Core) ListRooms() []events.MixerRoomV1 {
	c.roomsMu.Lock()
	rs := make([]*room, 0, len(c.rooms))
	for _, r := range c.rooms {
		rs = append(rs, r)
	}
	c.roomsMu.Unlock()
	out := make([]events.MixerRoomV1, 0, len(rs))
	for _, r := range rs {
		mr := events.MixerRoomV1{RoomID: r.id, Participants: []events.MixerParticipantV1{}}
		if r.rec != nil {
			mr.Recording = r.rec.path
		}
		r.mu.Lock()
		for id, l := range r.members {
			p, ok := r.mx.Participant(id)
			if !ok {
				continue
			}
			mr.Participants = append(mr.Participants, events.MixerParticipantV1{
				LegID: id, CallID: l.call().id, Muted: p.Muted(), Deaf: p.Deaf(), Talking: p.Talking(), Codec: codecName(p.PayloadType()),
			})
		}
		r.mu.Unlock()
		sort.Slice(mr.Participants, func(i, j int) bool { return mr.Participants[i].LegID < mr.Participants[j].LegID })
		out = append(out, mr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoomID < out[j].RoomID })
	return out
}

// onMixerEvent turns a room's events into events of the leg's call (on
// the mixer's goroutine: only posts).
func (c *Core) onMixerEvent(e mixer.Event) {
	v, ok := c.legIDs.Load(e.Participant)
	if !ok {
		return
	}
	l := v.(*leg)
	c.postLeg(l, func(cl *call) {
		if l.media == nil || l.state == legEnded {
			return
		}
		switch e.Kind {
		case mixer.EventTalkStarted, mixer.EventTalkStopped:
			cl.emit(events.TypeMixerTalkingV1, l.id, &events.MixerTalkingV1{RoomID: e.Room, Talking: e.Kind == mixer.EventTalkStarted})
		case mixer.EventDigit:
			cl.emit(events.TypeMixerDigitV1, l.id, &events.MixerDigitV1{RoomID: e.Room, Digit: string(e.Digit)})
		}
	})
}

// startMixer runs the mixer engine from the first room on: a node without
// conferences pays nothing for its clock. Called with roomsMu held.
func (c *Core) startMixer() {
	if c.mixCancel != nil {
		return
	}
	mctx, cancel := context.WithCancel(context.Background())
	c.mixCancel, c.mixDone = cancel, make(chan struct{})
	go func() {
		defer close(c.mixDone)
		if err := c.mix.Run(mctx); err != nil {
			c.log.Error("b2bua: mixer stopped", "error", err)
		}
	}()
}

// stopMixer ends every room (closing recordings) and stops the engine.
func (c *Core) stopMixer() {
	c.roomsMu.Lock()
	ids := make([]string, 0, len(c.rooms))
	for id := range c.rooms {
		ids = append(ids, id)
	}
	c.roomsMu.Unlock()
	for _, id := range ids {
		_ = c.DestroyRoom(context.Background(), id)
	}
	c.roomsMu.Lock()
	cancel, done := c.mixCancel, c.mixDone
	c.roomsMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
