package mixer_test

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// firstSeq is the first sequence number of a phone's stream.
const firstSeq = 1000

// flooder makes the bad packets a hostile or broken c sends.
type flooder struct {
	rng  *rand.Rand
	ssrc uint32 // c's real SSRC
	seq  uint16 // a sequence number c's stream had long before
	loud []byte // a loud frame
}

func newFlooder(seed uint64, c *phone) *flooder {
	loud := make([]byte, mixer.FrameSamples)
	c.law.Encode(loud, tone(1500, 30000, 0))
	return &flooder{rng: rand.New(rand.NewPCG(seed, 7)), ssrc: c.ssrc, seq: firstSeq - 50, loud: loud}
}

// send writes one bad packet of kind i to p.
func (f *flooder) send(p *mixer.Participant, i int) {
	hdr := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(f.rng.Uint32()), Timestamp: f.rng.Uint32(), SSRC: f.ssrc}
	switch i % 7 {
	case 0: // random bytes
		b := make([]byte, f.rng.IntN(300))
		for i := range b {
			b[i] = byte(f.rng.Uint32())
		}
		_ = p.Write(b)
	case 1: // loud audio from a stranger: a new random SSRC each time
		hdr.SSRC = f.rng.Uint32() | 1
		_ = p.WriteRTP(&rtp.Packet{Header: hdr, Payload: f.loud})
	case 2: // wrong payload length
		_ = p.WriteRTP(&rtp.Packet{Header: hdr, Payload: f.loud[:f.rng.IntN(mixer.FrameSamples)]})
	case 3: // wrong payload type
		hdr.PayloadType = uint8(f.rng.IntN(128))
		if hdr.PayloadType == 0 {
			hdr.PayloadType = 13
		}
		_ = p.WriteRTP(&rtp.Packet{Header: hdr, Payload: f.loud})
	case 4: // not RTP version 2
		hdr.Version = uint8(f.rng.IntN(2))
		_ = p.WriteRTP(&rtp.Packet{Header: hdr, Payload: f.loud})
	case 5: // loud replay of an old sequence number of c's own stream
		hdr.SequenceNumber = f.seq
		_ = p.WriteRTP(&rtp.Packet{Header: hdr, Payload: f.loud})
	case 6: // truncated datagram
		b, _ := (&rtp.Packet{Header: hdr, Payload: f.loud}).Marshal()
		_ = p.Write(b[:f.rng.IntN(12)])
	}
}

// TestFloodIsolated: c floods its input with garbage, strangers' packets,
// replays and more packets than its queue holds, from the tick's goroutine
// and from another one. a and b hear each other exactly as they do when c
// behaves; all the damage is counted on c.
func TestFloodIsolated(t *testing.T) {
	run := func(flood bool) (a, b *phone, room *testRoom) {
		tr := newTestRoom(t, mixer.Config{})
		a, b = tr.join("a", g711.Ulaw), tr.join("b", g711.Alaw)
		c := tr.join("c", g711.Ulaw)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for n := range 60 {
			a.send(tone(freqA, amp, n))
			b.send(tone(freqB, amp, n))
			if flood && n >= 3 {
				f := newFlooder(uint64(n), c)
				for i := range 700 {
					f.send(c.p, i)
				}
				if n == 3 {
					wg.Go(func() {
						f := newFlooder(99, c)
						for i := 0; ; i++ {
							select {
							case <-stop:
								return
							default:
								f.send(c.p, i)
							}
						}
					})
				}
			}
			_ = c.p.WriteRTP(c.packet(silence())) // c's own (silent) stream, dropped when its queue is full
			tr.tick()
		}
		close(stop)
		wg.Wait()
		return a, b, tr
	}
	refA, refB, _ := run(false)
	a, b, tr := run(true)
	for i := range refA.raw {
		if !bytes.Equal(a.raw[i], refA.raw[i]) || !bytes.Equal(b.raw[i], refB.raw[i]) {
			t.Fatalf("tick %d: a or b hears something else while c floods", i)
		}
	}
	for _, s := range tr.r.Stats().Participants {
		switch s.ID {
		case "a", "b":
			if s.PacketsIn != 60 || s.Dropped != 0 || s.Played != 59 || s.Concealed != 0 {
				t.Errorf("%s disturbed: %+v", s.ID, s)
			}
		case "c":
			if s.QueueFull == 0 || s.Malformed == 0 || s.WrongPayloadType == 0 || s.WrongSSRC == 0 || s.Late+s.Jumps == 0 {
				t.Errorf("c's drops not all counted: %+v", s)
			}
			if s.Dropped > s.PacketsIn || s.SSRCChanges != 0 || s.Resyncs != 0 {
				t.Errorf("c: %+v", s)
			}
			t.Logf("c: %d packets in, %d dropped (queue full %d, malformed %d, wrong PT %d, wrong SSRC %d, late %d, jumps %d)",
				s.PacketsIn, s.Dropped, s.QueueFull, s.Malformed, s.WrongPayloadType, s.WrongSSRC, s.Late, s.Jumps)
		}
	}
}

// TestSSRCChange: a new stream (re-INVITE, transfer) is taken after four
// packets in a row; until then its packets are dropped and the old
// stream's silence is concealed.
func TestSSRCChange(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Ulaw)
	var heard []float64
	for n := range 20 {
		if n == 8 {
			a.ssrc, a.seq, a.ts = 0xBEEF, 40000, 7
		}
		a.send(tone(freqA, amp, n))
		tr.tick()
		heard = append(heard, level(b.last(), freqA))
	}
	s := a.p.Stats()
	if s.WrongSSRC != 3 || s.SSRCChanges != 1 {
		t.Fatalf("stats %+v", s)
	}
	for n := 14; n < 20; n++ {
		if !near(heard[n], amp) {
			t.Fatalf("tick %d: b hears a at %.0f after the switch (all %.0f)", n, heard[n], heard)
		}
	}
}

// TestSpoofedSource: packets of another SSRC interleaved with the real
// stream are never heard.
func TestSpoofedSource(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Ulaw)
	spoof := &phone{t: t, law: g711.Ulaw, ssrc: 0x5B00F, seq: 1002, ts: 50000}
	for n := range 20 {
		a.send(tone(freqA, amp, n))
		for range 3 { // fewer in a row than SSRCSwitchAfter
			if err := a.p.WriteRTP(spoof.packet(tone(freqC, amp, n))); err != nil {
				t.Fatal(err)
			}
		}
		tr.tick()
		if n >= 2 && (level(b.last(), freqC) > 150 || !near(level(b.last(), freqA), amp)) {
			t.Fatalf("tick %d: b hears the spoofer", n)
		}
	}
	if s := a.p.Stats(); s.WrongSSRC != 60 || s.SSRCChanges != 0 {
		t.Fatalf("stats %+v", s)
	}
}
