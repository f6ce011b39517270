package b2bua

import "sync"

// serial runs closures one at a time, in the order posted, on a goroutine
// that exists only while work is queued (see call.post for the same scheme
// with the call's end condition). The zero value is ready; close refuses
// further work.
type serial struct {
	mu      sync.Mutex // guards queue, running, closed
	queue   []func()
	running bool
	closed  bool
}

// post queues f; false once closed.
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
	}
}
