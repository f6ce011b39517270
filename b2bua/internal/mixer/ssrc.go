package mixer

// ssrcLock keeps a participant's input to one RTP source: the first SSRC
// seen is locked; another is accepted only after switchAfter consecutive
// packets of it with none of the locked SSRC in between (a re-INVITE or
// transfer that restarts the stream), so stray or spoofed packets of other
// sources interleaved with the real stream never take over.
type ssrcLock struct {
	switchAfter int
	locked      bool
	ssrc        uint32
	cand        uint32 // candidate SSRC
	candRun     int    // consecutive packets of cand
}

// check reports whether a packet of ssrc belongs to the locked stream, and
// whether it has just become the locked stream in place of another.
func (l *ssrcLock) check(ssrc uint32) (ok, switched bool) {
	switch {
	case !l.locked:
		l.locked, l.ssrc, l.candRun = true, ssrc, 0
		return true, false
	case ssrc == l.ssrc:
		l.candRun = 0
		return true, false
	case l.candRun > 0 && ssrc == l.cand:
		l.candRun++
	default:
		l.cand, l.candRun = ssrc, 1
	}
	if l.candRun < l.switchAfter {
		return false, false
	}
	l.ssrc, l.candRun = ssrc, 0
	return true, true
}
