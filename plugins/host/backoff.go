package host

import (
	"math/rand/v2"
	"time"
)

// backoff spaces a plugin's restarts: min, 2·min, 4·min… capped at max,
// each wait drawn uniformly from the upper half of the step ("equal
// jitter"), so that plugins that died together do not come back in step.
type backoff struct {
	min, max time.Duration
	n        int            // attempts since the last reset
	rand     func() float64 // [0, 1); rand.Float64 unless a test sets it
}

func newBackoff(min, max time.Duration) *backoff {
	return &backoff{min: min, max: max, rand: rand.Float64}
}

// next is the wait before the next attempt.
func (b *backoff) next() time.Duration {
	d := b.min
	for i := 0; i < b.n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	b.n++
	half := d / 2
	return half + time.Duration(b.rand()*float64(d-half))
}

// reset starts over from min.
func (b *backoff) reset() { b.n = 0 }
