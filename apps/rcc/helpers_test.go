package rcc_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/rcc"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// wait bounds every wait; nothing waits for it to pass.
const wait = 10 * time.Second

// The gateway's node in the tests.
const node = "n1"

// Tokens of testConfig.
const (
	opsToken    = "ops-token-0123456789"    // ops: every permission
	viewerToken = "viewer-token-0123456789" // viewer: calls.list, calls.get
	bossToken   = "boss-token-0123456789"   // boss: originate, with answer_mode
)

// testConfig is the gateway's configuration of most tests.
const testConfig = `{
	"listen": "127.0.0.1:0",
	"command_timeout": "2s",
	"heartbeat": "1s",
	"tokens": [
		{"name": "ops", "token": "` + opsToken + `", "permissions": ["*"]},
		{"name": "viewer", "token": "` + viewerToken + `", "permissions": ["calls.list", "calls.get"]},
		{"name": "boss", "token": "` + bossToken + `", "permissions": ["legs.originate", "calls.originate"], "answer_mode": true}
	]}`

// startNATS runs an embedded NATS server on a free loopback port until
// the test ends.
func startNATS(t testing.TB) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(wait) {
		t.Fatal("nats: not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connect(t testing.TB, s *server.Server) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// received is one command the stub core got.
type received struct {
	Subject string
	Node    string // "" on the load-shared subject
	Verb    string
	Body    map[string]any
}

// stubCore answers commands on NATS like a core, from answer.
type stubCore struct {
	mu  sync.Mutex // guards got
	got []received
	// answer returns the reply to a command (nil: no reply at all). It is
	// fixed before the first command.
	answer func(r received) any
}

// startStub serves the commands of the core's queue group on s until the
// test ends; answer nil answers every command with success (okAnswer).
func startStub(t testing.TB, s *server.Server, answer func(received) any) *stubCore {
	t.Helper()
	if answer == nil {
		answer = okAnswer
	}
	st := &stubCore{answer: answer}
	nc := connect(t, s)
	_, err := nc.QueueSubscribe(events.CommandPrefix+".>", events.CommandQueue, func(m *nats.Msg) {
		r := received{Subject: m.Subject}
		toks := strings.Split(strings.TrimPrefix(m.Subject, events.CommandPrefix+"."), ".")
		if len(toks) == 3 {
			r.Node = toks[0]
			toks = toks[1:]
		}
		r.Verb = strings.Join(toks, ".")
		if err := json.Unmarshal(m.Data, &r.Body); err != nil {
			t.Errorf("stub: %s: %v", m.Subject, err)
		}
		st.mu.Lock()
		st.got = append(st.got, r)
		st.mu.Unlock()
		if rep := st.answer(r); rep != nil {
			data, _ := json.Marshal(rep)
			_ = m.Respond(data)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return st
}

// okAnswer is a successful reply to any verb, with made-up ids.
func okAnswer(r received) any {
	rep := map[string]any{"request_id": r.Body["request_id"]}
	switch r.Verb {
	case events.VerbCallsList:
		rep["calls"] = []any{map[string]any{"call_id": "c1", "node": node, "state": "connected", "created_at": "2026-01-01T00:00:00Z", "legs": []any{}}}
	case events.VerbCallsGet:
		rep["call"] = map[string]any{"call_id": r.Body["call_id"], "node": node, "state": "connected", "created_at": "2026-01-01T00:00:00Z", "legs": []any{}}
	case events.VerbLegsOriginate:
		rep["call_id"], rep["leg_id"] = "c1", "c1-o1"
	case events.VerbCallsOriginate:
		rep["call_id"], rep["a_leg_id"] = "c2", "c2-o1"
	case events.VerbCallsClaim:
		rep["controller"], rep["expires_at"] = r.Body["controller"], "2026-01-01T00:00:30Z"
	case events.VerbLegsBridge:
		rep["call_id"] = "c1"
	case events.VerbLegsRequest:
		rep["code"], rep["reason"] = 200, "OK"
	case events.VerbTransfersBlind, events.VerbTransfersAttended:
		rep["transfer_id"] = "t1"
	case events.VerbPhonesRefer:
		rep["refer_id"] = "r1"
	case events.VerbMixerList:
		rep["rooms"] = []any{}
	case events.VerbRegistrationsList:
		rep["registrations"] = []any{map[string]any{"aor": "sip:alice@example.com", "contact": "sip:alice@192.0.2.1",
			"expires_at": "2026-01-01T00:10:00Z"}}
	case "conference.list":
		rep["rooms"] = []any{}
	case "conference.create", "conference.merge":
		rep["room"], rep["uri"], rep["expires_at"] = "adhoc-x", "sip:adhoc-x@example.com", "2026-01-01T00:10:00Z"
		if r.Verb == "conference.merge" {
			rep["leg_ids"] = []any{"c7-a", "c7-b"}
		}
	case "conference.renew":
		rep["expires_at"] = "2026-01-01T00:10:00Z"
	case "conference.dial":
		rep["call_id"], rep["leg_id"] = "c9", "c9-o1"
	}
	return rep
}

// errorAnswer refuses every command with code.
func errorAnswer(code events.ErrorCode) func(received) any {
	return func(r received) any {
		return map[string]any{"request_id": r.Body["request_id"], "error": events.NewError(code, "refused by the stub")}
	}
}

// commands returns what the stub got so far.
func (st *stubCore) commands() []received {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]received(nil), st.got...)
}

// last returns the last command the stub got; the test fails without one.
func (st *stubCore) last(t testing.TB) received {
	t.Helper()
	got := st.commands()
	if len(got) == 0 {
		t.Fatal("stub: no command received")
	}
	return got[len(got)-1]
}

// startGateway runs the gateway plugin with config on s until the test
// ends and returns its base URL.
func startGateway(t testing.TB, s *server.Server, config string) string {
	t.Helper()
	addr := make(chan net.Addr, 1)
	p := rcc.NewPlugin(rcc.OnListen(func(a net.Addr) { addr <- a }))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	inst, err := sdk.Start(ctx, connect(t, s), p,
		sdk.WithConfig([]byte(config)), sdk.WithNode(node), sdk.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatalf("start the gateway: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := inst.Stop(ctx); err != nil {
			t.Errorf("stop the gateway: %v", err)
		}
	})
	return "http://" + (<-addr).String()
}

// setup runs NATS, the stub core (answer nil: success) and the gateway of
// testConfig.
func setup(t testing.TB, answer func(received) any) (*server.Server, *stubCore, string) {
	t.Helper()
	s := startNATS(t)
	st := startStub(t, s, answer)
	return s, st, startGateway(t, s, testConfig)
}

// response is an HTTP answer, read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode decodes the body into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorName is the name of the error in the body, "" without one.
func (r response) errorName() string {
	var rep events.Reply
	if json.Unmarshal(r.Body, &rep) != nil || rep.Error == nil {
		return ""
	}
	return rep.Error.Name
}

// do sends one request: token "" sends none; headers are name, value
// pairs.
func do(t testing.TB, method, url, token, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// testLogger logs to the test log at debug level when TANDEM_TEST_LOG=1.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("TANDEM_TEST_LOG") != "1" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }() // a log line after the test ended
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
