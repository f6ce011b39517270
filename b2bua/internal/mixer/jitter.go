package mixer

// Sequence number validation after RFC 3550 Appendix A.1: a packet more
// than maxDropout ahead of, or more than maxMisorder behind, the highest
// sequence number seen is a jump, accepted (with a flush) only when the
// packet right after it follows.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// trimAfter is how many ticks in a row the buffer may hold more than one
// frame beyond its delay before a frame is dropped to cut the delay back
// (after a burst, or when the sender's clock runs fast).
const trimAfter = 50

// jbSlot holds one encoded frame.
type jbSlot struct {
	valid bool
	seq   uint16
	data  [FrameSamples]byte
}

// jitterBuffer reorders one participant's audio frames by RTP sequence
// number and plays them out one per tick, oldest first, after an initial
// delay. It holds a window of len(slots) sequence numbers below the highest
// seen, the frame with sequence number s in slots[s%len(slots)]; frames
// older than the last played one, or than the window, are late; a second
// copy of a held frame is a duplicate. It is owned by the tick goroutine.
//
// Playing oldest-first rather than by the sequence number due makes the
// buffer adapt by itself: a lost packet shortens the delay by a frame, a
// packet arriving after an underrun lengthens it by one, and trimAfter
// shrinks a delay that stays long.
type jitterBuffer struct {
	slots []jbSlot
	n     int // valid slots
	delay int // frames to wait for before playing

	playing bool // playout started; false again after an underrun too long to conceal
	waited  int  // ticks a frame has been waiting while not playing
	played  bool // last is set
	last    uint16
	excess  int // ticks in a row with more than delay+1 frames held

	haveMax bool
	maxSeq  uint16 // highest sequence number accepted
	badSeq  int32  // the sequence number that confirms a jump, -1 when none
}

func newJitterBuffer(delay, size int) *jitterBuffer {
	return &jitterBuffer{slots: make([]jbSlot, size), delay: delay, badSeq: -1}
}

// pushResult is what push did with a frame.
type pushResult uint8

const (
	pushOK        pushResult = iota
	pushOverflow             // accepted in place of an older frame, which is dropped
	pushResync               // accepted after a confirmed jump; held frames are dropped
	pushLate                 // dropped: older than the last played frame or the window
	pushDuplicate            // dropped: already held
	pushJump                 // dropped: far from the stream; a jump if the next one follows
)

// push offers a frame. dropped counts held frames it made the buffer drop
// (overflow or resync).
func (j *jitterBuffer) push(seq uint16, data *[FrameSamples]byte) (res pushResult, dropped int) {
	if !j.haveMax {
		j.haveMax, j.maxSeq, j.badSeq = true, seq, -1
		return j.insert(seq, data)
	}
	d := seq - j.maxSeq
	switch {
	case d != 0 && d < maxDropout: // ahead, possibly with a gap
		j.maxSeq, j.badSeq = seq, -1
		if j.played && int(j.maxSeq-j.last) >= len(j.slots) {
			// Everything the window can hold is after the last played
			// frame; forgetting it keeps serial comparisons with it
			// meaningful however far the stream moves before the next pop.
			j.played = false
		}
		return j.insert(seq, data)
	case d == 0 || d > 1<<16-1-maxMisorder: // the newest again, or a little behind it
		if int(j.maxSeq-seq) >= len(j.slots) || (j.played && !seqAfter(seq, j.last)) {
			return pushLate, 0
		}
		return j.insert(seq, data)
	case int32(seq) == j.badSeq: // the second packet of a jump: resync
		dropped = j.n
		j.clear()
		j.played = false
		j.maxSeq, j.badSeq = seq, -1
		j.insert(seq, data)
		return pushResync, dropped
	default:
		j.badSeq = int32(seq + 1)
		return pushJump, 0
	}
}

func (j *jitterBuffer) insert(seq uint16, data *[FrameSamples]byte) (pushResult, int) {
	s := &j.slots[int(seq)%len(j.slots)]
	res, dropped := pushOK, 0
	if s.valid {
		if s.seq == seq {
			return pushDuplicate, 0
		}
		// Slots within the window never collide: s holds a frame that
		// fell out of it.
		res, dropped = pushOverflow, 1
		j.n--
	}
	s.valid, s.seq, s.data = true, seq, *data
	j.n++
	return res, dropped
}

// pop takes the frame to play this tick into dst. ok is false when there
// is none (before playout starts or on underrun). dropped counts frames it
// discarded: out of the window, or trimmed to cut the delay.
func (j *jitterBuffer) pop(dst *[FrameSamples]byte) (ok bool, dropped int) {
	if !j.playing {
		if j.n == 0 {
			j.waited = 0
			return false, 0
		}
		j.waited++
		if j.n < j.delay && j.waited < j.delay {
			return false, 0
		}
		j.playing, j.waited, j.excess = true, 0, 0
	}
	if j.n > j.delay+1 {
		j.excess++
	} else {
		j.excess = 0
	}
	oldest := j.oldest(&dropped)
	if oldest != nil && j.excess >= trimAfter {
		j.take(oldest)
		dropped++
		j.excess = 0
		oldest = j.oldest(&dropped)
	}
	if oldest == nil {
		return false, dropped
	}
	*dst = oldest.data
	j.take(oldest)
	return true, dropped
}

// oldest is the held frame to play next, after discarding (and counting)
// frames that fell out of the window.
func (j *jitterBuffer) oldest(dropped *int) *jbSlot {
	var best *jbSlot
	bestAge := -1
	for i := range j.slots {
		s := &j.slots[i]
		if !s.valid {
			continue
		}
		age := int(j.maxSeq - s.seq)
		if age >= len(j.slots) {
			s.valid = false
			j.n--
			*dropped++
			continue
		}
		if age > bestAge {
			best, bestAge = s, age
		}
	}
	return best
}

func (j *jitterBuffer) take(s *jbSlot) {
	s.valid = false
	j.n--
	j.played, j.last = true, s.seq
}

// stop ends playout (the stream went quiet): the next frames wait for the
// delay again.
func (j *jitterBuffer) stop() { j.playing, j.waited = false, 0 }

// reset forgets everything (a new source); it returns the frames dropped.
func (j *jitterBuffer) reset() int {
	n := j.n
	j.clear()
	*j = jitterBuffer{slots: j.slots, delay: j.delay, badSeq: -1}
	return n
}

func (j *jitterBuffer) clear() {
	for i := range j.slots {
		j.slots[i].valid = false
	}
	j.n = 0
}

// seqAfter reports whether sequence number a comes after b (RFC 1982
// serial number arithmetic on 16 bits).
func seqAfter(a, b uint16) bool { return int16(a-b) > 0 }
