// Package mixer is the conference audio mixer of the core (DESIGN.md §6):
// it terminates the RTP of conference legs and sends each participant the
// sum of the others (N-1 mixing). It is a pure library: no SIP, no NATS;
// the core feeds it packets, reads its events and drives its clock.
//
// # Model
//
// A Room holds Participants. A participant speaks G.711 (PCMU, payload
// type 0, or PCMA, 8; the package g711) at 8 kHz in 20 ms frames of 160
// samples, and may send RFC 4733 telephone-events on a negotiated dynamic
// payload type. The core hands each received packet to
// Participant.WriteRTP (or the raw datagram to Write) from its network
// goroutine, and gets the participant's mixed audio through the Sink given
// at Add: one rtp.Packet per tick with the participant's own SSRC and
// continuous sequence numbers and timestamps.
//
// Room.Tick(now) mixes one frame. It is a pure function of the packets
// received and of now, so tests drive it without real time. Per tick and
// participant it:
//
//  1. drains the packets queued since the last tick (at most InputQueue):
//     packets from another SSRC than the locked one are dropped unless
//     SSRCSwitchAfter of them come in a row; telephone-events are turned
//     into one EventDigit per event (redundant and end packets
//     de-duplicated by timestamp, long events across segments counted
//     once); audio goes to a small jitter buffer ordered by sequence
//     number, which drops late and duplicate frames and bounds itself;
//  2. plays one frame: after JitterDelay frames have arrived, the oldest
//     frame held; when none is there, the last frame again, attenuated by
//     ConcealStepDB each time, at most ConcealFrames times, then silence;
//  3. runs talk detection on the frame's energy (separate start and stop
//     levels, an attack and a hold time) and reports EventTalkStarted and
//     EventTalkStopped;
//  4. adds the frame, times the participant's input gain, to the mix
//     unless the participant is muted.
//
// Then each participant is sent the mix minus its own contribution, times
// its output gain, saturated to 16 bits and encoded in its codec; a deaf
// participant is sent silence. Those who contributed nothing share one
// encoding of the whole mix.
//
// # Clock
//
// An Engine runs rooms on Workers goroutines, each with a steady clock
// scheduled from its start time (no drift). A worker's 20 ms period is cut
// into Phases slots (default 10 of 2 ms) and each room is ticked in one of
// them, so the rooms are spread over the period: a room's lateness is the
// worker's wake-up delay plus the work of its slot, not of all the
// worker's rooms. A worker that wakes late runs the slots due since, each
// room at most once: a slot late by a whole period is skipped and counted
// (no burst), its rooms count a missed tick and their RTP timestamps skip
// it. Each tick's work
// is bounded per room (MaxParticipants × InputQueue packets).
//
// # Isolation
//
// A participant cannot disturb the others: WriteRTP copies into a bounded
// per-participant queue and drops (and counts) what does not fit or is
// malformed, never blocking the writer nor growing memory; packets of
// another SSRC, far sequence-number jumps and bad payload lengths are
// dropped before they reach the mix; each participant's counters
// (ParticipantStats) say what was dropped and why.
//
// # Concurrency
//
// Room methods, Participant setters and WriteRTP are safe for concurrent
// use. A room's lock is held while it ticks, including the calls to the
// Sinks, which must therefore not block; events are delivered after it is
// released. Lock order: Engine.mu, worker.mu, Room.mu.
package mixer
