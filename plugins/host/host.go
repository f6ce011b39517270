package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
)

// NATS is what the host needs from the server's NATS side to run plugins.
type NATS struct {
	// URL is where process plugins connect: the embedded server's loopback
	// address, or the external nats.url.
	URL string
	// External is true when URL is an external server: the host made no
	// users there, and a plugin connects with its credentials_file.
	External bool
	// Connect opens a new connection for a built-in plugin: in-process to
	// the embedded server, or to the external URL. opts carry the plugin's
	// name, credentials and inbox prefix and come last.
	Connect func(opts ...nats.Option) (*nats.Conn, error)
	// Conn publishes the host's events (events.PluginStartedV1...); nil
	// publishes none.
	Conn *nats.Conn
}

// Option configures a Host.
type Option func(*Host)

// WithLogger sets the host's logger (default: discard).
func WithLogger(log *slog.Logger) Option { return func(h *Host) { h.log = log } }

// WithRegisterer registers the host's metrics (tandem_plugin_up,
// tandem_plugin_restarts_total) on reg.
func WithRegisterer(reg prometheus.Registerer) Option { return func(h *Host) { h.reg = reg } }

// WithBuiltins sets the built-in apps builtin plugins may run.
func WithBuiltins(r Registry) Option { return func(h *Host) { h.builtins = r } }

// Host runs the configured plugins: New checks the configuration and makes
// each plugin's NATS grant (before the NATS server starts, which must know
// the users), Start launches them, Shutdown stops them. Its methods are safe
// for concurrent use.
type Host struct {
	cfg      Config
	node     string
	log      *slog.Logger
	reg      prometheus.Registerer
	builtins Registry
	m        *metrics
	grants   map[string]Grant // by plugin name, when NeedsAuth
	nats     NATS             // set by Start

	mu      sync.Mutex // guards started, sups, cancel
	started bool
	sups    []*supervisor
	cancel  context.CancelFunc
	wg      sync.WaitGroup // the supervisors
}

// New checks cfg (Problems, and that each builtin's app is in the registry)
// and prepares the host of node. When cfg has a process plugin, every
// plugin gets a Grant with a random password (Users).
func New(cfg Config, node string, opts ...Option) (*Host, error) {
	h := &Host{cfg: cfg.withDefaults(), node: node}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	for _, p := range cfg.Problems() {
		errs = append(errs, p)
	}
	for i, p := range cfg.List {
		if p.Kind != KindBuiltin {
			continue
		}
		if _, ok := h.builtins[p.app()]; !ok {
			errs = append(errs, Problem{Key: fmt.Sprintf("list[%d].app", i),
				Err: fmt.Errorf("no built-in app %q (built in: %v)", p.app(), h.builtinNames())})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("host: %w", errors.Join(errs...))
	}
	m, err := newMetrics(h.reg)
	if err != nil {
		return nil, err
	}
	h.m = m
	if cfg.NeedsAuth() {
		h.grants = make(map[string]Grant, len(cfg.List))
		for _, p := range cfg.List {
			g, err := grantFor(p)
			if err != nil {
				return nil, err
			}
			h.grants[p.Name] = g
		}
	}
	return h, nil
}

func (h *Host) builtinNames() []string {
	names := make([]string, 0, len(h.builtins))
	for n := range h.builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Users are the NATS users the embedded server must have for the plugins,
// in configuration order: empty unless a process plugin is configured.
func (h *Host) Users() []Grant {
	var gs []Grant
	for _, p := range h.cfg.List {
		if g, ok := h.grants[p.Name]; ok {
			gs = append(gs, g)
		}
	}
	return gs
}

// Start launches every plugin, each under its own supervisor, and returns
// once each has had its first try at starting (up, or failed and waiting
// to be retried), or ctx ends. A plugin that fails is retried in the
// background; Start fails only when called twice or nc is incomplete.
func (h *Host) Start(ctx context.Context, nc NATS) error {
	if nc.Connect == nil && slices.ContainsFunc(h.cfg.List, func(p PluginConfig) bool { return p.Kind == KindBuiltin }) {
		return errors.New("host: start: NATS.Connect is nil and a builtin plugin is configured")
	}
	h.mu.Lock()
	if h.started {
		h.mu.Unlock()
		return errors.New("host: start: already started")
	}
	h.started = true
	h.nats = nc
	sctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	for _, p := range h.cfg.List {
		s, err := h.newSupervisor(p)
		if err != nil {
			h.mu.Unlock()
			cancel()
			return err
		}
		h.sups = append(h.sups, s)
	}
	sups := h.sups
	for _, s := range sups {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			s.run(sctx)
		}()
	}
	h.mu.Unlock()

	for _, s := range sups {
		select {
		case <-s.tried:
		case <-ctx.Done():
			return fmt.Errorf("host: start: %w", ctx.Err())
		}
	}
	if len(sups) > 0 {
		h.log.Info("host: plugins started", "plugins", len(sups))
	}
	return nil
}

// Shutdown stops every plugin (each within Config.StopTimeout, then its
// process is killed) and waits for them until ctx ends.
func (h *Host) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	cancel := h.cancel
	h.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("host: shutdown: %w", ctx.Err())
	}
}

// Status is a plugin's state, for operators and tests.
type Status struct {
	Name     string
	Kind     Kind
	Up       bool
	PID      int       // the process id of a running process plugin
	Restarts uint64    // launches after the first
	Since    time.Time // when it last went up or down
	LastErr  string    // why it last went down or failed to start
}

// Status lists the plugins' states in configuration order.
func (h *Host) Status() []Status {
	h.mu.Lock()
	sups := slices.Clone(h.sups)
	h.mu.Unlock()
	out := make([]Status, len(sups))
	for i, s := range sups {
		out[i] = s.snapshot()
	}
	return out
}
