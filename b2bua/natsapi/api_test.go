package natsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// The embedded server listens on ClientURL for other clients and holds the
// events stream as configured.
func TestStartEmbedded(t *testing.T) {
	e := startAPI(t, func(c *natsapi.Config) { c.StreamMaxAge = time.Hour })
	ctx := ctxT(t, 10*time.Second)
	if !strings.HasPrefix(e.api.ClientURL(), "nats://127.0.0.1:") {
		t.Errorf("ClientURL = %q", e.api.ClientURL())
	}
	if !e.api.Conn().IsConnected() {
		t.Error("Conn is not connected")
	}
	js, err := jetstream.New(connect(t, e.api.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, events.Stream)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	cfg := st.CachedInfo().Config
	if len(cfg.Subjects) != 1 || cfg.Subjects[0] != events.StreamSubjects ||
		cfg.Storage != jetstream.FileStorage || cfg.MaxAge != time.Hour {
		t.Errorf("stream config = subjects %v, storage %v, max age %v", cfg.Subjects, cfg.Storage, cfg.MaxAge)
	}
}

// With a URL the API uses that server, and a restart updates the stream.
func TestStartExternal(t *testing.T) {
	srv := runServer(t, t.TempDir(), -1)
	cfg := natsapi.Defaults()
	cfg.URL = srv.ClientURL()
	cfg.StreamMaxAge = time.Hour
	e := startWith(t, cfg)
	if e.api.ClientURL() != srv.ClientURL() {
		t.Errorf("ClientURL = %q, want %q", e.api.ClientURL(), srv.ClientURL())
	}
	ctx := ctxT(t, 20*time.Second)
	e.api.Publish(callEvent("ext", 1))
	if err := e.api.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.api.Close(); err != nil {
		t.Fatal(err)
	}

	cfg.StreamMaxAge = 2 * time.Hour
	again := startWith(t, cfg)
	js, err := jetstream.New(again.api.Conn())
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, events.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info := st.CachedInfo()
	if info.Config.MaxAge != 2*time.Hour || info.State.Msgs != 1 {
		t.Errorf("after restart: max age %v, %d msgs; want 2h, 1", info.Config.MaxAge, info.State.Msgs)
	}
	// The external server outlives Close.
	if !srv.Running() {
		t.Error("Close stopped the external server")
	}
}

func TestStartErrors(t *testing.T) {
	ctx := ctxT(t, 10*time.Second)
	if _, err := natsapi.Start(ctx, natsapi.Defaults(), "", nil, nil); err == nil {
		t.Error("Start with an empty node succeeded")
	}
	cfg := natsapi.Defaults()
	cfg.URL = "nats://127.0.0.1:1" // nothing listens on port 1
	_, err := natsapi.Start(ctx, cfg, testNode, nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "natsapi: ") {
		t.Errorf("Start with a dead URL = %v", err)
	}
}

// Two APIs may share a registry (their series add up).
func TestStartSharedRegistry(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	for range 2 {
		cfg := natsapi.Defaults()
		cfg.Embedded.DataDir = t.TempDir()
		api, err := natsapi.Start(ctxT(t, 10*time.Second), cfg, testNode, nil, reg)
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		t.Cleanup(func() { _ = api.Close() })
		if _, err := api.Route(ctxT(t, 5*time.Second), events.RouteRequestV1{}); !errors.Is(err, natsapi.ErrNoDecision) {
			t.Fatalf("Route = %v", err)
		}
	}
	if n := metric(t, reg, "tandem_nats_decisions_total", "outcome", "no_responders"); n != 2 {
		t.Errorf("decisions{no_responders} = %v, want 2", n)
	}
}

// Close answers nothing more and stops the embedded server.
func TestCloseStopsServer(t *testing.T) {
	e := startAPI(t)
	if err := e.api.ServeCommands(context.Background(), newFakeCore()); err != nil {
		t.Fatal(err)
	}
	if err := e.api.Close(); err != nil {
		t.Fatal(err)
	}
	if !e.api.Conn().IsClosed() {
		t.Error("connection still open after Close")
	}
	if _, err := natsapi.Start(ctxT(t, 10*time.Second), natsapi.Config{URL: e.api.ClientURL()}, testNode, nil, nil); err == nil {
		t.Error("embedded server still accepts connections after Close")
	}
}
