package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

const testNode = "node-1"

// fakeCore stands in for the core behind the real command server.
type fakeCore struct {
	mu      sync.Mutex
	calls   []events.CallInfoV1
	hangups []hangup
	block   chan struct{} // when not nil, GetCall waits for it to close
}

type hangup struct {
	callID string
	cause  int
	reason string
}

func (c *fakeCore) ListCalls() []events.CallInfoV1 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]events.CallInfoV1(nil), c.calls...)
}

func (c *fakeCore) GetCall(id string) (events.CallInfoV1, bool) {
	if c.block != nil {
		<-c.block
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, call := range c.calls {
		if call.CallID == id {
			return call, true
		}
	}
	return events.CallInfoV1{}, false
}

func (c *fakeCore) HangupCall(_ context.Context, id string, cause int, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, call := range c.calls {
		if call.CallID == id {
			c.hangups = append(c.hangups, hangup{id, cause, reason})
			return nil
		}
	}
	return events.NewError(events.ErrUnknownCall, "no call %q", id)
}

func (c *fakeCore) hangupsDone() []hangup {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]hangup(nil), c.hangups...)
}

// sampleCalls are two calls: one connected, one ringing.
func sampleCalls() []events.CallInfoV1 {
	return []events.CallInfoV1{
		{
			CallID: "call-1", Node: testNode, State: "connected",
			CreatedAt: "2025-03-04T10:00:00.123456Z", ConnectedAt: "2025-03-04T10:00:02.5Z",
			Legs: []events.LegInfoV1{
				{LegID: "leg-1a", Side: events.SideA, State: "confirmed", SIPCallID: "abc@10.0.0.1", LocalTag: "lt1", RemoteTag: "rt1",
					LocalURI: "sip:bob@tandem.example", RemoteURI: "sip:alice@10.0.0.1", Contact: "sip:alice@10.0.0.1:5062"},
				{LegID: "leg-1b", Side: events.SideB, State: "confirmed", SIPCallID: "def@tandem", LocalTag: "lt2", RemoteTag: "rt2",
					LocalURI: "sip:alice@tandem.example", RemoteURI: "sip:bob@10.0.0.2", Contact: "sip:bob@10.0.0.2:5064"},
			},
		},
		{
			CallID: "call-2", Node: testNode, State: "ringing", CreatedAt: "2025-03-04T10:01:00Z",
			Legs: []events.LegInfoV1{
				{LegID: "leg-2a", Side: events.SideA, State: "early", SIPCallID: "x@10.0.0.3", LocalURI: "sip:carol@tandem.example", RemoteURI: "sip:dave@10.0.0.3"},
			},
		},
	}
}

// startAPI starts the real natsapi (embedded NATS with JetStream and the
// command server) in front of core, and stops it at cleanup, releasing
// commands that core still blocks.
func startAPI(t *testing.T, core *fakeCore) *natsapi.API {
	t.Helper()
	api := serveAPI(t, core)
	t.Cleanup(func() {
		if core.block != nil {
			select {
			case <-core.block:
			default:
				close(core.block)
			}
		}
	})
	return api
}

// serveAPI starts the real natsapi in front of core and stops it at
// cleanup.
func serveAPI(t *testing.T, core natsapi.CallController) *natsapi.API {
	t.Helper()
	cfg := natsapi.Defaults()
	cfg.Embedded.Port = -1
	cfg.Embedded.DataDir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api, err := natsapi.Start(ctx, cfg, testNode, nil, nil)
	if err != nil {
		t.Fatalf("natsapi.Start: %v", err)
	}
	sctx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() {
		stop()
		_ = api.Close()
	})
	if err := api.ServeCommands(sctx, core); err != nil {
		t.Fatalf("ServeCommands: %v", err)
	}
	return api
}

// result is one tandemctl run.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs tandemctl with args and an empty environment.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errw bytes.Buffer
	code := run(ctx, args, &out, &errw, func(string) string { return "" })
	r := result{code: code, stdout: out.String(), stderr: errw.String()}
	t.Logf("tandemctl %s → %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// syncBuffer is a writer safe for concurrent use that tells waiters when
// it grows.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// snapshot returns the content and a channel closed at the next write.
func (b *syncBuffer) snapshot() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.changed
}

// waitFor waits until the buffer contains s, or fails the test after 10s.
func (b *syncBuffer) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		out, changed := b.snapshot()
		if strings.Contains(out, s) {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("waited 10s for %q; have:\n%s", s, b.String())
		}
	}
}
