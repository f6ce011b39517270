package mixer

import (
	"slices"
	"time"
)

// maxCatchUp bounds the frames a participant discards after skipped ticks:
// more than the jitter buffer can hold are gone anyway.
const maxCatchUp = MaxJitterFrames + 1

// Tick mixes one frame at time now: it takes the packets that arrived since
// the last tick, plays one frame of each participant, sends each its mix
// and then delivers the tick's events. Nothing in it reads the clock: now
// says when the tick is, and a gap of several periods since the previous
// tick counts as missed ticks (the RTP timestamps skip them too). A tick's
// work is bounded: at most MaxParticipants participants, each with at most
// InputQueue packets.
func (r *Room) Tick(now time.Time) { r.tick(now, now, nil) }

// tick runs the tick scheduled at sched, started at now; with clock set it
// records how late the tick finished.
func (r *Room) tick(sched, now time.Time, clock func() time.Time) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	ticks := 1
	if r.ticked {
		if n := (sched.Sub(r.lastSched) + Period/2) / Period; n > 1 {
			ticks = int(min(n, 1<<30))
		}
	}
	r.ticked, r.lastSched = true, sched
	r.ticks++
	r.missed += uint64(ticks - 1)

	clear(r.sum[:])
	for i := range r.shared {
		r.shared[i].ok = false
	}
	for _, p := range r.parts {
		p.receive(r, now)
		p.play(r, ticks, now)
	}
	for _, p := range r.parts {
		p.send(r, ticks)
	}
	if clock != nil {
		late := clock().Sub(sched)
		r.maxLate = max(r.maxLate, late)
		if late > r.cfg.LateAfter {
			r.late++
		}
	}
	var events []Event
	if len(r.pending) > 0 && r.onEvent != nil {
		events = slices.Clone(r.pending)
	}
	r.pending = r.pending[:0]
	r.mu.Unlock()
	for _, e := range events {
		r.onEvent(e)
	}
}

func (r *Room) emit(e Event) { r.pending = append(r.pending, e) }

// receive moves the packets queued since the last tick into the
// participant's state: source check, then DTMF or the jitter buffer.
func (p *Participant) receive(r *Room, now time.Time) {
	for range len(p.queue) { // only the tick receives: this never blocks
		in := <-p.queue
		ok, switched := p.lock.check(in.ssrc)
		if !ok {
			p.st.wrongSSRC++
			continue
		}
		if switched {
			p.st.ssrcChanges++
			p.st.overflow += uint64(p.jb.reset())
			p.events = eventTracker{}
			p.haveLast, p.misses = false, 0
			if n := p.st.ssrcChanges; n&(n-1) == 0 { // 1st, 2nd, 4th, 8th…: a hostile stream cannot flood the log
				r.log.Info("mixer: participant's stream changed SSRC", "participant", p.id, "ssrc", in.ssrc, "changes", n)
			}
		}
		if in.event {
			if p.events.observe(in.ts, in.te) {
				if d, ok := in.te.Digit(); ok {
					p.st.digits++
					r.emit(Event{Kind: EventDigit, Room: r.id, Participant: p.id, Digit: d, Muted: p.muted.Load(), At: now})
				}
			}
			continue
		}
		res, dropped := p.jb.push(in.seq, &in.data)
		p.st.overflow += uint64(dropped)
		switch res {
		case pushLate:
			p.st.late++
		case pushDuplicate:
			p.st.duplicate++
		case pushJump:
			p.st.jumps++
		case pushResync:
			p.st.resyncs++
			r.log.Debug("mixer: participant's sequence numbers jumped", "participant", p.id, "seq", in.seq)
		}
	}
}

// play takes the participant's frame of this tick (or conceals a missing
// one), runs talk detection and adds the participant to the mix.
func (p *Participant) play(r *Room, ticks int, now time.Time) {
	for range min(ticks-1, maxCatchUp) {
		ok, dropped := p.jb.pop(&p.enc)
		p.st.overflow += uint64(dropped)
		if ok {
			p.st.skipped++
		}
	}
	ok, dropped := p.jb.pop(&p.enc)
	p.st.overflow += uint64(dropped)
	var e int64
	have := false
	switch {
	case ok:
		p.law.Decode(p.pcm[:], p.enc[:])
		e = energy(&p.pcm)
		p.misses, p.haveLast, have = 0, true, true
		p.st.played++
	case p.jb.playing:
		p.misses++
		if p.haveLast && p.misses <= r.concealFrames {
			attenuate(&p.pcm, r.concealQ15)
			have = true
			p.st.concealed++
		}
		if p.misses > r.quietAfter {
			p.jb.stop()
			p.haveLast, p.misses = false, 0
		}
	}
	if !have {
		p.st.silent++
	}

	var ch talkChange
	if p.talk, ch = talkStep(p.talk, e, r.talk); ch != talkNoChange {
		p.talking.Store(p.talk.talking)
		kind := EventTalkStarted
		if ch == talkStopped {
			kind = EventTalkStopped
		}
		r.emit(Event{Kind: kind, Room: r.id, Participant: p.id, Muted: p.muted.Load(), At: now})
	}

	p.own = nil
	if !have || p.muted.Load() {
		return
	}
	switch g := (Gain{d: p.inGain.Load()}); {
	case g.IsUnity():
		p.own = &p.pcm
	case g.IsSilence():
		return
	default:
		scale(&p.scaled, &p.pcm, g.q16())
		p.own = &p.scaled
	}
	addTo(&r.sum, p.own)
}

// send encodes what the participant hears and gives it to its Sink.
func (p *Participant) send(r *Room, ticks int) {
	var payload []byte
	g := Gain{d: p.outGain.Load()}
	switch {
	case p.deaf.Load() || g.IsSilence():
		payload = r.silence[p.law][:]
	case p.own == nil && g.IsUnity():
		// Everyone who adds nothing hears the same: encode it once per law.
		sh := &r.shared[p.law]
		if !sh.ok {
			mixMinus(&r.mixed, &r.sum, nil, gainOne)
			p.law.Encode(sh.data[:], r.mixed[:])
			sh.ok = true
		}
		payload = sh.data[:]
	default:
		mixMinus(&r.mixed, &r.sum, p.own, g.q16())
		p.law.Encode(p.out.payload[:], r.mixed[:])
		payload = p.out.payload[:]
	}
	p.out.next(ticks)
	p.out.pkt.Payload = payload
	p.st.packetsOut++
	if err := p.sink.WriteRTP(&p.out.pkt); err != nil {
		p.st.sendErrors++
	}
}
