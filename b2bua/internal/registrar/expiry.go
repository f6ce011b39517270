package registrar

import (
	"container/heap"
	"sync"
	"time"
)

// expiryIndex tells which AORs have bindings to expire and when: a min-heap
// with at most one live entry per AOR (its earliest expiry). An entry
// whose AOR's earliest expiry moved is found stale when it comes up and is
// dropped or pushed again. mu guards all.
type expiryIndex struct {
	mu sync.Mutex
	h  expiryHeap
	at map[string]time.Time // AOR -> time of its entry in h
}

func newExpiryIndex() *expiryIndex {
	return &expiryIndex{at: make(map[string]time.Time)}
}

type expiryEntry struct {
	t   time.Time
	aor string
}

type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].t.Before(h[j].t) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// set records the earliest expiry of aor (ok false: no bindings left).
func (x *expiryIndex) set(aor string, t time.Time, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !ok {
		delete(x.at, aor) // its heap entry, if any, is now stale
		return
	}
	if cur, has := x.at[aor]; has && !t.Before(cur) {
		return // the entry comes up first; it is pushed again then
	}
	x.at[aor] = t
	heap.Push(&x.h, expiryEntry{t: t, aor: aor})
}

// due pops the AORs whose entry is due at now. Their entries are gone; the
// caller calls set again for those that keep bindings.
func (x *expiryIndex) due(now time.Time) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	for len(x.h) > 0 && !x.h[0].t.After(now) {
		e := heap.Pop(&x.h).(expiryEntry)
		if t, ok := x.at[e.aor]; ok && t.Equal(e.t) {
			delete(x.at, e.aor)
			out = append(out, e.aor)
		}
	}
	return out
}

// next is the earliest live entry.
func (x *expiryIndex) next() (time.Time, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for len(x.h) > 0 {
		e := x.h[0]
		if t, ok := x.at[e.aor]; ok && t.Equal(e.t) {
			return e.t, true
		}
		heap.Pop(&x.h) // stale
	}
	return time.Time{}, false
}
