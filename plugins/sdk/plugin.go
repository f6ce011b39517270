package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Plugin is a plugin: a name and the function that sets it up. The same
// value runs in-process (Start, Run) or as a process launched by the host
// (Serve).
type Plugin struct {
	// Name is the plugin's default name; the name the host is configured
	// with wins (WithName). It is the queue group of the plugin's decision
	// handlers, so that the instances of one plugin share the load, and it
	// is in every log line.
	Name string
	// Start sets the plugin up on c: event subscriptions (Client.Subscribe),
	// decision handlers (Client.HandleRoute), background work (Client.Go).
	// It must return promptly: the plugin counts as up when Start has
	// returned nil, and what it registered on c then runs until the plugin
	// is stopped. ctx bounds Start itself only. An error means the plugin
	// could not start; everything it registered is undone.
	Start func(ctx context.Context, c *Client) error
}

// ErrStopped is returned by the Client's methods once the plugin is
// stopping or has failed.
var ErrStopped = errors.New("sdk: plugin stopped")

// Instance is a started plugin. Its methods are safe for concurrent use.
type Instance struct {
	c *Client
}

// Start starts p in this process on nc: it builds the plugin's Client and
// calls p.Start. It returns once p.Start has returned: on error, the plugin
// is stopped again and the error returned. nc stays the caller's; the
// plugin uses it until Stop and never closes it.
func Start(ctx context.Context, nc *nats.Conn, p Plugin, opts ...Option) (*Instance, error) {
	if p.Start == nil {
		return nil, errors.New("sdk: start: Plugin.Start is nil")
	}
	if nc == nil {
		return nil, errors.New("sdk: start: nil NATS connection")
	}
	o := newOptions(p.Name, opts)
	if o.name == "" {
		return nil, errors.New("sdk: start: the plugin has no name (Plugin.Name or WithName)")
	}
	c := newClient(nc, o)
	if err := c.start(ctx, p.Start); err != nil {
		return nil, fmt.Errorf("sdk: start %s: %w", o.name, err)
	}
	return &Instance{c: c}, nil
}

// Run starts p like Start and runs it until ctx ends or the plugin fails,
// then stops it (bounded by the stop timeout, WithStopTimeout). It returns
// nil when ctx ended, or why the plugin failed.
func Run(ctx context.Context, nc *nats.Conn, p Plugin, opts ...Option) error {
	inst, err := Start(ctx, nc, p, opts...)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-inst.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), inst.c.opts.stopTimeout)
	defer cancel()
	stopErr := inst.Stop(sctx)
	if err := inst.Err(); err != nil {
		return err
	}
	return stopErr
}

// Client is the plugin's client, for tests and for callers that keep an
// Instance.
func (i *Instance) Client() *Client { return i.c }

// Done is closed when the plugin has failed by itself (a Go function
// returned an error or panicked, Fail was called, the NATS connection
// closed) or has been stopped.
func (i *Instance) Done() <-chan struct{} { return i.c.ctx.Done() }

// Err is why the plugin failed; nil while it runs and after a Stop that
// was not preceded by a failure.
func (i *Instance) Err() error { return i.c.failure() }

// Stop stops the plugin: its subscriptions are drained (messages already
// received are still handled), its context is cancelled, and its handlers
// and Go functions are waited for until ctx ends. Calling it again waits
// again and returns the same result.
func (i *Instance) Stop(ctx context.Context) error { return i.c.stop(ctx) }
