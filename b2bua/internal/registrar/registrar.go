package registrar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/events"
)

// EventSink receives the registrar's events. Publish must not block (the
// core's EventSink, e.g. natsapi.API, fits).
type EventSink interface {
	Publish(ev events.Event)
}

// Registrar processes REGISTER requests against a Store, hands out GRUUs,
// answers location lookups and builds reg-event documents. Its methods
// are safe for concurrent use.
type Registrar struct {
	cfg      Config
	log      *slog.Logger
	store    Store
	minter   *gruu.Minter
	auth     *authenticator
	sink     EventSink
	clock    Clock
	reg      prometheus.Registerer
	m        *metrics
	domains  map[string]bool     // lower-case; empty: any
	watchers map[string][]string // canonical AOR or "*" -> users
}

// Option configures a Registrar.
type Option func(*Registrar)

// WithEventSink sets where events go (default: nowhere).
func WithEventSink(s EventSink) Option { return func(r *Registrar) { r.sink = s } }

// WithClock sets the clock of the expiry sweep (default SystemClock).
func WithClock(c Clock) Option { return func(r *Registrar) { r.clock = c } }

// WithRegisterer registers the registrar's metrics.
func WithRegisterer(reg prometheus.Registerer) Option { return func(r *Registrar) { r.reg = reg } }

type nopSink struct{}

func (nopSink) Publish(events.Event) {}

// New builds a registrar on store with minter (whose key also derives the
// digest nonce key, so every node sharing it verifies every node's
// nonces). cfg must be valid (Config.Validate); the users file is read
// here.
func New(cfg Config, store Store, minter *gruu.Minter, log *slog.Logger, opts ...Option) (*Registrar, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("registrar: config: %w", err)
	}
	r := &Registrar{
		cfg:      cfg,
		log:      log,
		store:    store,
		minter:   minter,
		sink:     nopSink{},
		clock:    SystemClock{},
		domains:  map[string]bool{},
		watchers: map[string][]string{},
	}
	for _, o := range opts {
		o(r)
	}
	var err error
	if r.m, err = newMetrics(r.reg, store.Len); err != nil {
		return nil, fmt.Errorf("registrar: metrics: %w", err)
	}
	for _, d := range cfg.Domains {
		r.domains[strings.ToLower(d)] = true
	}
	for _, w := range cfg.Watchers {
		key := w.AOR
		if key != "*" {
			key, _ = canonicalAORString(w.AOR) // validated
		}
		r.watchers[key] = append(r.watchers[key], w.Users...)
	}
	us, err := loadUsers(cfg, log)
	if err != nil {
		return nil, err
	}
	r.auth = &authenticator{
		realm:   cfg.realm(),
		algs:    cfg.Auth.Algorithms,
		users:   us,
		nonces:  nonceMaker{key: minter.Derive("digest nonce"), realm: cfg.realm()},
		ttl:     cfg.Auth.NonceTTL,
		counts:  newNonceCounts(cfg.Auth.NonceCounts, cfg.Auth.NonceTTL),
		limiter: newFailLimiter(cfg.Auth.FailBurst, cfg.Auth.FailInterval, cfg.Auth.MaxSources),
		m:       r.m,
	}
	return r, nil
}

// Config returns the registrar's configuration.
func (r *Registrar) Config() Config { return r.cfg }

// Store returns the registrar's store (e.g. to Watch it for reg-event).
func (r *Registrar) Store() Store { return r.store }

// Minter returns the GRUU minter the registrar was built with.
func (r *Registrar) Minter() *gruu.Minter { return r.minter }

// ServesDomain reports whether host is one of Config.Domains (any host
// when Domains is empty).
func (r *Registrar) ServesDomain(host string) bool {
	if len(r.domains) == 0 {
		return true
	}
	return r.domains[strings.ToLower(host)]
}

// maxSweepWait bounds the sweep's sleep, so that a missed wake-up costs at
// most this much delay.
const maxSweepWait = time.Minute

// Run removes bindings as they expire, publishing a binding expired event
// for each, until ctx ends. The core runs it on a goroutine it owns from
// Start to Shutdown. With a shared store every node runs it; the store
// makes sure each expiry is reported once.
func (r *Registrar) Run(ctx context.Context) error {
	kick := make(chan struct{}, 1)
	var armed atomic.Int64 // Unix ns of the sweep's next wake-up
	stop := r.store.Watch(func(ch Change) {
		// only a binding expiring before the planned wake-up needs one
		if t, ok := ch.New.nextExpiry(); ok && t.UnixNano() < armed.Load() {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	defer stop()
	for {
		armed.Store(math.MaxInt64) // while planning, every change kicks
		now := r.clock.Now()
		changes, err := r.store.Expire(ctx, now)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("registrar: expiry sweep failed", "error", err)
		}
		for _, ch := range changes {
			r.publishExpired(ch, now)
		}
		wait := maxSweepWait
		if t, ok := r.store.NextExpiry(); ok {
			wait = min(wait, t.Sub(now))
		}
		if err != nil && ctx.Err() == nil {
			wait = min(wait, time.Second) // retry a failed sweep soon
		}
		armed.Store(now.Add(wait).UnixNano())
		t := r.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil
			}
			return ctx.Err()
		case <-kick:
			t.Stop()
		case <-t.C():
		}
	}
}
