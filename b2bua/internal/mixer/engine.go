package mixer

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Engine ticks many rooms on a fixed set of worker goroutines (Workers,
// default one per CPU), each with its own steady 20 ms clock: tick n of
// every worker is due at start + n*Period, so the clock does not drift; a
// worker that falls a period behind skips ticks (counted) rather than
// running them in a burst. A room belongs to one worker, which ticks its
// rooms one after the other.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	workers []*worker

	mu      sync.Mutex // guards where and running; before worker.mu
	where   map[*Room]*worker
	running bool
}

// worker is one tick goroutine and its rooms.
type worker struct {
	id    int
	mu    sync.Mutex // guards rooms
	rooms []*Room
	snap  []*Room // the rooms of the current tick, owned by the worker goroutine

	ticks, missed, late    atomic.Uint64
	maxLate, maxWake, busy atomic.Int64 // time.Duration
	lateness               [len(LatenessBounds) + 1]atomic.Uint64
}

// LatenessBounds are the upper bounds of the buckets of
// EngineStats.Lateness; its last bucket counts the ticks later than all.
var LatenessBounds = [...]time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
}

// EngineStats are an engine's counters, summed over its workers.
type EngineStats struct {
	Workers      int
	Rooms        int
	Participants int
	Ticks        uint64        // worker ticks run (each ticks all of its rooms)
	MissedTicks  uint64        // worker ticks skipped because the worker was a period or more late
	LateTicks    uint64        // worker ticks whose last room finished more than LateAfter after the scheduled time
	MaxLateness  time.Duration // the latest a worker tick finished after its scheduled time
	MaxWakeDelay time.Duration // the latest a worker woke up after a tick's scheduled time (the OS and Go scheduler's share of the lateness)
	Busy         time.Duration // time spent ticking rooms
	// Lateness counts worker ticks by how late they finished: Lateness[i]
	// those up to LatenessBounds[i] (and above the previous bound), the
	// last those later than every bound.
	Lateness [len(LatenessBounds) + 1]uint64
}

// NewEngine makes an engine; zero fields of cfg take their defaults, log
// may be nil. Rooms may be added before or while it runs.
func NewEngine(cfg Config, log *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mixer: engine: config: %w", err)
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := cfg.Workers
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	e := &Engine{cfg: cfg, log: log, where: make(map[*Room]*worker)}
	for i := range n {
		e.workers = append(e.workers, &worker{id: i})
	}
	return e, nil
}

// NewRoom makes a room with the engine's configuration and logger and adds
// it to the engine.
func (e *Engine) NewRoom(id string, onEvent EventHandler) (*Room, error) {
	r, err := NewRoom(id, e.cfg, e.log, onEvent)
	if err != nil {
		return nil, err
	}
	if err := e.Add(r); err != nil {
		return nil, err
	}
	return r, nil
}

// Add gives r to the worker with the fewest participants (then the fewest
// rooms). A room's participants are not moved to another worker later.
func (e *Engine) Add(r *Room) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.where[r] != nil {
		return fmt.Errorf("mixer: room %q: %w", r.id, ErrAlreadyAttached)
	}
	type load struct{ parts, rooms int }
	loads := make([]load, len(e.workers))
	for room, w := range e.where {
		loads[w.id].parts += room.Len()
		loads[w.id].rooms++
	}
	best := 0
	for i := range loads {
		if c := cmp.Or(cmp.Compare(loads[i].parts, loads[best].parts), cmp.Compare(loads[i].rooms, loads[best].rooms)); c < 0 {
			best = i
		}
	}
	w := e.workers[best]
	e.where[r] = w
	w.mu.Lock()
	w.rooms = append(w.rooms, r)
	w.mu.Unlock()
	return nil
}

// Remove takes r off the engine: it is not ticked after the current tick
// of its worker. It does not close r.
func (e *Engine) Remove(r *Room) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.where[r]
	if w == nil {
		return
	}
	delete(e.where, r)
	w.mu.Lock()
	w.rooms = slices.DeleteFunc(w.rooms, func(q *Room) bool { return q == r })
	w.mu.Unlock()
}

// Run ticks the rooms until ctx is done, then returns nil once every
// worker has stopped. It returns ErrRunning if the engine is already
// running.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.running {
		e.mu.Unlock()
		return ErrRunning
	}
	e.running = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.running = false
		e.mu.Unlock()
	}()
	e.log.Info("mixer: engine running", "workers", len(e.workers), "config", e.cfg)
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range e.workers {
		wg.Go(func() { w.run(ctx, start, e.cfg.LateAfter, e.log) })
	}
	wg.Wait()
	return nil
}

// run is a worker's clock loop.
func (w *worker) run(ctx context.Context, start time.Time, lateAfter time.Duration, log *slog.Logger) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var last int64
	var warned time.Time
	for {
		if wait := time.Until(tickTime(start, last+1)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		now := time.Now()
		n, skipped := nextTick(start, now, last)
		last = n
		sched := tickTime(start, n)
		w.tick(sched, now)
		end := time.Now()

		w.ticks.Add(1)
		w.busy.Add(int64(end.Sub(now)))
		late := end.Sub(sched)
		if late > lateAfter {
			w.late.Add(1)
		}
		w.lateness[latenessBucket(late)].Add(1)
		if int64(late) > w.maxLate.Load() {
			w.maxLate.Store(int64(late))
		}
		if wake := now.Sub(sched); int64(wake) > w.maxWake.Load() {
			w.maxWake.Store(int64(wake))
		}
		if skipped > 0 {
			w.missed.Add(uint64(skipped))
			if end.Sub(warned) > time.Second {
				warned = end
				log.Warn("mixer: worker fell behind, ticks skipped", "worker", w.id, "skipped", skipped, "late", now.Sub(sched))
			}
		}
	}
}

func latenessBucket(d time.Duration) int {
	for i, b := range LatenessBounds {
		if d <= b {
			return i
		}
	}
	return len(LatenessBounds)
}

// tick ticks the worker's rooms for the tick scheduled at sched.
func (w *worker) tick(sched, now time.Time) {
	w.mu.Lock()
	w.snap = append(w.snap[:0], w.rooms...)
	w.mu.Unlock()
	for _, r := range w.snap {
		r.tick(sched, now, time.Now)
	}
	clear(w.snap) // do not keep removed rooms alive
}

// Stats are the engine's counters.
func (e *Engine) Stats() EngineStats {
	e.mu.Lock()
	rooms := make([]*Room, 0, len(e.where))
	for r := range e.where {
		rooms = append(rooms, r)
	}
	e.mu.Unlock()
	s := EngineStats{Workers: len(e.workers), Rooms: len(rooms)}
	for _, r := range rooms {
		s.Participants += r.Len()
	}
	for _, w := range e.workers {
		s.Ticks += w.ticks.Load()
		s.MissedTicks += w.missed.Load()
		s.LateTicks += w.late.Load()
		s.MaxLateness = max(s.MaxLateness, time.Duration(w.maxLate.Load()))
		s.MaxWakeDelay = max(s.MaxWakeDelay, time.Duration(w.maxWake.Load()))
		s.Busy += time.Duration(w.busy.Load())
		for i := range s.Lateness {
			s.Lateness[i] += w.lateness[i].Load()
		}
	}
	return s
}
