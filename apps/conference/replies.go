package conference

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Bounds of the replies remembered for repeated requests.
const (
	// RepliesTTL is how long a command's reply is remembered by request
	// id: a repeat within it gets the same reply without running again.
	RepliesTTL = 2 * time.Minute
	maxReplies = 4096
)

// replies remembers command replies by key (verb and request id), at most
// max of them, each for ttl from its first request; a repeat that comes
// while the first still runs waits for its reply.
type replies struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex // guards byKey and order
	byKey map[string]*list.Element
	order *list.List // of *reply, oldest first
}

type reply struct {
	key     string
	expires time.Time
	done    chan struct{} // closed once data is set
	data    []byte
}

func newReplies(ttl time.Duration, max int, now func() time.Time) *replies {
	return &replies{ttl: ttl, max: max, now: now, byKey: map[string]*list.Element{}, order: list.New()}
}

// do returns the reply remembered under key, waiting for it while it is
// computed (until ctx ends: nil), or computes it with fn. An empty key is
// never remembered.
func (r *replies) do(ctx context.Context, key string, fn func() []byte) []byte {
	if key == "" {
		return fn()
	}
	now := r.now()
	r.mu.Lock()
	for e := r.order.Front(); e != nil && !now.Before(e.Value.(*reply).expires); e = r.order.Front() {
		r.order.Remove(e)
		delete(r.byKey, e.Value.(*reply).key)
	}
	if e, ok := r.byKey[key]; ok {
		rp := e.Value.(*reply)
		r.mu.Unlock()
		select {
		case <-rp.done:
			return rp.data
		case <-ctx.Done():
			return nil
		}
	}
	rp := &reply{key: key, expires: now.Add(r.ttl), done: make(chan struct{})}
	r.byKey[key] = r.order.PushBack(rp)
	for r.order.Len() > r.max {
		e := r.order.Front()
		r.order.Remove(e)
		delete(r.byKey, e.Value.(*reply).key)
	}
	r.mu.Unlock()
	defer close(rp.done)
	rp.data = fn()
	return rp.data
}
