package natsapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

const testNode = "node-1"

// env is one API under test with what it was started with.
type env struct {
	api  *natsapi.API
	cfg  natsapi.Config
	reg  *prometheus.Registry
	logs *logBuffer
}

// startAPI starts an API on an embedded server (random port, t.TempDir())
// and closes it at cleanup.
func startAPI(t *testing.T, mutate ...func(*natsapi.Config)) *env {
	t.Helper()
	cfg := natsapi.Defaults()
	cfg.Embedded.Port = -1
	cfg.Embedded.DataDir = t.TempDir()
	for _, f := range mutate {
		f(&cfg)
	}
	return startWith(t, cfg)
}

func startWith(t *testing.T, cfg natsapi.Config) *env {
	t.Helper()
	e := &env{cfg: cfg, reg: prometheus.NewPedanticRegistry(), logs: &logBuffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api, err := natsapi.Start(ctx, cfg, testNode, e.logs.logger(), e.reg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	e.api = api
	t.Cleanup(func() { _ = api.Close() })
	return e
}

// connect opens a separate client connection, as a plugin would.
func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// runServer runs a standalone JetStream server, as an external cluster
// would be, on port (-1 for a free one) with its store in dir.
func runServer(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
}

func serverPort(srv *server.Server) int { return srv.Addr().(*net.TCPAddr).Port }

func ctxT(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// callEvent builds the seq-th event of a call; the kind varies with seq.
func callEvent(callID string, seq uint64) events.Event {
	envl := events.Envelope{
		ID:     fmt.Sprintf("%s-%d", callID, seq),
		Time:   time.Unix(1700000000, 0).UTC(),
		Node:   testNode,
		CallID: callID,
		Seq:    seq,
	}
	switch seq % 3 {
	case 1:
		envl.Type = events.TypeCallCreatedV1
		return &events.CallCreatedV1{Envelope: envl, From: "sip:a@x", To: "sip:b@y"}
	case 2:
		envl.Type = events.TypeLegRingingV1
		return &events.LegRingingV1{Envelope: envl, Code: 180}
	default:
		envl.Type = events.TypeCallEndedV1
		return &events.CallEndedV1{Envelope: envl, Code: 200, Reason: "bye"}
	}
}

// streamMsg is one message read back from the events stream.
type streamMsg struct {
	subject string
	msgID   string
	env     events.Envelope
}

// readStream reads the whole events stream with a consumer created now.
func readStream(t *testing.T, ctx context.Context, nc *nats.Conn) []streamMsg {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, events.Stream)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := int(info.State.Msgs)
	cons, err := st.CreateConsumer(ctx, jetstream.ConsumerConfig{
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	var out []streamMsg
	for len(out) < want {
		batch, err := cons.Fetch(want-len(out), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var e events.Envelope
			if err := json.Unmarshal(m.Data(), &e); err != nil {
				t.Fatalf("event %s: %v", m.Data(), err)
			}
			out = append(out, streamMsg{subject: m.Subject(), msgID: m.Headers().Get(jetstream.MsgIDHeader), env: e})
			if err := m.Ack(); err != nil {
				t.Fatal(err)
			}
		}
		if err := batch.Error(); err != nil {
			t.Fatalf("fetch: %v", err)
		}
		if n == 0 {
			t.Fatalf("fetch: got %d of %d messages", len(out), want)
		}
	}
	return out
}

// metric sums the values of metric name's series whose labels include
// labels (pairs of name, value); a histogram counts its observations.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// records returns the log records whose message is msg.
func (b *logBuffer) records(msg string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r map[string]any
		if json.Unmarshal(sc.Bytes(), &r) == nil && r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

func (b *logBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Contains(b.buf.Bytes(), []byte(s))
}
