package natsapi

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// replies remembers command replies by request id so that a retried command
// gets the first answer without running again. It holds at most max
// entries, each for ttl from its first arrival; a repeat that arrives while
// the first is still running waits for its reply.
type replies struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex // guards byKey and order
	byKey map[string]*list.Element
	order *list.List // of *reply, oldest first
}

// reply is one remembered answer; data is set before done is closed.
type reply struct {
	key     string
	expires time.Time
	done    chan struct{}
	data    []byte
}

func newReplies(ttl time.Duration, max int, now func() time.Time) *replies {
	return &replies{ttl: ttl, max: max, now: now, byKey: make(map[string]*list.Element), order: list.New()}
}

// do returns the reply remembered under key, waiting for it if it is being
// computed, or runs fn and remembers its answer unless keep says no.
// replayed reports a remembered answer (nil if its fn panicked). An empty key is never remembered.
// The error is ctx's when ctx ends while waiting.
func (r *replies) do(ctx context.Context, key string, fn func() (data []byte, keep bool)) (data []byte, replayed bool, err error) {
	if key == "" {
		data, _ = fn()
		return data, false, nil
	}
	now := r.now()
	r.mu.Lock()
	r.expire(now)
	if el, ok := r.byKey[key]; ok {
		rp := el.Value.(*reply)
		r.mu.Unlock()
		select {
		case <-rp.done:
			return rp.data, true, nil
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	rp := &reply{key: key, expires: now.Add(r.ttl), done: make(chan struct{})}
	r.byKey[key] = r.order.PushBack(rp)
	for r.order.Len() > r.max {
		r.remove(r.order.Front())
	}
	r.mu.Unlock()

	keep := false
	defer func() {
		// Also when fn panics: waiters then get nil, and the key is free.
		close(rp.done)
		if !keep {
			r.forget(rp)
		}
	}()
	data, keep = fn()
	rp.data = data
	return data, false, nil
}

// forget removes rp if it is still the entry of its key.
func (r *replies) forget(rp *reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.byKey[rp.key]; ok && el.Value.(*reply) == rp {
		r.remove(el)
	}
}

// len reports how many replies are remembered.
func (r *replies) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.order.Len()
}

// expire drops the entries past their time; they are in arrival order.
func (r *replies) expire(now time.Time) {
	for el := r.order.Front(); el != nil; el = r.order.Front() {
		if now.Before(el.Value.(*reply).expires) {
			return
		}
		r.remove(el)
	}
}

func (r *replies) remove(el *list.Element) {
	delete(r.byKey, el.Value.(*reply).key)
	r.order.Remove(el)
}
