package mixer_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// FuzzParseTelephoneEvent: any payload parses or is refused for its
// length; a parsed event marshals back to its block (R bit cleared).
func FuzzParseTelephoneEvent(f *testing.F) {
	f.Add([]byte{5, 0x8A, 0x03, 0x20})
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{255, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := mixer.ParseTelephoneEvent(b)
		if err != nil {
			if !errors.Is(err, mixer.ErrTelephoneEventLength) || (len(b) >= 4 && len(b)%4 == 0) {
				t.Fatalf("%x: %v", b, err)
			}
			return
		}
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if got := e.Marshal(nil); string(got) != string(want) {
			t.Fatalf("%x → %+v → %x", b, e, got)
		}
	})
}

// FuzzWrite: datagrams of any content given to one participant never
// panic, never make another participant miss a packet, and are all
// accounted for in the stats.
func FuzzWrite(f *testing.F) {
	good := func(pt uint8, seq uint16, ssrc uint32, payload []byte) []byte {
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: ssrc}, Payload: payload}).Marshal()
		return b
	}
	frame := make([]byte, 160)
	var seeds []byte
	for i := range 6 { // a valid stream with a telephone-event
		seeds = appendDatagram(seeds, good(0, uint16(i), 7, frame))
	}
	seeds = appendDatagram(seeds, good(101, 6, 7, []byte{1, 0x80, 0, 160}))
	seeds = appendDatagram(seeds, good(101, 7, 7, []byte{1, 0x80, 0, 160}))
	f.Add(seeds)
	f.Add(appendDatagram(appendDatagram(nil, good(0, 9, 8, frame[:10])), []byte{0x80, 0, 0}))
	f.Add([]byte{0xff, 0xff, 0x90, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := mixer.NewRoom("fuzz", mixer.Config{InputQueue: 4}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.Add(mixer.ParticipantConfig{ID: "a", PayloadType: 0, EventPayloadType: 101, Sink: mixer.SinkFunc(func(*rtp.Packet) error { return nil })})
		if err != nil {
			t.Fatal(err)
		}
		var heard int
		if _, err := r.Add(mixer.ParticipantConfig{ID: "b", PayloadType: 8, Sink: mixer.SinkFunc(func(p *rtp.Packet) error {
			if len(p.Payload) != mixer.FrameSamples || p.PayloadType != 8 {
				t.Fatalf("b sent %d bytes of payload type %d", len(p.Payload), p.PayloadType)
			}
			heard++
			return nil
		})}); err != nil {
			t.Fatal(err)
		}
		now := time.Unix(0, 0)
		ticks, sent := 0, 0
		for len(data) > 0 {
			var d []byte
			d, data = nextDatagram(data)
			_ = a.Write(d)
			sent++
			if sent%3 == 0 {
				now = now.Add(mixer.Period)
				r.Tick(now)
				ticks++
			}
		}
		for range 4 {
			now = now.Add(mixer.Period)
			r.Tick(now)
			ticks++
		}
		if heard != ticks {
			t.Fatalf("b was sent %d packets in %d ticks", heard, ticks)
		}
		s := a.Stats()
		if s.PacketsIn != uint64(sent) || s.Played+s.Dropped > s.PacketsIn || s.PacketsOut != uint64(ticks) {
			t.Fatalf("%d sent, stats %+v", sent, s)
		}
	})
}

// appendDatagram appends d with a two-byte length.
func appendDatagram(b, d []byte) []byte {
	return append(binary.BigEndian.AppendUint16(b, uint16(len(d))), d...)
}

// nextDatagram splits a length-prefixed datagram off data; a bad length
// takes the rest.
func nextDatagram(data []byte) (d, rest []byte) {
	if len(data) < 2 {
		return data, nil
	}
	n := int(binary.BigEndian.Uint16(data))
	data = data[2:]
	if n > len(data) {
		return data, nil
	}
	return data[:n], data[n:]
}
