package main

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// wakeProbe measures how late the generator's own 1 ms timer wakes up
// during the run: when every request (the echo too) is slow at the same
// moment and this is late as well, the machine (or the generator) stalled,
// not Tandem.
type wakeProbe struct {
	mu     sync.Mutex
	late   []time.Duration         // every wake-up's lateness
	perSec map[int64]time.Duration // second of the run -> its worst
	done   chan struct{}           // closed when run returns
}

func newWakeProbe() *wakeProbe {
	return &wakeProbe{perSec: map[int64]time.Duration{}, done: make(chan struct{})}
}

// run wakes up every 1 ms until stop is closed.
func (p *wakeProbe) run(start time.Time, stop <-chan struct{}) {
	defer close(p.done)
	for {
		select {
		case <-stop:
			return
		default:
		}
		t0 := time.Now()
		time.Sleep(time.Millisecond)
		now := time.Now()
		l := max(0, now.Sub(t0)-time.Millisecond)
		s := int64(now.Sub(start) / time.Second)
		p.mu.Lock()
		p.late = append(p.late, l)
		if l > p.perSec[s] {
			p.perSec[s] = l
		}
		p.mu.Unlock()
	}
}

// wait returns once run has returned.
func (p *wakeProbe) wait() { <-p.done }

// stats: lateness p50, p99, max, and the seconds with a wake-up more than
// 10 ms late.
func (p *wakeProbe) stats() (p50, p99, mx time.Duration, over int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.perSec {
		if l > 10*time.Millisecond {
			over++
		}
	}
	return loadkit.Pct(p.late, 50), loadkit.Pct(p.late, 99), loadkit.Pct(p.late, 100), over
}

// seconds is each second's worst lateness, in order.
func (p *wakeProbe) seconds() ([]int64, map[int64]time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	secs := make([]int64, 0, len(p.perSec))
	for s := range p.perSec {
		secs = append(secs, s)
	}
	slices.Sort(secs)
	return secs, maps.Clone(p.perSec)
}
