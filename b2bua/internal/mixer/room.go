package mixer

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// Room mixes its participants' audio, one frame per Tick: each participant
// hears the sum of the others. Methods are safe for concurrent use; Tick
// is meant to be called by one clock (an Engine, or a test) every Period.
type Room struct {
	id      string
	cfg     Config
	log     *slog.Logger
	onEvent EventHandler
	talk    talkParams
	// concealQ15 is the attenuation of each repetition, quietAfter the
	// number of missed frames after which a participant's playout stops.
	concealQ15    int32
	concealFrames int
	quietAfter    int

	// mu guards everything below and the tick state of every participant.
	// Lock order: Engine.mu, worker.mu, Room.mu.
	mu        sync.Mutex
	parts     []*Participant
	byID      map[string]*Participant
	closed    bool
	ticked    bool
	lastSched time.Time
	sum       frame32
	mixed     frame16
	shared    [3]sharedFrame // by g711.Law: the mix of all, for those who add nothing to it
	silence   [3][FrameSamples]byte
	pending   []Event
	ticks     uint64
	missed    uint64
	late      uint64
	maxLate   time.Duration
}

// sharedFrame is an encoded frame computed at most once per tick.
type sharedFrame struct {
	ok   bool
	data [FrameSamples]byte
}

// NewRoom makes an empty room. Zero fields of cfg take their defaults; log
// may be nil (no logging), onEvent may be nil (events are dropped).
func NewRoom(id string, cfg Config, log *slog.Logger, onEvent EventHandler) (*Room, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mixer: room %q: config: %w", id, err)
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Room{
		id:            id,
		cfg:           cfg,
		log:           log.With("room", id),
		onEvent:       onEvent,
		talk:          newTalkParams(cfg.Talk),
		concealQ15:    int32(math.Round(32768 * math.Pow(10, -cfg.ConcealStepDB/20))),
		concealFrames: max(cfg.ConcealFrames, 0),
		quietAfter:    max(cfg.ConcealFrames, 2),
		byID:          make(map[string]*Participant),
	}
	for _, l := range []g711.Law{g711.Ulaw, g711.Alaw} {
		for i := range r.silence[l] {
			r.silence[l][i] = l.Silence()
		}
	}
	return r, nil
}

// ID is the room's id.
func (r *Room) ID() string { return r.id }

// Add makes a participant join; it is heard and hears the others from the
// next tick.
func (r *Room) Add(c ParticipantConfig) (*Participant, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("mixer: room %q: %w", r.id, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return nil, fmt.Errorf("mixer: room %q: %w", r.id, ErrClosed)
	case r.byID[c.ID] != nil:
		return nil, fmt.Errorf("mixer: room %q: %q: %w", r.id, c.ID, ErrDuplicateID)
	case len(r.parts) >= r.cfg.MaxParticipants:
		return nil, fmt.Errorf("mixer: room %q: %w (%d participants)", r.id, ErrRoomFull, len(r.parts))
	}
	p := newParticipant(r, c)
	r.parts = append(r.parts, p)
	r.byID[c.ID] = p
	return p, nil
}

// Remove makes participant id leave; its WriteRTP then returns ErrClosed
// and its Sink is not called again once Remove has returned. It reports
// whether the participant was in the room.
func (r *Room) Remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.byID[id]
	if p == nil {
		return false
	}
	p.closed.Store(true)
	delete(r.byID, id)
	r.parts = slices.DeleteFunc(r.parts, func(q *Participant) bool { return q == p })
	return true
}

// Participant returns participant id.
func (r *Room) Participant(id string) (*Participant, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.byID[id]
	return p, ok
}

// Len is the number of participants.
func (r *Room) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.parts)
}

// Close makes every participant leave and the room refuse new ones; Tick
// then does nothing.
func (r *Room) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, p := range r.parts {
		p.closed.Store(true)
	}
	r.parts = nil
	clear(r.byID)
}

// Stats are the room's counters and its participants'.
func (r *Room) Stats() RoomStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := RoomStats{ID: r.id, Ticks: r.ticks, MissedTicks: r.missed, LateTicks: r.late, MaxLateness: r.maxLate}
	s.Participants = make([]ParticipantStats, 0, len(r.parts))
	for _, p := range r.parts {
		s.Participants = append(s.Participants, p.statsLocked())
	}
	return s
}
