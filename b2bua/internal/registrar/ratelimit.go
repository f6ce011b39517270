package registrar

import (
	"sync"
	"time"
)

// failLimiter is a token bucket per source address, spent by failed
// authentication attempts: burst attempts, then one per every. A source
// whose bucket is empty is refused before its credentials are checked. At
// most max sources are tracked; when full, sources whose bucket has
// refilled (they are as good as untracked) are forgotten, else an arbitrary
// one. mu guards m.
type failLimiter struct {
	mu    sync.Mutex
	burst float64
	every time.Duration
	max   int
	m     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newFailLimiter(burst int, every time.Duration, max int) *failLimiter {
	return &failLimiter{burst: float64(burst), every: every, max: max, m: make(map[string]*bucket)}
}

func (l *failLimiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.last = now
	}
}

// blocked reports whether src has no attempt left.
func (l *failLimiter) blocked(src string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[src]
	if !ok {
		return false
	}
	l.refill(b, now)
	return b.tokens < 1
}

// fail spends one attempt of src.
func (l *failLimiter) fail(src string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[src]
	if !ok {
		if len(l.m) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.m[src] = b
	}
	l.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

func (l *failLimiter) evict(now time.Time) {
	for k, b := range l.m {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.m, k)
		}
	}
	for k := range l.m {
		if len(l.m) < l.max {
			return
		}
		delete(l.m, k)
	}
}

func (l *failLimiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
