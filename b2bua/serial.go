package b2bua

import "sync"

// serial runs closures one at a time, in the order posted, on a goroutine
// that exists only while work is queued: an idle owner (a connected call
// waiting for BYE) costs no goroutine. At any moment at most one goroutine
// runs an owner's closures; mu hands the ownership over, so the closures
// may touch the owner's state without further locking.
//
// done, when set, is asked after each closure whether the owner is over;
// if so, serial closes: what is still queued runs once more (against the
// ended owner, which answers 481 and the like), post refuses new work, and
// finished is called.
type serial struct {
	mu      sync.Mutex // guards queue, running, closed
	queue   []func()
	running bool
	closed  bool

	done     func() bool
	finished func()
}

// post queues f; false once closed (the caller must then answer by itself).
func (s *serial) post(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.queue = append(s.queue, f)
	if !s.running {
		s.running = true
		go s.drain()
	}
	return true
}

// close refuses further work; what is queued still runs.
func (s *serial) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *serial) drain() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.queue = s.queue[:0]
			s.running = false
			s.mu.Unlock()
			return
		}
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		f()
		if s.done != nil && s.done() {
			s.mu.Lock()
			s.closed = true
			rest := s.queue
			s.queue = nil
			s.running = false
			s.mu.Unlock()
			for _, g := range rest {
				g()
			}
			if s.finished != nil {
				s.finished()
			}
			return
		}
	}
}
