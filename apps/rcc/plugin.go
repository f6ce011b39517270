package rcc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Name is the app's plugin name, and its name in Tandem's registry of
// built-in apps.
const Name = "rcc"

// Timeouts of the HTTP server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 5 * time.Second
)

// Plugin is the gateway as a plugin: in-process as Tandem's built-in app
// "rcc", or as a process with sdk.Serve(rcc.Plugin).
var Plugin = NewPlugin()

// Option changes the plugin NewPlugin makes.
type Option func(*options)

type options struct {
	onListen func(net.Addr)
	source   tokenSource
}

// OnListen calls fn with the listener's address once the gateway listens
// (with port 0 in listen, the port it got), before Start returns.
func OnListen(fn func(addr net.Addr)) Option { return func(o *options) { o.onListen = fn } }

// NewPlugin makes the gateway's plugin; Plugin is NewPlugin().
func NewPlugin(opts ...Option) sdk.Plugin {
	o := options{source: osSource}
	for _, opt := range opts {
		opt(&o)
	}
	return sdk.Plugin{Name: Name, Start: func(ctx context.Context, c *sdk.Client) error { return start(ctx, c, o) }}
}

// start reads the configuration and the tokens, listens, and serves HTTP
// in a goroutine owned by the plugin until it stops.
func start(ctx context.Context, c *sdk.Client, o options) error {
	cfg, err := ParseConfig(c.RawConfig())
	if err != nil {
		return err
	}
	tokens, err := o.source.resolve(cfg.Tokens)
	if err != nil {
		return err
	}
	g, err := newGateway(c, cfg, tokens)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("rcc: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           g,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		// A command takes command_timeout at most; an event stream moves
		// the deadline at each write.
		WriteTimeout: time.Duration(cfg.CommandTimeout) + readTimeout,
		IdleTimeout:  idleTimeout,
		ErrorLog:     slog.NewLogLogger(c.Log().Handler(), slog.LevelDebug),
	}
	if err := c.Go(func(ctx context.Context) error { return serve(ctx, srv, ln) }); err != nil {
		_ = ln.Close()
		return err
	}
	log := c.Log().With("addr", ln.Addr().String(), "tokens", len(tokens))
	if host, _, _ := net.SplitHostPort(cfg.Listen); isLoopback(host) {
		log.Info("rcc: gateway listening")
	} else {
		log.Warn("rcc: gateway listening beyond loopback: plain HTTP, bearer tokens travel in clear; put a TLS proxy in front")
	}
	if o.onListen != nil {
		o.onListen(ln.Addr())
	}
	return nil
}

// serve serves HTTP on ln until ctx ends, then shuts the server down:
// requests in progress get shutdownTimeout to finish (event streams end
// with ctx, their base context).
func serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("rcc: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("rcc: serve: %w", err)
	}
	return nil
}

// isLoopback reports whether a listen host stays on this host.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
