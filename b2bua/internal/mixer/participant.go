package mixer

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// Sink receives a participant's mixed audio: one RTP packet per tick, from
// the goroutine running the tick, with the room's lock held. WriteRTP must
// not block (write to a socket, or queue and drop), must not call the
// Room's Add, Remove, Participant, Len, Close, Tick or Stats nor a
// Participant's Stats (they take the room's lock), and must neither modify nor
// keep p or p.Payload after it returns: both are reused at the next tick,
// and the payload may be shared with other participants (marshal it with
// p.MarshalTo, or copy it). An error is counted in SendErrors, nothing more.
type Sink interface {
	WriteRTP(p *rtp.Packet) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(p *rtp.Packet) error

// WriteRTP calls f(p).
func (f SinkFunc) WriteRTP(p *rtp.Packet) error { return f(p) }

// ParticipantConfig describes one participant joining a room.
type ParticipantConfig struct {
	// ID names the participant in the room (e.g. its leg id); unique per room.
	ID string
	// PayloadType is the codec, the same both ways: 0 (PCMU) or 8 (PCMA).
	PayloadType uint8
	// EventPayloadType is the negotiated RFC 4733 telephone-event payload
	// type (35-127, not PayloadType); 0 when none was negotiated.
	EventPayloadType uint8
	// SSRC is the SSRC of the participant's outgoing stream; 0 picks a
	// random one.
	SSRC uint32
	// Sink receives the outgoing stream. Required.
	Sink Sink
	// Initial settings, also changeable later.
	Muted, Deaf           bool
	InputGain, OutputGain Gain
}

func (c ParticipantConfig) check() error {
	if c.ID == "" {
		return fmt.Errorf("%w: empty id", ErrInvalidConfig)
	}
	if _, ok := g711.LawForPayloadType(c.PayloadType); !ok {
		return fmt.Errorf("%w: %q: payload type %d is not PCMU (0) or PCMA (8)", ErrInvalidConfig, c.ID, c.PayloadType)
	}
	if c.EventPayloadType != 0 && (c.EventPayloadType < 35 || c.EventPayloadType > 127 || c.EventPayloadType == c.PayloadType) {
		return fmt.Errorf("%w: %q: telephone-event payload type %d is not a dynamic payload type", ErrInvalidConfig, c.ID, c.EventPayloadType)
	}
	if c.Sink == nil {
		return fmt.Errorf("%w: %q: no sink", ErrInvalidConfig, c.ID)
	}
	return nil
}

// inbound is a packet accepted by WriteRTP, waiting for the tick.
type inbound struct {
	event bool
	seq   uint16
	ts    uint32
	ssrc  uint32
	te    TelephoneEvent
	data  [FrameSamples]byte
}

// Participant is one member of a room. WriteRTP, Write and the setters may
// be called from any goroutine; what the tick does with the participant is
// guarded by its room's lock.
type Participant struct {
	id         string
	room       *Room
	law        g711.Law
	audioPT    uint8
	eventPT    uint8
	hasEventPT bool
	sink       Sink

	queue   chan inbound // from the writers to the tick
	closed  atomic.Bool
	ingress ingressCounters

	muted, deaf     atomic.Bool
	inGain, outGain atomic.Int32 // Gain.d
	talking         atomic.Bool

	// Tick state (room.mu).
	lock     ssrcLock
	jb       *jitterBuffer
	events   eventTracker
	talk     talkState
	misses   int  // ticks in a row without a frame while playing
	haveLast bool // pcm holds a frame to conceal from
	// This tick: own is what the participant puts into the mix (pcm or
	// scaled), nil when it contributes nothing.
	own    *frame16
	enc    [FrameSamples]byte
	pcm    frame16
	scaled frame16
	out    outStream
	st     tickCounters
}

func newParticipant(r *Room, c ParticipantConfig) *Participant {
	law, _ := g711.LawForPayloadType(c.PayloadType)
	p := &Participant{
		id:         c.ID,
		room:       r,
		law:        law,
		audioPT:    c.PayloadType,
		eventPT:    c.EventPayloadType,
		hasEventPT: c.EventPayloadType != 0,
		sink:       c.Sink,
		queue:      make(chan inbound, r.cfg.InputQueue),
		lock:       ssrcLock{switchAfter: r.cfg.SSRCSwitchAfter},
		jb:         newJitterBuffer(r.cfg.JitterDelay, r.cfg.JitterMax),
	}
	p.muted.Store(c.Muted)
	p.deaf.Store(c.Deaf)
	p.inGain.Store(c.InputGain.d)
	p.outGain.Store(c.OutputGain.d)
	ssrc := c.SSRC
	for ssrc == 0 {
		ssrc = rand.Uint32()
	}
	p.out.pkt.Header = rtp.Header{
		Version:        2,
		PayloadType:    c.PayloadType,
		SequenceNumber: uint16(rand.Uint32()),
		Timestamp:      rand.Uint32(),
		SSRC:           ssrc,
	}
	return p
}

// ID is the participant's id.
func (p *Participant) ID() string { return p.id }

// SSRC is the SSRC of the participant's outgoing stream.
func (p *Participant) SSRC() uint32 { return p.out.pkt.SSRC }

// PayloadType is the participant's audio payload type (0 or 8).
func (p *Participant) PayloadType() uint8 { return p.audioPT }

// WriteRTP hands a received packet to the mixer: audio of the participant's
// payload type (exactly 160 bytes: 20 ms) or an RFC 4733 telephone-event.
// It copies what it keeps, so pkt may be reused at once, never blocks, and
// does not allocate. Packets that cannot be used are dropped, counted, and
// reported with ErrMalformed, ErrPayloadLength, ErrTelephoneEventLength,
// ErrPayloadType or ErrQueueFull (the caller may ignore these); ErrClosed
// once the participant has left.
func (p *Participant) WriteRTP(pkt *rtp.Packet) error {
	p.ingress.packetsIn.Add(1)
	if p.closed.Load() {
		return ErrClosed
	}
	if pkt.Version != 2 {
		p.ingress.malformed.Add(1)
		return ErrMalformed
	}
	in := inbound{seq: pkt.SequenceNumber, ts: pkt.Timestamp, ssrc: pkt.SSRC}
	switch {
	case pkt.PayloadType == p.audioPT:
		if len(pkt.Payload) != FrameSamples {
			p.ingress.malformed.Add(1)
			return ErrPayloadLength
		}
		copy(in.data[:], pkt.Payload)
	case p.hasEventPT && pkt.PayloadType == p.eventPT:
		te, err := ParseTelephoneEvent(pkt.Payload)
		if err != nil {
			p.ingress.malformed.Add(1)
			return err
		}
		in.event, in.te = true, te
	default:
		p.ingress.wrongPT.Add(1)
		return ErrPayloadType
	}
	select {
	case p.queue <- in:
		return nil
	default:
		p.ingress.queueFull.Add(1)
		return ErrQueueFull
	}
}

// Write parses a received RTP datagram and hands it to WriteRTP. It does
// not keep buf.
func (p *Participant) Write(buf []byte) error {
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf); err != nil {
		p.ingress.packetsIn.Add(1)
		p.ingress.malformed.Add(1)
		return ErrMalformed
	}
	return p.WriteRTP(&pkt)
}

// SetMuted mutes or unmutes the participant: the others do not hear a
// muted participant. Talk detection and DTMF still work.
func (p *Participant) SetMuted(m bool) { p.muted.Store(m) }

// Muted reports whether the participant is muted.
func (p *Participant) Muted() bool { return p.muted.Load() }

// SetDeaf makes the participant hear nothing (it is sent silence) or
// everything again.
func (p *Participant) SetDeaf(d bool) { p.deaf.Store(d) }

// Deaf reports whether the participant is deaf.
func (p *Participant) Deaf() bool { return p.deaf.Load() }

// SetInputGain scales what the others hear of the participant.
func (p *Participant) SetInputGain(g Gain) { p.inGain.Store(g.d) }

// InputGain is the gain applied to the participant's audio.
func (p *Participant) InputGain() Gain { return Gain{d: p.inGain.Load()} }

// SetOutputGain scales what the participant hears.
func (p *Participant) SetOutputGain(g Gain) { p.outGain.Store(g.d) }

// OutputGain is the gain applied to what the participant hears.
func (p *Participant) OutputGain() Gain { return Gain{d: p.outGain.Load()} }

// Talking reports whether the participant is talking, as of the last tick.
func (p *Participant) Talking() bool { return p.talking.Load() }

// Stats are the participant's counters.
func (p *Participant) Stats() ParticipantStats {
	p.room.mu.Lock()
	defer p.room.mu.Unlock()
	return p.statsLocked()
}
