package mixer

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestNextTick(t *testing.T) {
	start := time.Unix(1000, 0)
	ms := time.Millisecond
	tests := []struct {
		name          string
		now           time.Duration // after start
		last          int64
		tick, skipped int64
	}{
		{"first tick on time", 20 * ms, 0, 1, 0},
		{"first tick a little late", 24 * ms, 0, 1, 0},
		{"second tick", 40 * ms, 1, 2, 0},
		{"late by more than a period: one skipped", 65 * ms, 1, 3, 1},
		{"a long stall runs only the latest tick", 1000 * ms, 1, 50, 48},
		{"woken early still runs the next tick, never one twice", 39 * ms, 1, 2, 0},
		{"just under two periods late", 79 * ms, 1, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tick, skipped := nextTick(start, start.Add(tt.now), tt.last)
			if tick != tt.tick || skipped != tt.skipped {
				t.Fatalf("nextTick(+%v, %d) = %d, %d; want %d, %d", tt.now, tt.last, tick, skipped, tt.tick, tt.skipped)
			}
		})
	}
}

// TestClockDoesNotDrift: a worker that always wakes up to 15 ms late (and
// takes time to tick) still runs every tick, at the times of the original
// schedule, with none skipped.
func TestClockDoesNotDrift(t *testing.T) {
	start := time.Unix(0, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	var last int64
	for range 100000 {
		wake := tickTime(start, last+1).Add(time.Duration(rng.IntN(15_000)) * time.Microsecond)
		tick, skipped := nextTick(start, wake, last)
		if tick != last+1 || skipped != 0 {
			t.Fatalf("after tick %d, woken at +%v: tick %d, skipped %d", last, wake.Sub(start), tick, skipped)
		}
		last = tick
	}
	if got := tickTime(start, last); got != start.Add(100000*Period) {
		t.Fatalf("tick 100000 due at %v", got.Sub(start))
	}
}
