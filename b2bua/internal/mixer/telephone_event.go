package mixer

import (
	"encoding/binary"
	"errors"
)

// TelephoneEvent is one RFC 4733 §2.3 event payload block.
type TelephoneEvent struct {
	Code     uint8  // event code; 0-15 are the DTMF digits (§3.2)
	End      bool   // E bit: the last packets of the event
	Volume   uint8  // power level in -dBm0, 0 to 63
	Duration uint16 // in RTP timestamp units (1/8000 s) since the event began
}

// ErrTelephoneEventLength is returned for a telephone-event payload that is
// empty or not made of whole 4-byte blocks.
var ErrTelephoneEventLength = errors.New("mixer: telephone-event payload is not a multiple of 4 bytes")

// ParseTelephoneEvent reads the first event block of an RFC 4733 payload.
// A payload may hold several 4-byte blocks (§2.5.1.5); the others are
// ignored. The reserved R bit is ignored as §2.3.3 requires.
func ParseTelephoneEvent(b []byte) (TelephoneEvent, error) {
	if len(b) < 4 || len(b)%4 != 0 {
		return TelephoneEvent{}, ErrTelephoneEventLength
	}
	return TelephoneEvent{
		Code:     b[0],
		End:      b[1]&0x80 != 0,
		Volume:   b[1] & 0x3F,
		Duration: binary.BigEndian.Uint16(b[2:4]),
	}, nil
}

// Marshal appends the 4-byte payload of e to b.
func (e TelephoneEvent) Marshal(b []byte) []byte {
	flags := e.Volume & 0x3F
	if e.End {
		flags |= 0x80
	}
	return binary.BigEndian.AppendUint16(append(b, e.Code, flags), e.Duration)
}

// Digit is the DTMF character of e's code ('0'-'9', '*', '#', 'A'-'D'),
// false when the code is not a DTMF digit.
func (e TelephoneEvent) Digit() (rune, bool) { return dtmfDigit(e.Code) }

func dtmfDigit(code uint8) (rune, bool) {
	switch {
	case code <= 9:
		return rune('0' + code), true
	case code == 10:
		return '*', true
	case code == 11:
		return '#', true
	case code <= 15:
		return rune('A' + code - 12), true
	}
	return 0, false
}

// longEventSlack: a new segment of a long event (§2.5.1.3) follows a
// previous segment that reached (nearly) the largest duration, and starts
// about that duration later. The slack allows for the last packets of the
// segment being lost.
const longEventSlack = 1600 // 200 ms

// eventTracker turns one source's stream of telephone-event packets into
// events, each reported once (RFC 4733 §2.5.2): all packets of an event
// carry its start timestamp, so a timestamp seen before is the same event
// (including the three redundant end packets); an older timestamp is a
// late packet of a finished event; a newer one begins a new event, unless
// it is the next segment of a long event whose previous segment did not
// end.
type eventTracker struct {
	have  bool
	ts    uint32 // timestamp of the current event
	code  uint8
	ended bool
	dur   uint16 // largest duration seen
}

// observe feeds one packet, with RTP timestamp ts; it reports whether the
// packet begins a new event.
func (t *eventTracker) observe(ts uint32, e TelephoneEvent) bool {
	if t.have {
		d := ts - t.ts
		switch {
		case d == 0:
			if e.Code == t.code {
				t.ended = t.ended || e.End
				t.dur = max(t.dur, e.Duration)
			}
			return false
		case int32(d) < 0:
			return false
		case !t.ended && e.Code == t.code && t.dur >= 0xFFFF-longEventSlack && d <= 0xFFFF+longEventSlack:
			*t = eventTracker{have: true, ts: ts, code: e.Code, ended: e.End, dur: e.Duration}
			return false
		}
	}
	*t = eventTracker{have: true, ts: ts, code: e.Code, ended: e.End, dur: e.Duration}
	return true
}
