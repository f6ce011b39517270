package mixer_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// testRoom is a room driven by a fake clock.
type testRoom struct {
	t   testing.TB
	r   *mixer.Room
	now time.Time

	mu     sync.Mutex
	events []mixer.Event
}

func newTestRoom(t testing.TB, cfg mixer.Config) *testRoom {
	t.Helper()
	tr := &testRoom{t: t, now: time.Unix(1_700_000_000, 0)}
	r, err := mixer.NewRoom("room-1", cfg, nil, func(e mixer.Event) {
		tr.mu.Lock()
		tr.events = append(tr.events, e)
		tr.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.r = r
	return tr
}

// tick advances the clock one period and ticks the room.
func (tr *testRoom) tick() {
	tr.now = tr.now.Add(mixer.Period)
	tr.r.Tick(tr.now)
}

func (tr *testRoom) takeEvents() []mixer.Event {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	e := tr.events
	tr.events = nil
	return e
}

// phone is a participant's far end: it sends frames and records what it
// is sent.
type phone struct {
	t    testing.TB
	p    *mixer.Participant
	law  g711.Law
	ssrc uint32
	seq  uint16
	ts   uint32

	mu    sync.Mutex
	heard [][]int16 // decoded, one frame per tick
	raw   [][]byte
	hdrs  []rtp.Header
}

func (tr *testRoom) join(id string, law g711.Law, set ...func(*mixer.ParticipantConfig)) *phone {
	tr.t.Helper()
	ph := &phone{t: tr.t, law: law, ssrc: uint32(len(id)*7919) + uint32(id[0]), seq: firstSeq, ts: 50000}
	c := mixer.ParticipantConfig{ID: id, PayloadType: law.PayloadType(), Sink: ph}
	for _, f := range set {
		f(&c)
	}
	p, err := tr.r.Add(c)
	if err != nil {
		tr.t.Fatal(err)
	}
	ph.p = p
	return ph
}

// WriteRTP records a packet the mixer sends to the phone.
func (ph *phone) WriteRTP(pkt *rtp.Packet) error {
	pcm := make([]int16, len(pkt.Payload))
	ph.law.Decode(pcm, pkt.Payload)
	ph.mu.Lock()
	defer ph.mu.Unlock()
	ph.heard = append(ph.heard, pcm)
	ph.raw = append(ph.raw, append([]byte(nil), pkt.Payload...))
	ph.hdrs = append(ph.hdrs, pkt.Header)
	return nil
}

// last is the frame the phone was sent at the last tick.
func (ph *phone) last() []int16 {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	if len(ph.heard) == 0 {
		ph.t.Fatal("nothing heard")
	}
	return ph.heard[len(ph.heard)-1]
}

// packet is the next audio packet of the phone's stream.
func (ph *phone) packet(samples []int16) *rtp.Packet {
	payload := make([]byte, len(samples))
	ph.law.Encode(payload, samples)
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: ph.law.PayloadType(), SequenceNumber: ph.seq, Timestamp: ph.ts, SSRC: ph.ssrc}, Payload: payload}
	ph.seq++
	ph.ts += mixer.FrameSamples
	return pkt
}

// send sends the next frame.
func (ph *phone) send(samples []int16) {
	ph.t.Helper()
	if err := ph.p.WriteRTP(ph.packet(samples)); err != nil {
		ph.t.Fatalf("%s: WriteRTP: %v", ph.p.ID(), err)
	}
}

// skip loses the next frame on the way.
func (ph *phone) skip() { ph.packet(silence()) }

// sendEvent sends a telephone-event packet with the stream's sequence
// number and the given timestamp (the event's start).
func (ph *phone) sendEvent(pt uint8, ts uint32, ev mixer.TelephoneEvent) error {
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: ph.seq, Timestamp: ts, SSRC: ph.ssrc}, Payload: ev.Marshal(nil)}
	ph.seq++
	return ph.p.WriteRTP(pkt)
}

// tone is frame n of a sine of freq Hz and amplitude amp, phase continuous
// across frames.
func tone(freq, amp float64, n int) []int16 {
	s := make([]int16, mixer.FrameSamples)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(n*mixer.FrameSamples+i)/mixer.SampleRate)))
	}
	return s
}

func constant(v int16) []int16 {
	s := make([]int16, mixer.FrameSamples)
	for i := range s {
		s[i] = v
	}
	return s
}

func silence() []int16 { return constant(0) }

// level is the amplitude of the freq Hz component of a frame (a DFT bin:
// exact for tones with a whole number of periods in 20 ms).
func level(x []int16, freq float64) float64 {
	var re, im float64
	for i, s := range x {
		ph := 2 * math.Pi * freq * float64(i) / mixer.SampleRate
		re += float64(s) * math.Cos(ph)
		im += float64(s) * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(x))
}

func mean(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

// near reports whether got is within 5% (plus G.711 noise) of want.
func near(got, want float64) bool { return math.Abs(got-want) <= 0.05*math.Abs(want)+150 }
