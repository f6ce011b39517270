package host

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const min, max = 100 * time.Millisecond, time.Second
	for _, tc := range []struct {
		name string
		rnd  float64
		want []time.Duration
	}{
		// The upper half of each step: min·2^n capped at max.
		{"lowest", 0, []time.Duration{50, 100, 200, 400, 500, 500}},
		{"middle", 0.5, []time.Duration{75, 150, 300, 600, 750, 750}},
		{"highest", 0.999999, []time.Duration{99, 199, 399, 799, 999, 999}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(min, max)
			b.rand = func() float64 { return tc.rnd }
			for i, w := range tc.want {
				if got := b.next().Truncate(time.Millisecond); got != w*time.Millisecond {
					t.Errorf("attempt %d: %v, want %v", i, got, w*time.Millisecond)
				}
			}
			b.reset()
			if got := b.next().Truncate(time.Millisecond); got != tc.want[0]*time.Millisecond {
				t.Errorf("after reset: %v, want %v", got, tc.want[0]*time.Millisecond)
			}
		})
	}
	// Many attempts never overflow past max.
	b := newBackoff(min, max)
	for range 200 {
		if d := b.next(); d > max || d < max/2 && b.n > 5 {
			t.Fatalf("attempt %d: %v", b.n, d)
		}
	}
}
