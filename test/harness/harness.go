package harness

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/cmd/tandem/server"
	"github.com/tandem-sip/tandem/config"
)

// Node is a running in-process Tandem.
type Node struct {
	Server *server.Server
	Config config.Config
	// SIPAddr is the host:port of SIP (UDP and TCP share the port).
	SIPAddr string
	// HTTPAddr is the host:port of the HTTP endpoints.
	HTTPAddr string
	// Events records every event the node publishes, from the start.
	Events *Recorder
	t      testing.TB
}

// Option adjusts the configuration before the node starts.
type Option func(*config.Config)

// WithRoutes sets the static routes.
func WithRoutes(rs ...b2bua.Route) Option { return func(c *config.Config) { c.Routes = rs } }

// WithConfig changes anything in the configuration.
func WithConfig(f func(*config.Config)) Option { return func(c *config.Config) { f(c) } }

// Start starts a node. The node shuts down (and its shutdown error fails the
// test) in t.Cleanup.
func Start(t testing.TB, opts ...Option) *Node {
	t.Helper()
	cfg := config.Defaults()
	cfg.Node = "test-node"
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.NATS.Embedded.Port = -1
	cfg.NATS.Embedded.DataDir = filepath.Join(t.TempDir(), "nats")
	cfg.DrainTimeout = 2 * time.Second
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("harness: config: %v", err)
	}
	log := testLogger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, cfg, log)
	if err != nil {
		t.Fatalf("harness: start: %v", err)
	}
	n := &Node{Server: srv, Config: cfg, SIPAddr: srv.SIPUDPAddr().String(), HTTPAddr: srv.HTTPAddr(), t: t}
	n.Events = newRecorder(t, srv.NATSURL())
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("harness: shutdown: %v", err)
		}
	})
	return n
}

// testLogger logs to the test log at debug level when TANDEM_TEST_LOG=1,
// else warnings and errors only.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("TANDEM_TEST_LOG") == "1" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	defer func() { _ = recover() }() // a log line after the test ended
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

var _ io.Writer = tWriter{}
