package registrar

import (
	"sync"
	"time"
)

// nonceCounts remembers the last nonce-count used with each live nonce, so
// that a replayed request (same nonce, nonce-count not above the last) is
// refused. It holds at most max nonces: when full it forgets the oldest
// and raises a floor, so that any untracked nonce issued at or before the
// floor is refused as stale (the UA just gets a new nonce); a forgotten
// nonce can therefore never be replayed. mu guards all.
type nonceCounts struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	m     map[string]*ncEntry
	q     []*ncEntry // insertion order; q[head:] are live
	head  int
	floor int64 // issue time (Unix ns) at or below which untracked nonces are refused
}

type ncEntry struct {
	nonce  string
	issued int64
	last   uint32
}

func newNonceCounts(max int, ttl time.Duration) *nonceCounts {
	return &nonceCounts{max: max, ttl: ttl, m: make(map[string]*ncEntry)}
}

// use records nonce-count nc for nonce (issued at issued) and reports
// whether it is new: above every count used before with this nonce.
func (n *nonceCounts) use(nonce string, issued time.Time, nc uint32, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, ok := n.m[nonce]; ok {
		if nc <= e.last {
			return false
		}
		e.last = nc
		return true
	}
	if issued.UnixNano() <= n.floor {
		return false
	}
	// forget nonces past their lifetime (they are refused as stale anyway)
	cut := now.Add(-n.ttl).UnixNano()
	for n.head < len(n.q) && n.q[n.head].issued < cut {
		n.drop(false)
	}
	for len(n.m) >= n.max {
		n.drop(true)
	}
	e := &ncEntry{nonce: nonce, issued: issued.UnixNano(), last: nc}
	n.m[nonce] = e
	n.q = append(n.q, e)
	if n.head > 1024 && n.head > len(n.q)/2 {
		n.q = append(n.q[:0], n.q[n.head:]...)
		n.head = 0
	}
	return true
}

// drop forgets the oldest entry; raise moves the floor to it.
func (n *nonceCounts) drop(raise bool) {
	e := n.q[n.head]
	n.q[n.head] = nil
	n.head++
	delete(n.m, e.nonce)
	if raise && e.issued > n.floor {
		n.floor = e.issued
	}
}

// len is the number of tracked nonces.
func (n *nonceCounts) len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.m)
}
