package registrar

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// memShards spreads the AORs over independently locked maps.
const memShards = 64

// MemStore is the in-memory Store: this node only, lost on restart.
//
// Lock order: a shard's mu, then expiryIndex.mu or watchers.mu.
type MemStore struct {
	seed    maphash.Seed
	shards  [memShards]memShard
	expiry  *expiryIndex
	version atomic.Uint64 // last Record.Version given
	count   atomic.Int64  // bindings
	watch   watchers
}

type memShard struct {
	mu   sync.RWMutex // guards recs
	recs map[string]Record
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	s := &MemStore{seed: maphash.MakeSeed(), expiry: newExpiryIndex()}
	for i := range s.shards {
		s.shards[i].recs = make(map[string]Record)
	}
	return s
}

func (s *MemStore) shard(aor string) *memShard {
	return &s.shards[maphash.String(s.seed, aor)%memShards]
}

// Get implements Store.
func (s *MemStore) Get(_ context.Context, aor string) (Record, error) {
	sh := s.shard(aor)
	sh.mu.RLock()
	r, ok := sh.recs[aor]
	sh.mu.RUnlock()
	if !ok {
		return Record{AOR: aor}, nil
	}
	return r, nil
}

// Update implements Store. fn runs under the AOR's shard lock.
func (s *MemStore) Update(_ context.Context, aor string, fn func(Record) (Record, error)) (Record, Record, error) {
	sh := s.shard(aor)
	sh.mu.Lock()
	old, ok := sh.recs[aor]
	if !ok {
		old = Record{AOR: aor}
	}
	nr, err := fn(old.clone())
	if err != nil {
		sh.mu.Unlock()
		return old, old, err
	}
	nr.AOR = aor
	nr.Version = s.version.Add(1)
	if len(nr.Bindings) == 0 {
		delete(sh.recs, aor)
	} else {
		sh.recs[aor] = nr
	}
	s.count.Add(int64(len(nr.Bindings) - len(old.Bindings)))
	t, has := nr.nextExpiry()
	s.expiry.set(aor, t, has)
	s.watch.notify(Change{AOR: aor, Old: old, New: nr}) // under the lock: in order per AOR
	sh.mu.Unlock()
	return old, nr, nil
}

// Expire implements Store.
func (s *MemStore) Expire(ctx context.Context, now time.Time) ([]Change, error) {
	var out []Change
	for _, aor := range s.expiry.due(now) {
		sh := s.shard(aor)
		sh.mu.Lock()
		old, ok := sh.recs[aor]
		if !ok {
			sh.mu.Unlock()
			continue
		}
		nr, gone := old.withoutExpired(now)
		if gone == nil {
			t, has := old.nextExpiry()
			s.expiry.set(aor, t, has)
			sh.mu.Unlock()
			continue
		}
		nr = nr.clone()
		nr.Version = s.version.Add(1)
		nr.Cause = CauseExpire
		if len(nr.Bindings) == 0 {
			delete(sh.recs, aor)
		} else {
			sh.recs[aor] = nr
		}
		s.count.Add(-int64(len(gone)))
		t, has := nr.nextExpiry()
		s.expiry.set(aor, t, has)
		ch := Change{AOR: aor, Old: old, New: nr}
		s.watch.notify(ch)
		sh.mu.Unlock()
		out = append(out, ch)
	}
	return out, ctx.Err()
}

// NextExpiry implements Store.
func (s *MemStore) NextExpiry() (time.Time, bool) { return s.expiry.next() }

// Watch implements Store. fn runs on the goroutine that made the change.
func (s *MemStore) Watch(fn func(Change)) func() { return s.watch.add(fn) }

// Len implements Store.
func (s *MemStore) Len() int { return int(s.count.Load()) }

// Close implements Store; a MemStore has nothing to stop.
func (s *MemStore) Close() error { return nil }

// watchers is a set of Watch callbacks. mu guards fns and serialises
// notifications, so each callback sees changes one at a time.
type watchers struct {
	mu  sync.Mutex
	fns map[int]func(Change)
	n   int
}

func (w *watchers) add(fn func(Change)) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fns == nil {
		w.fns = make(map[int]func(Change))
	}
	id := w.n
	w.n++
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		delete(w.fns, id)
		w.mu.Unlock()
	}
}

func (w *watchers) notify(ch Change) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fn := range w.fns {
		fn(ch)
	}
}
