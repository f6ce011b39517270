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
// default one per CPU). Each worker has its own steady clock, cut into
// Phases slots per 20 ms period; each room belongs to one worker and one
// phase, and is ticked every period in its slot. Slot k of a worker is due
// at start + k*Period/Phases, so the clock does not drift; a worker woken
// late runs the slots due since, but a room never twice at once: slots
// late by a whole period are skipped (counted; their rooms see a missed
// tick) since a later slot of the same phase is due too (no burst).
// Spreading rooms over the phases keeps each room's lateness to the
// worker's wake-up delay plus the work of one slot, and the CPU use even.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	slot    time.Duration
	workers []*worker

	mu      sync.Mutex // guards where and running; before worker.mu
	where   map[*Room]place
	running bool
}

// place is where a room is ticked.
type place struct {
	w     *worker
	phase int
}

// worker is one tick goroutine and its rooms, by phase.
type worker struct {
	id     int
	mu     sync.Mutex // guards phases
	phases [][]*Room
	snap   []*Room // the rooms of the current slot, owned by the worker goroutine

	ticks, missed, late    atomic.Uint64
	maxLate, maxWake, busy atomic.Int64 // time.Duration
	lateness               [len(LatenessBounds) + 1]atomic.Uint64
}

// LatenessBounds are the upper bounds of the buckets of
// EngineStats.Lateness; its last bucket counts the slots later than all.
var LatenessBounds = [...]time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
}

// EngineStats are an engine's counters, summed over its workers. A worker
// tick is one slot: the rooms of one phase.
type EngineStats struct {
	Workers      int
	Phases       int
	Rooms        int
	Participants int
	Ticks        uint64        // slots run
	MissedTicks  uint64        // slots skipped because the worker was a period or more late
	LateTicks    uint64        // slots whose last room finished more than LateAfter after the slot's time
	MaxLateness  time.Duration // the latest a slot's last room finished after the slot's time
	MaxWakeDelay time.Duration // the latest a worker woke up after a slot's time (the OS and Go scheduler's share of the lateness)
	Busy         time.Duration // time spent ticking rooms
	// Lateness counts slots by how late their last room finished:
	// Lateness[i] those up to LatenessBounds[i] (and above the previous
	// bound), the last those later than every bound.
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
	e := &Engine{cfg: cfg, log: log, slot: Period / time.Duration(cfg.Phases), where: make(map[*Room]place)}
	for i := range n {
		e.workers = append(e.workers, &worker{id: i, phases: make([][]*Room, cfg.Phases)})
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

// Add gives r to the worker, then the phase, with the fewest participants
// (then the fewest rooms). Rooms are not moved later, so a room that grows
// after it was added is not rebalanced.
func (e *Engine) Add(r *Room) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.where[r]; ok {
		return fmt.Errorf("mixer: room %q: %w", r.id, ErrAlreadyAttached)
	}
	type load struct{ parts, rooms int }
	less := func(a, b load) bool { return cmp.Or(cmp.Compare(a.parts, b.parts), cmp.Compare(a.rooms, b.rooms)) < 0 }
	workers := make([]load, len(e.workers))
	phases := make([][]load, len(e.workers))
	for i := range phases {
		phases[i] = make([]load, e.cfg.Phases)
	}
	for room, pl := range e.where {
		n := room.Len()
		workers[pl.w.id].parts += n
		workers[pl.w.id].rooms++
		phases[pl.w.id][pl.phase].parts += n
		phases[pl.w.id][pl.phase].rooms++
	}
	w := 0
	for i := range workers {
		if less(workers[i], workers[w]) {
			w = i
		}
	}
	ph := 0
	for i := range phases[w] {
		if less(phases[w][i], phases[w][ph]) {
			ph = i
		}
	}
	pl := place{w: e.workers[w], phase: ph}
	e.where[r] = pl
	pl.w.mu.Lock()
	pl.w.phases[ph] = append(pl.w.phases[ph], r)
	pl.w.mu.Unlock()
	return nil
}

// Remove takes r off the engine: it is not ticked after the current slot
// of its worker. It does not close r.
func (e *Engine) Remove(r *Room) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl, ok := e.where[r]
	if !ok {
		return
	}
	delete(e.where, r)
	pl.w.mu.Lock()
	pl.w.phases[pl.phase] = slices.DeleteFunc(pl.w.phases[pl.phase], func(q *Room) bool { return q == r })
	pl.w.mu.Unlock()
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
		wg.Go(func() { w.run(ctx, start, e.slot, e.cfg.LateAfter, e.log) })
	}
	wg.Wait()
	return nil
}

// run is a worker's clock loop.
func (w *worker) run(ctx context.Context, start time.Time, slot, lateAfter time.Duration, log *slog.Logger) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var last int64
	var warned time.Time
	for {
		if wait := time.Until(slotTime(start, last+1, slot)); wait > 0 {
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
		from, to, skipped := dueSlots(start, now, last, slot, len(w.phases))
		if wake := now.Sub(slotTime(start, from, slot)); int64(wake) > w.maxWake.Load() {
			w.maxWake.Store(int64(wake))
		}
		end := now
		for k := from; k <= to; k++ {
			sched := slotTime(start, k, slot)
			w.tick(int(k%int64(len(w.phases))), sched, end)
			end = time.Now()
			w.ticks.Add(1)
			late := end.Sub(sched)
			if late > lateAfter {
				w.late.Add(1)
			}
			w.lateness[latenessBucket(late)].Add(1)
			if int64(late) > w.maxLate.Load() {
				w.maxLate.Store(int64(late))
			}
		}
		last = to
		w.busy.Add(int64(end.Sub(now)))
		if skipped > 0 {
			w.missed.Add(uint64(skipped))
			if end.Sub(warned) > time.Second {
				warned = end
				log.Warn("mixer: worker fell a period behind, slots skipped", "worker", w.id, "skipped", skipped, "late", now.Sub(slotTime(start, from, slot)))
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

// tick ticks the rooms of one phase for the slot scheduled at sched.
func (w *worker) tick(phase int, sched, now time.Time) {
	w.mu.Lock()
	w.snap = append(w.snap[:0], w.phases[phase]...)
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
	s := EngineStats{Workers: len(e.workers), Phases: e.cfg.Phases, Rooms: len(rooms)}
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
