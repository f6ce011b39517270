package mixer

import (
	"testing"
	"time"
)

func TestTalkStep(t *testing.T) {
	p := talkParams{startEnergy: 100, stopEnergy: 50, attack: 2, hold: 3}
	tests := []struct {
		name   string
		s      talkState
		energy int64
		want   talkState
		change talkChange
	}{
		{"quiet stays quiet", talkState{}, 10, talkState{}, talkNoChange},
		{"below start does not count", talkState{}, 99, talkState{}, talkNoChange},
		{"first loud frame counts", talkState{}, 100, talkState{run: 1}, talkNoChange},
		{"attack reached starts", talkState{run: 1}, 100, talkState{talking: true}, talkStarted},
		{"between levels resets the attack", talkState{run: 1}, 60, talkState{}, talkNoChange},
		{"talking between levels stays talking", talkState{talking: true}, 60, talkState{talking: true}, talkNoChange},
		{"talking exactly at stop level stays", talkState{talking: true, run: 2}, 50, talkState{talking: true}, talkNoChange},
		{"first quiet frame counts", talkState{talking: true}, 49, talkState{talking: true, run: 1}, talkNoChange},
		{"hold reached stops", talkState{talking: true, run: 2}, 0, talkState{}, talkStopped},
		{"loud frame resets the hold", talkState{talking: true, run: 2}, 1000, talkState{talking: true}, talkNoChange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ch := talkStep(tt.s, tt.energy, p)
			if got != tt.want || ch != tt.change {
				t.Fatalf("talkStep(%+v, %d) = %+v, %d; want %+v, %d", tt.s, tt.energy, got, ch, tt.want, tt.change)
			}
		})
	}
}

// TestTalkSequence: a burst shorter than the attack and a gap shorter than
// the hold change nothing.
func TestTalkSequence(t *testing.T) {
	p := talkParams{startEnergy: 100, stopEnergy: 50, attack: 2, hold: 3}
	energies := []int64{0, 200, 0, 200, 200, 200, 0, 0, 200, 70, 0, 0, 0, 0}
	wantAt := map[int]talkChange{4: talkStarted, 12: talkStopped}
	var s talkState
	for i, e := range energies {
		var ch talkChange
		s, ch = talkStep(s, e, p)
		if ch != wantAt[i] {
			t.Errorf("frame %d (energy %d): change %d, want %d", i, e, ch, wantAt[i])
		}
	}
}

func TestNewTalkParams(t *testing.T) {
	p := newTalkParams(TalkConfig{StartDBov: -40, StopDBov: -46, Attack: 30 * time.Millisecond, Hold: 600 * time.Millisecond})
	if p.attack != 2 || p.hold != 30 {
		t.Fatalf("attack %d hold %d frames, want 2 and 30", p.attack, p.hold)
	}
	// -40 dBov is an RMS of 327.68: a frame of 160 samples of ±328 is just
	// above it, ±327 just below.
	var loud, quiet frame16
	for i := range loud {
		loud[i], quiet[i] = 328, 327
		if i%2 == 1 {
			loud[i], quiet[i] = -328, -327
		}
	}
	if energy(&loud) < p.startEnergy || energy(&quiet) >= p.startEnergy {
		t.Fatalf("start energy %d: loud %d quiet %d", p.startEnergy, energy(&loud), energy(&quiet))
	}
	if p.stopEnergy >= p.startEnergy {
		t.Fatal("stop level not below start level")
	}
	if z := newTalkParams(TalkConfig{StartDBov: -40, StopDBov: -40}); z.attack != 1 || z.hold != 1 {
		t.Fatalf("zero attack and hold give %d and %d frames, want 1", z.attack, z.hold)
	}
}
