package sdk

import (
	"encoding/json"
	"log/slog"
	"time"
)

// Default timeouts; see the With options.
const (
	DefaultDecisionTimeout = time.Second
	DefaultCommandTimeout  = 5 * time.Second
	DefaultStopTimeout     = 5 * time.Second
)

// decisionWorkers bounds the decision requests a client handles at once;
// beyond it a request is handled on its subscription's goroutine, which
// holds up the next ones (back-pressure rather than unbounded goroutines).
const decisionWorkers = 64

// Option changes how a plugin's Client is built.
type Option func(*options)

type options struct {
	name            string
	node            string
	controller      string
	log             *slog.Logger
	config          json.RawMessage
	decisionTimeout time.Duration
	commandTimeout  time.Duration
	stopTimeout     time.Duration
}

func newOptions(name string, opts []Option) options {
	o := options{
		name:            name,
		decisionTimeout: DefaultDecisionTimeout,
		commandTimeout:  DefaultCommandTimeout,
		stopTimeout:     DefaultStopTimeout,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	o.log = o.log.With("plugin", o.name)
	return o
}

// WithName sets the plugin's name, overriding Plugin.Name. The host passes
// the configured name.
func WithName(name string) Option {
	return func(o *options) {
		if name != "" {
			o.name = name
		}
	}
}

// WithNode tells the plugin the name of the node that runs it (Client.Node).
func WithNode(node string) Option { return func(o *options) { o.node = node } }

// WithLogger sets the plugin's logger (default: discard). Every line gets
// the attribute plugin=<name>.
func WithLogger(log *slog.Logger) Option { return func(o *options) { o.log = log } }

// WithConfig hands the plugin its configuration, JSON (Client.Config).
func WithConfig(config []byte) Option {
	return func(o *options) { o.config = json.RawMessage(config) }
}

// WithDecisionTimeout bounds a decision handler's context (default
// DefaultDecisionTimeout). The core stops waiting at its own deadline
// (route_deadline), which is usually shorter.
func WithDecisionTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.decisionTimeout = d
		}
	}
}

// WithCommandTimeout bounds a command whose context has no deadline
// (default DefaultCommandTimeout).
func WithCommandTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.commandTimeout = d
		}
	}
}

// WithStopTimeout bounds the stop at the end of Run and Serve (default
// DefaultStopTimeout).
func WithStopTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.stopTimeout = d
		}
	}
}
