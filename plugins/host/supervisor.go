package host

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// instance is one running plugin, built-in or process.
type instance interface {
	// done is closed when the plugin ended by itself: the process exited,
	// or the built-in failed.
	done() <-chan struct{}
	// cause says why, after done.
	cause() error
	// ping checks that the plugin is alive within ctx.
	ping(ctx context.Context) error
	// stop stops the plugin gracefully within ctx, then for good.
	stop(ctx context.Context) error
	// kill ends it at once (an unhealthy or dead plugin).
	kill()
	// pid is the process id, 0 for a built-in.
	pid() int
}

// launcher starts one plugin; it returns once the plugin is up.
type launcher func(ctx context.Context) (instance, error)

// supervisor keeps one plugin running: launch, watch (exit and health
// checks), restart with back-off, stop at shutdown. Its run loop owns the
// instance; mu guards only what Status reads.
type supervisor struct {
	h      *Host
	cfg    PluginConfig
	log    *slog.Logger
	launch launcher
	tried  chan struct{} // closed after the first launch attempt
	seq    uint64        // event sequence; run loop only

	mu     sync.Mutex // guards status
	status Status
}

func (h *Host) newSupervisor(p PluginConfig) (*supervisor, error) {
	s := &supervisor{
		h:      h,
		cfg:    p,
		log:    h.log.With("plugin", p.Name, "kind", string(p.Kind)),
		tried:  make(chan struct{}),
		status: Status{Name: p.Name, Kind: p.Kind},
	}
	var err error
	switch p.Kind {
	case KindBuiltin:
		s.launch, err = h.builtinLauncher(p, s.log)
	case KindProcess:
		s.launch, err = h.processLauncher(p, s.log)
	default:
		err = fmt.Errorf("host: plugin %s: unknown kind %q", p.Name, p.Kind)
	}
	if err != nil {
		return nil, err
	}
	h.m.up.WithLabelValues(p.Name).Set(0)
	h.m.restarts.WithLabelValues(p.Name).Add(0)
	return s, nil
}

func (s *supervisor) nextSeq() uint64 { s.seq++; return s.seq }

func (s *supervisor) snapshot() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *supervisor) setStatus(f func(*Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.status)
	s.status.Since = time.Now()
}

// run keeps the plugin up until ctx ends, then stops it.
func (s *supervisor) run(ctx context.Context) {
	cfg := s.h.cfg
	b := newBackoff(cfg.RestartBackoff, cfg.RestartBackoffMax)
	var (
		launches uint64
		downAt   time.Time
		once     sync.Once
	)
	for {
		if launches > 0 {
			s.h.m.restarts.WithLabelValues(s.cfg.Name).Inc()
		}
		lctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
		inst, err := s.launch(lctx)
		cancel()
		launches++
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("host: plugin did not start", "err", err, "restarts", launches-1)
				s.setStatus(func(st *Status) { st.Restarts = launches - 1; st.LastErr = err.Error() })
			}
			once.Do(func() { close(s.tried) })
			if ctx.Err() != nil {
				return
			}
		} else {
			restarts := launches - 1
			upAt := time.Now()
			s.up(inst, restarts, downAt)
			once.Do(func() { close(s.tried) })
			reason, werr := s.watch(ctx, inst)
			s.h.m.up.WithLabelValues(s.cfg.Name).Set(0)
			if reason == "" { // shutdown
				s.stop(inst)
				s.setStatus(func(st *Status) { st.Up, st.PID = false, 0 })
				return
			}
			downAt = time.Now()
			s.down(inst, restarts, reason, werr)
			if downAt.Sub(upAt) >= cfg.RestartBackoffMax {
				b.reset()
			}
		}
		wait := b.next()
		s.log.Info("host: restarting plugin", "in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// up records a started plugin.
func (s *supervisor) up(inst instance, restarts uint64, downAt time.Time) {
	s.h.m.up.WithLabelValues(s.cfg.Name).Set(1)
	s.setStatus(func(st *Status) { st.Up, st.PID, st.Restarts = true, inst.pid(), restarts })
	if restarts == 0 {
		s.log.Info("host: plugin up", "pid", inst.pid())
		s.h.publishEvent(s, &events.PluginStartedV1{
			Envelope: events.Envelope{Type: events.TypePluginStartedV1}, PluginInfoV1: s.info(inst, restarts),
		})
		return
	}
	s.log.Info("host: plugin up again", "pid", inst.pid(), "restarts", restarts)
	ev := &events.PluginRestartedV1{
		Envelope: events.Envelope{Type: events.TypePluginRestartedV1}, PluginInfoV1: s.info(inst, restarts),
	}
	if !downAt.IsZero() {
		ev.DownMS = time.Since(downAt).Milliseconds()
	}
	s.h.publishEvent(s, ev)
}

// down records a plugin that died or was found unhealthy (and killed).
func (s *supervisor) down(inst instance, restarts uint64, reason string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.log.Warn("host: plugin down", "reason", reason, "err", err, "pid", inst.pid())
	s.setStatus(func(st *Status) { st.Up, st.PID, st.LastErr = false, 0, msg })
	s.h.publishEvent(s, &events.PluginDownV1{
		Envelope: events.Envelope{Type: events.TypePluginDownV1}, PluginInfoV1: s.info(inst, restarts),
		Reason: reason, Error: msg,
	})
}

// watch waits until the plugin ends by itself (events.PluginExited),
// fails a health check (events.PluginUnhealthy; it is killed), or ctx ends
// ("").
func (s *supervisor) watch(ctx context.Context, inst instance) (reason string, err error) {
	cfg := s.h.cfg
	t := time.NewTicker(cfg.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", nil
		case <-inst.done():
			inst.kill() // reap: the process is gone, clean up after it
			return events.PluginExited, inst.cause()
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, cfg.HealthTimeout)
			err := inst.ping(pctx)
			cancel()
			if err == nil || ctx.Err() != nil {
				continue
			}
			select {
			case <-inst.done(): // it died while we pinged
				inst.kill()
				return events.PluginExited, inst.cause()
			default:
			}
			inst.kill()
			return events.PluginUnhealthy, fmt.Errorf("health check: %w", err)
		}
	}
}

// stop stops a healthy plugin at shutdown, killing it if it does not stop
// within StopTimeout.
func (s *supervisor) stop(inst instance) {
	ctx, cancel := context.WithTimeout(context.Background(), s.h.cfg.StopTimeout)
	defer cancel()
	if err := inst.stop(ctx); err != nil {
		s.log.Warn("host: plugin did not stop cleanly; killed", "err", err)
		inst.kill()
		return
	}
	s.log.Info("host: plugin stopped")
}
