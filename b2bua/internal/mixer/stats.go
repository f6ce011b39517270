package mixer

import (
	"sync/atomic"
	"time"
)

// ParticipantStats are one participant's counters since it joined.
type ParticipantStats struct {
	ID string

	PacketsIn uint64 // packets given to WriteRTP or Write

	// Input dropped, by reason.
	Malformed        uint64 // not RTP version 2, audio not 160 bytes, telephone-event not whole blocks
	WrongPayloadType uint64 // neither the audio nor the telephone-event payload type (e.g. comfort noise)
	QueueFull        uint64 // more packets than InputQueue between two ticks (a flood)
	WrongSSRC        uint64 // from another source than the locked one
	Late             uint64 // arrived after their playout time
	Duplicate        uint64 // a copy of a frame already held
	Jumps            uint64 // sequence number far from the stream's, not confirmed by the next packet
	Overflow         uint64 // held frames dropped: out of the window, trimmed, flushed on resync or SSRC change
	Skipped          uint64 // frames due in ticks the clock skipped
	Dropped          uint64 // the sum of the above

	Played    uint64 // frames mixed from packets
	Concealed uint64 // frames mixed from a repetition of the last one
	Silent    uint64 // ticks the participant contributed nothing (before playout, gaps, after concealment)

	Digits      uint64 // DTMF digits reported
	SSRCChanges uint64 // switches to a new source
	Resyncs     uint64 // sequence number jumps accepted

	PacketsOut uint64 // packets given to the Sink
	SendErrors uint64 // of which the Sink returned an error

	Muted, Deaf, Talking bool
}

// RoomStats are a room's counters and those of its current participants.
type RoomStats struct {
	ID           string
	Ticks        uint64        // ticks run
	MissedTicks  uint64        // ticks the clock skipped because it was late by a period or more
	LateTicks    uint64        // ticks that finished more than LateAfter after their scheduled time (engine only)
	MaxLateness  time.Duration // the latest a tick finished after its scheduled time (engine only)
	Participants []ParticipantStats
}

// ingressCounters are updated by the goroutines that write packets.
type ingressCounters struct {
	packetsIn, malformed, wrongPT, queueFull atomic.Uint64
}

// tickCounters are updated by the tick, under the room's lock.
type tickCounters struct {
	wrongSSRC, late, duplicate, jumps, overflow, skipped uint64
	played, concealed, silent                            uint64
	digits, ssrcChanges, resyncs                         uint64
	packetsOut, sendErrors                               uint64
}

// statsLocked assembles p's counters; the room's lock is held.
func (p *Participant) statsLocked() ParticipantStats {
	s := ParticipantStats{
		ID:               p.id,
		PacketsIn:        p.ingress.packetsIn.Load(),
		Malformed:        p.ingress.malformed.Load(),
		WrongPayloadType: p.ingress.wrongPT.Load(),
		QueueFull:        p.ingress.queueFull.Load(),
		WrongSSRC:        p.st.wrongSSRC,
		Late:             p.st.late,
		Duplicate:        p.st.duplicate,
		Jumps:            p.st.jumps,
		Overflow:         p.st.overflow,
		Skipped:          p.st.skipped,
		Played:           p.st.played,
		Concealed:        p.st.concealed,
		Silent:           p.st.silent,
		Digits:           p.st.digits,
		SSRCChanges:      p.st.ssrcChanges,
		Resyncs:          p.st.resyncs,
		PacketsOut:       p.st.packetsOut,
		SendErrors:       p.st.sendErrors,
		Muted:            p.muted.Load(),
		Deaf:             p.deaf.Load(),
		Talking:          p.talking.Load(),
	}
	s.Dropped = s.Malformed + s.WrongPayloadType + s.QueueFull + s.WrongSSRC + s.Late + s.Duplicate + s.Jumps + s.Overflow + s.Skipped
	return s
}
