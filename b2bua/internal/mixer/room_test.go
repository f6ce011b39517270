package mixer_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// Three tones with a whole number of periods per frame, so each is
// measured apart from the others.
const (
	freqA, freqB, freqC = 400.0, 1000.0, 2000.0
	amp                 = 8000.0
)

// TestEachHearsTheOthers: three participants (µ-law and A-law mixed) send
// tones; each hears the other two and not itself; a fourth who only
// listens hears all three.
func TestEachHearsTheOthers(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Alaw)
	c := tr.join("c", g711.Ulaw)
	d := tr.join("d", g711.Alaw)
	freqs := map[*phone]float64{a: freqA, b: freqB, c: freqC}
	for n := range 20 {
		a.send(tone(freqA, amp, n))
		b.send(tone(freqB, amp, n))
		c.send(tone(freqC, amp, n))
		tr.tick()
		if n < 2 {
			continue // the jitter buffer fills
		}
		for listener, name := range map[*phone]string{a: "a", b: "b", c: "c", d: "d"} {
			heard := listener.last()
			for speaker, f := range freqs {
				got := level(heard, f)
				if speaker == listener {
					if got > 150 {
						t.Fatalf("tick %d: %s hears itself: %.0f at %v Hz", n, name, got, f)
					}
				} else if !near(got, amp) {
					t.Fatalf("tick %d: %s hears %v Hz at %.0f, want %.0f", n, name, f, got, amp)
				}
			}
		}
	}
	st := tr.r.Stats()
	if st.Ticks != 20 || st.MissedTicks != 0 || len(st.Participants) != 4 {
		t.Fatalf("room stats %+v", st)
	}
	for _, ps := range st.Participants {
		want := uint64(20)
		if ps.ID == "d" {
			want = 0
		}
		if ps.PacketsIn != want || ps.Dropped != 0 || ps.PacketsOut != 20 || ps.Concealed != 0 {
			t.Errorf("%s: %+v", ps.ID, ps)
		}
	}
}

// TestConstantSums: constant signals sum exactly (up to G.711 steps) to
// what each should hear.
func TestConstantSums(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Ulaw)
	c := tr.join("c", g711.Alaw)
	for range 5 {
		a.send(constant(1000))
		b.send(constant(2000))
		c.send(constant(-4000))
		tr.tick()
	}
	for _, tt := range []struct {
		ph   *phone
		want float64
	}{{a, -2000}, {b, -3000}, {c, 3000}} {
		if got := mean(tt.ph.last()); !near(got, tt.want) {
			t.Errorf("%s hears %.0f, want %.0f", tt.ph.p.ID(), got, tt.want)
		}
	}
}

// TestSaturation: sums beyond 16 bits clip instead of wrapping.
func TestSaturation(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	x, y, w := tr.join("x", g711.Ulaw), tr.join("y", g711.Alaw), tr.join("w", g711.Alaw)
	z := tr.join("z", g711.Ulaw) // listens only
	round := func(v, wv int16) {
		for range 3 {
			x.send(constant(v))
			y.send(constant(v))
			w.send(constant(wv))
			tr.tick()
		}
	}
	round(30000, -30000)
	if got := mean(z.last()); !near(got, 30000) {
		t.Errorf("z hears %.0f, want about 30000", got)
	}
	tests := []struct {
		name  string
		v     int16
		ph    *phone
		want  int16
		muteW bool
	}{
		{"µ-law listener, +60000 clips at the top code", 30000, z, 32124, true},
		{"A-law listener, +60000 clips at the top code", 30000, w, 32256, true},
		{"µ-law listener, -60000 clips at the bottom code", -30000, z, -32124, true},
		{"A-law listener, -60000 clips at the bottom code", -30000, w, -32256, true},
	}
	for _, tt := range tests {
		w.p.SetMuted(tt.muteW)
		round(tt.v, -tt.v)
		for _, v := range tt.ph.last() {
			if v != tt.want {
				t.Fatalf("%s: hears %d, want %d", tt.name, v, tt.want)
			}
		}
	}
}

// TestOutputStream: each participant's stream has its own SSRC, sequence
// numbers counting by one and timestamps by 160, a marker on the first
// packet; skipped ticks advance the timestamp, not the sequence number.
func TestOutputStream(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw, func(c *mixer.ParticipantConfig) { c.SSRC = 0xCAFE })
	b := tr.join("b", g711.Alaw)
	for range 5 {
		tr.tick()
	}
	tr.now = tr.now.Add(2 * mixer.Period) // the clock skips two ticks
	tr.tick()
	tr.tick()
	if a.p.SSRC() != 0xCAFE || b.p.SSRC() == 0 || a.p.SSRC() == b.p.SSRC() {
		t.Fatalf("SSRCs %#x %#x", a.p.SSRC(), b.p.SSRC())
	}
	for _, ph := range []*phone{a, b} {
		if len(ph.hdrs) != 7 {
			t.Fatalf("%s: %d packets, want 7", ph.p.ID(), len(ph.hdrs))
		}
		for i, h := range ph.hdrs {
			if h.Version != 2 || h.SSRC != ph.p.SSRC() || h.PayloadType != ph.law.PayloadType() || h.Marker != (i == 0) || len(ph.raw[i]) != mixer.FrameSamples {
				t.Fatalf("%s packet %d: %+v", ph.p.ID(), i, h)
			}
			if i == 0 {
				continue
			}
			wantTS := uint32(mixer.FrameSamples)
			if i == 5 {
				wantTS = 3 * mixer.FrameSamples
			}
			prev := ph.hdrs[i-1]
			if h.SequenceNumber != prev.SequenceNumber+1 || h.Timestamp-prev.Timestamp != wantTS {
				t.Fatalf("%s packet %d: seq %d ts %d after seq %d ts %d", ph.p.ID(), i, h.SequenceNumber, h.Timestamp, prev.SequenceNumber, prev.Timestamp)
			}
		}
		for _, v := range ph.last() {
			if v < -8 || v > 8 { // A-law silence is ±8
				t.Fatalf("%s hears %d in a silent room", ph.p.ID(), v)
			}
		}
	}
	if st := tr.r.Stats(); st.Ticks != 7 || st.MissedTicks != 2 {
		t.Fatalf("ticks %d missed %d, want 7 and 2", st.Ticks, st.MissedTicks)
	}
}

func TestRoomMembership(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{MaxParticipants: 2})
	a := tr.join("a", g711.Ulaw)
	bad := []mixer.ParticipantConfig{
		{ID: "", PayloadType: 0, Sink: a},
		{ID: "x", PayloadType: 9, Sink: a},
		{ID: "x", PayloadType: 0, EventPayloadType: 0x7F + 1, Sink: a},
		{ID: "x", PayloadType: 8, EventPayloadType: 8, Sink: a},
		{ID: "x", PayloadType: 0},
	}
	for _, c := range bad {
		if _, err := tr.r.Add(c); err == nil {
			t.Errorf("Add(%+v) accepted", c)
		}
	}
	if _, err := tr.r.Add(mixer.ParticipantConfig{ID: "a", PayloadType: 0, Sink: a}); err == nil {
		t.Error("duplicate id accepted")
	}
	tr.join("b", g711.Alaw)
	if _, err := tr.r.Add(mixer.ParticipantConfig{ID: "c", PayloadType: 0, Sink: a}); err == nil {
		t.Error("third participant accepted in a room of two")
	}
	if !tr.r.Remove("b") || tr.r.Remove("b") || tr.r.Len() != 1 {
		t.Fatal("Remove")
	}
	if p, ok := tr.r.Participant("a"); !ok || p != a.p {
		t.Fatal("Participant(a)")
	}
	tr.r.Close()
	if err := a.p.WriteRTP(a.packet(silence())); err != mixer.ErrClosed {
		t.Fatalf("WriteRTP after Close: %v", err)
	}
	if _, err := tr.r.Add(mixer.ParticipantConfig{ID: "z", PayloadType: 0, Sink: a}); err == nil {
		t.Fatal("Add after Close")
	}
	n := len(a.hdrs)
	tr.tick()
	if len(a.hdrs) != n {
		t.Fatal("a closed room still sends")
	}
}
