package mixer

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestDueSlots(t *testing.T) {
	start := time.Unix(1000, 0)
	ms := time.Millisecond
	tests := []struct {
		name              string
		phases            int
		now               time.Duration // after start
		last              int64
		from, to, skipped int64
	}{
		{"one phase: first tick on time", 1, 20 * ms, 0, 1, 1, 0},
		{"one phase: a little late", 1, 24 * ms, 0, 1, 1, 0},
		{"one phase: late by more than a period skips one", 1, 65 * ms, 1, 3, 3, 1},
		{"one phase: a long stall runs only the latest tick", 1, 1000 * ms, 1, 50, 50, 48},
		{"one phase: woken early runs the next tick, never one twice", 1, 39 * ms, 1, 2, 2, 0},
		{"ten phases: on time", 10, 2 * ms, 0, 1, 1, 0},
		{"ten phases: 5 ms late catches up three slots", 10, 9 * ms, 1, 2, 4, 0},
		{"ten phases: late by just under a period runs them all", 10, 21 * ms, 1, 2, 10, 0},
		{"ten phases: late by a period and more skips the superseded", 10, 27 * ms, 1, 4, 13, 2},
		{"ten phases: a long stall runs each phase once", 10, 1000 * ms, 7, 491, 500, 483},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot := Period / time.Duration(tt.phases)
			from, to, skipped := dueSlots(start, start.Add(tt.now), tt.last, slot, tt.phases)
			if from != tt.from || to != tt.to || skipped != tt.skipped {
				t.Fatalf("dueSlots(+%v, %d) = %d..%d skipped %d; want %d..%d skipped %d", tt.now, tt.last, from, to, skipped, tt.from, tt.to, tt.skipped)
			}
			if to-from+1 > int64(tt.phases) {
				t.Fatalf("%d slots at once: a phase would run twice", to-from+1)
			}
		})
	}
}

// TestClockDoesNotDrift: a worker that always wakes up to 15 ms late still
// runs every slot, at the times of the original schedule, none skipped, and
// each phase a period after its previous run.
func TestClockDoesNotDrift(t *testing.T) {
	start := time.Unix(0, 0)
	const phases = 10
	slot := Period / phases
	rng := rand.New(rand.NewPCG(1, 2))
	var last int64
	for range 100000 {
		wake := slotTime(start, last+1, slot).Add(time.Duration(rng.IntN(15_000)) * time.Microsecond)
		from, to, skipped := dueSlots(start, wake, last, slot, phases)
		if from != last+1 || skipped != 0 || to < from {
			t.Fatalf("after slot %d, woken at +%v: %d..%d, skipped %d", last, wake.Sub(start), from, to, skipped)
		}
		last = to
	}
	if d := slotTime(start, last+phases, slot).Sub(slotTime(start, last, slot)); d != Period {
		t.Fatalf("a phase recurs after %v", d)
	}
	if got := slotTime(start, last, slot); got != start.Add(time.Duration(last)*Period/phases) {
		t.Fatalf("slot %d due at %v", last, got.Sub(start))
	}
}
