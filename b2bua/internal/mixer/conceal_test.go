package mixer_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// TestConcealment: when a's packets stop, b hears a's last frame repeated,
// 6 dB quieter each time, three times, then silence; when they come back,
// a is heard again after the jitter delay.
func TestConcealment(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Alaw)
	var heard []float64
	for n := range 16 {
		if n < 6 || n >= 12 {
			a.send(tone(freqA, amp, n))
		} else {
			a.skip() // lost
		}
		b.send(silence())
		tr.tick()
		heard = append(heard, level(b.last(), freqA))
	}
	// Frame k plays at tick k+1 until the buffer runs dry: frame 5 at tick
	// 6; ticks 7-9 conceal; 10-12 silent; frame 12 arrives at tick 12 and
	// plays after the delay, at tick 13.
	want := []float64{0, amp, amp, amp, amp, amp, amp, amp / 2, amp / 4, amp / 8, 0, 0, 0, amp, amp, amp}
	for i := range want {
		if !near(heard[i], want[i]) && !(want[i] < 1000 && heard[i] < want[i]+60) {
			t.Fatalf("tick %d: b hears a at %.0f, want %.0f (all: %.0f)", i, heard[i], want[i], heard)
		}
	}
	s := a.p.Stats()
	if s.Concealed != 3 || s.Played != 9 || s.Silent != 4 || s.Dropped != 0 { // frame 15 would play at tick 16
		t.Fatalf("stats %+v", s)
	}
}

// TestSingleLossShortensDelay: a lost packet with a frame still buffered
// costs no concealment (the buffer plays the next frame a tick early); a
// second loss, with the buffer empty, is concealed once.
func TestSingleLossShortensDelay(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw)
	tr.join("b", g711.Ulaw)
	for n := range 14 {
		if n == 5 || n == 9 {
			a.skip()
		} else {
			a.send(tone(freqA, amp, n))
		}
		tr.tick()
	}
	if s := a.p.Stats(); s.Concealed != 1 || s.Played != 12 {
		t.Fatalf("stats %+v", s)
	}
}

// TestConcealmentOff: with ConcealFrames negative a gap is silent.
func TestConcealmentOff(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{ConcealFrames: -1})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Ulaw)
	for n := range 10 {
		if n < 4 {
			a.send(tone(freqA, amp, n))
		} else {
			a.skip()
		}
		tr.tick()
		if n == 5 && level(b.last(), freqA) > 60 {
			t.Fatal("concealed although turned off")
		}
	}
	if s := a.p.Stats(); s.Concealed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestReordered: frames arriving out of order within the jitter window are
// played in order; duplicates and late frames are dropped and counted.
func TestReordered(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{JitterDelay: 3})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Ulaw)
	pkts := make([]func() error, 0)
	for n := range 12 {
		pkt := a.packet(constant(int16(1000 * (n + 1))))
		pkts = append(pkts, func() error { return a.p.WriteRTP(pkt) })
	}
	order := [][]int{{0}, {2}, {1, 1}, {3}, {5}, {4}, {6}, {7, 2}, {8}, {9}, {10}, {11}}
	var means []float64
	for _, batch := range order {
		for _, i := range batch {
			if err := pkts[i](); err != nil {
				t.Fatal(err)
			}
		}
		tr.tick()
		means = append(means, mean(b.last()))
	}
	// Playout starts once three frames are held (tick 2) and goes in order.
	for i, m := range means[2:] {
		if want := float64(1000 * (i + 1)); !near(m, want) {
			t.Fatalf("tick %d: b hears %.0f, want %.0f (all %.0f)", i+2, m, want, means)
		}
	}
	if s := a.p.Stats(); s.Duplicate != 1 || s.Late != 1 || s.Dropped != 2 {
		t.Fatalf("stats %+v", s)
	}
}
