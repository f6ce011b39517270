package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Client is a plugin's view of Tandem over one NATS connection: typed
// events (Subscribe), commands (ListCalls, Do...), decision handlers
// (HandleRoute, Handle) and owned background work (Go). A plugin gets its
// Client from Start, Run or Serve. Its methods are safe for concurrent use.
type Client struct {
	nc   *nats.Conn
	opts options
	log  *slog.Logger

	// ctx lives as long as the plugin: cancelled (with the failure as its
	// cause) by fail, or by stop.
	ctx    context.Context
	cancel context.CancelCauseFunc

	decideSem chan struct{} // a slot per running decision worker

	mu       sync.Mutex // guards subs, stopping, failed, work.Add
	subs     []*Subscription
	stopping bool
	failed   error
	work     sync.WaitGroup // handler goroutines and Go functions

	stopOnce sync.Once
	stopped  chan struct{} // closed when stop has finished
	stopErr  error

	connDone chan struct{} // closed by stop: ends watchConn

	streamMu sync.Mutex       // guards stream
	stream   jetstream.Stream // the events stream, for catch-up; nil until first used
}

// errStoppedCause is the context cause of a plugin that was stopped rather
// than failed.
var errStoppedCause = errors.New("sdk: plugin stopped")

func newClient(nc *nats.Conn, o options) *Client {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Client{
		nc:        nc,
		opts:      o,
		log:       o.log,
		ctx:       ctx,
		cancel:    cancel,
		decideSem: make(chan struct{}, decisionWorkers),
		stopped:   make(chan struct{}),
		connDone:  make(chan struct{}),
	}
}

// start watches the connection and runs the plugin's Start.
func (c *Client) start(ctx context.Context, fn func(context.Context, *Client) error) (err error) {
	closed := c.nc.StatusChanged(nats.CLOSED)
	if c.nc.IsClosed() {
		c.nc.RemoveStatusListener(closed)
		return fmt.Errorf("nats: %w", nats.ErrConnectionClosed)
	}
	c.work.Add(1)
	go c.watchConn(closed)

	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Start panicked: %v", p)
		}
		if err != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.stopTimeout)
			defer cancel()
			_ = c.stop(sctx)
		}
	}()
	if err := fn(ctx, c); err != nil {
		return err
	}
	if err := c.failure(); err != nil {
		return err
	}
	// Subscriptions are in place on the server before the plugin counts
	// as up.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.commandTimeout)
		defer cancel()
	}
	if err := c.nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("nats flush: %w", err)
	}
	c.log.Debug("sdk: plugin started")
	return nil
}

// watchConn fails the plugin when its connection closes for good.
func (c *Client) watchConn(closed chan nats.Status) {
	defer c.work.Done()
	defer c.nc.RemoveStatusListener(closed)
	select {
	case <-closed:
		c.Fail(fmt.Errorf("sdk: nats: %w", nats.ErrConnectionClosed))
	case <-c.connDone:
	}
}

// Name is the plugin's name.
func (c *Client) Name() string { return c.opts.name }

// Node is the name of the node that runs the plugin, when the host told it
// (WithNode); "" otherwise.
func (c *Client) Node() string { return c.opts.node }

// Log is the plugin's logger.
func (c *Client) Log() *slog.Logger { return c.log }

// Conn is the plugin's NATS connection, for what the SDK does not cover.
// Subscriptions made on it directly are not drained by Stop.
func (c *Client) Conn() *nats.Conn { return c.nc }

// RawConfig is the plugin's configuration, JSON; nil when none was given.
func (c *Client) RawConfig() json.RawMessage { return c.opts.config }

// Config decodes the plugin's configuration into v (a pointer). With no
// configuration v is left as it is, so fill it with defaults first.
func (c *Client) Config(v any) error {
	if len(c.opts.config) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.opts.config, v); err != nil {
		return fmt.Errorf("sdk: config of %s: %w", c.opts.name, err)
	}
	return nil
}

// Go runs fn in a goroutine owned by the plugin. fn's ctx ends when the
// plugin stops; Stop waits for fn to return. An error other than ctx's, or
// a panic, fails the plugin (in a process: the process exits and the host
// restarts it).
func (c *Client) Go(fn func(ctx context.Context) error) error {
	if !c.addWork() {
		return ErrStopped
	}
	go func() {
		defer c.work.Done()
		defer func() {
			if p := recover(); p != nil {
				c.Fail(fmt.Errorf("sdk: Go function panicked: %v", p))
			}
		}()
		if err := fn(c.ctx); err != nil && c.ctx.Err() == nil {
			c.Fail(err)
		}
	}()
	return nil
}

// Fail stops the plugin because of err: its context is cancelled at once
// and Instance.Done is closed with err as Instance.Err. The first failure
// wins. Whoever started the plugin then stops it (in a process: the
// process exits and the host restarts it).
func (c *Client) Fail(err error) {
	if err == nil {
		err = errors.New("sdk: plugin failed")
	}
	c.mu.Lock()
	first := c.failed == nil && !c.stopping
	if first {
		c.failed = err
	}
	c.mu.Unlock()
	if first {
		c.log.Error("sdk: plugin failed", "err", err)
		c.cancel(err)
	}
}

func (c *Client) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

// addWork counts one more handler or Go function, unless the plugin is
// stopping or failed.
func (c *Client) addWork() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping || c.failed != nil {
		return false
	}
	c.work.Add(1)
	return true
}

// track remembers a subscription for stop; false if stopping already.
func (c *Client) track(s *Subscription) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping || c.failed != nil {
		return false
	}
	c.subs = append(c.subs, s)
	return true
}

func (c *Client) untrack(s *Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.subs {
		if x == s {
			c.subs = append(c.subs[:i], c.subs[i+1:]...)
			return
		}
	}
}

// stop drains the subscriptions, cancels the plugin's context and waits for
// its work. The first call does it; later ones wait for it.
func (c *Client) stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		go func() {
			defer close(c.stopped)
			c.stopErr = c.doStop()
		}()
	})
	select {
	case <-c.stopped:
		return c.stopErr
	case <-ctx.Done():
		return fmt.Errorf("sdk: stop %s: %w", c.opts.name, ctx.Err())
	}
}

func (c *Client) doStop() error {
	c.mu.Lock()
	c.stopping = true
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()

	var errs []error
	for _, s := range subs {
		if err := s.startDrain(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, s := range subs {
		if err := s.wait(context.Background()); err != nil {
			errs = append(errs, err)
		}
	}
	c.cancel(errStoppedCause)
	close(c.connDone)
	c.work.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("sdk: stop %s: %w", c.opts.name, errors.Join(errs...))
	}
	c.log.Debug("sdk: plugin stopped")
	return nil
}
