package main

import (
	"encoding/json"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

func TestCallsListTable(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	r := runCLI(t, "--nats", api.ClientURL(), "calls", "list")
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0", r.code)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows, got %d lines", len(lines))
	}
	want := [][]string{
		{"CALL", "ID", "NODE", "STATE", "CREATED", "CONNECTED", "A", "B"},
		{"call-1", testNode, "connected", "2025-03-04T10:00:00Z", "2025-03-04T10:00:02Z", "sip:alice@10.0.0.1", "sip:bob@10.0.0.2"},
		{"call-2", testNode, "ringing", "2025-03-04T10:01:00Z", "-", "sip:dave@10.0.0.3", "-"},
	}
	for i, w := range want {
		if got := strings.Fields(lines[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("line %d = %q, want fields %q", i, lines[i], w)
		}
	}
	// The columns line up.
	col := strings.Index(lines[0], "STATE")
	for _, l := range lines[1:] {
		if l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("STATE column not aligned at %d in %q", col, l)
		}
	}
}

func TestCallsListJSON(t *testing.T) {
	calls := sampleCalls()
	api := startAPI(t, &fakeCore{calls: calls})
	// Global flags after the command work as well as before it.
	r := runCLI(t, "calls", "list", "--json", "--nats", api.ClientURL(), "--request-id", "req-42")
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0", r.code)
	}
	if strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--json output is not one line: %q", r.stdout)
	}
	var rep events.CallsListReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a calls.list reply: %v", err)
	}
	if rep.RequestID != "req-42" || rep.Error != nil {
		t.Errorf("reply request_id %q error %v, want req-42 and none", rep.RequestID, rep.Error)
	}
	if !reflect.DeepEqual(rep.Calls, calls) {
		t.Errorf("calls = %+v\nwant %+v", rep.Calls, calls)
	}
}

func TestCallsListEmpty(t *testing.T) {
	api := startAPI(t, &fakeCore{})
	r := runCLI(t, "--nats", api.ClientURL(), "calls", "list")
	if r.code != exitOK || strings.TrimSpace(r.stdout) != "CALL ID  NODE  STATE  CREATED  CONNECTED  A  B" {
		t.Errorf("exit %d, stdout %q; want 0 and the header only", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", api.ClientURL(), "--json", "calls", "list")
	var rep map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || string(rep["calls"]) != "[]" {
		t.Errorf("--json: %q (%v), want calls: []", r.stdout, err)
	}
}

func TestCallsShow(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	r := runCLI(t, "--nats", api.ClientURL(), "calls", "show", "call-1")
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0", r.code)
	}
	for _, want := range []string{
		"call:      call-1", "node:      " + testNode, "state:     connected",
		"created:   2025-03-04T10:00:00.123456Z", "connected: 2025-03-04T10:00:02.5Z",
		"leg A (leg-1a)", "remote uri:  sip:alice@10.0.0.1", "contact:     sip:alice@10.0.0.1:5062",
		"sip call-id: abc@10.0.0.1", "local tag:   lt1", "remote tag:  rt1",
		"leg B (leg-1b)", "remote uri:  sip:bob@10.0.0.2", "local uri:   sip:alice@tandem.example",
		"sip call-id: def@tandem",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Index(r.stdout, "leg A") > strings.Index(r.stdout, "leg B") {
		t.Error("leg B shown before leg A")
	}

	r = runCLI(t, "--nats", api.ClientURL(), "--json", "calls", "show", "call-2")
	var rep events.CallsGetReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK {
		t.Fatalf("exit %d, stdout not a calls.get reply: %v", r.code, err)
	}
	if rep.Call == nil || !reflect.DeepEqual(*rep.Call, sampleCalls()[1]) {
		t.Errorf("call = %+v, want %+v", rep.Call, sampleCalls()[1])
	}
}

func TestCallsShowUnknownCall(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	r := runCLI(t, "--nats", api.ClientURL(), "calls", "show", "nope")
	if r.code != exitCommand {
		t.Errorf("exit %d, want %d", r.code, exitCommand)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
	if !strings.Contains(r.stderr, "unknown_call (code 2)") || !strings.Contains(r.stderr, `"nope"`) {
		t.Errorf("stderr %q lacks the typed error", r.stderr)
	}

	// "--" ends the flags: an id that looks like one.
	r = runCLI(t, "--nats", api.ClientURL(), "calls", "show", "--", "--nope")
	if r.code != exitCommand || !strings.Contains(r.stderr, `unknown_call (code 2): no call "--nope"`) {
		t.Errorf("calls show -- --nope: exit %d stderr %q", r.code, r.stderr)
	}

	// --json: the error reply on stdout, the error on stderr, exit 1.
	r = runCLI(t, "--nats", api.ClientURL(), "--json", "calls", "show", "nope")
	var rep events.CallsGetReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout not a reply: %v", err)
	}
	if r.code != exitCommand || rep.Error == nil || rep.Error.Code != events.ErrUnknownCall || rep.Error.Name != "unknown_call" {
		t.Errorf("exit %d, reply error %+v; want 1 and unknown_call", r.code, rep.Error)
	}
	if !strings.Contains(r.stderr, "unknown_call") {
		t.Errorf("stderr %q lacks unknown_call", r.stderr)
	}
}

func TestCallsHangup(t *testing.T) {
	core := &fakeCore{calls: sampleCalls()}
	api := startAPI(t, core)
	// Flags after the call id.
	r := runCLI(t, "--nats", api.ClientURL(), "calls", "hangup", "call-2", "--cause", "486", "--reason", "busy here")
	if r.code != exitOK || r.stdout != "call call-2: hanging up\n" {
		t.Errorf("exit %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", api.ClientURL(), "--json", "calls", "hangup", "call-1")
	var rep events.CallsHangupReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK || rep.Error != nil || rep.RequestID == "" {
		t.Errorf("--json: exit %d, reply %q (%v)", r.code, r.stdout, err)
	}
	want := []hangup{{"call-2", 486, "busy here"}, {"call-1", 0, ""}}
	if got := core.hangupsDone(); !reflect.DeepEqual(got, want) {
		t.Errorf("core hangups = %+v, want %+v", got, want)
	}

	r = runCLI(t, "--nats", api.ClientURL(), "calls", "hangup", "gone")
	if r.code != exitCommand || !strings.Contains(r.stderr, "calls hangup: unknown_call (code 2)") {
		t.Errorf("unknown call: exit %d stderr %q", r.code, r.stderr)
	}
}

// TestRequestIDs checks that every run sends a fresh request_id and that
// --request-id makes a retry idempotent: the core acts once.
func TestRequestIDs(t *testing.T) {
	core := &fakeCore{calls: sampleCalls()}
	api := startAPI(t, core)
	ids := map[string]bool{}
	for range 2 {
		r := runCLI(t, "--nats", api.ClientURL(), "--json", "calls", "hangup", "call-1")
		var rep events.CallsHangupReplyV1
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK {
			t.Fatalf("exit %d, %v", r.code, err)
		}
		ids[rep.RequestID] = true
	}
	if len(ids) != 2 || len(core.hangupsDone()) != 2 {
		t.Fatalf("two runs: request ids %v, %d hangups; want 2 distinct ids and 2 hangups", ids, len(core.hangupsDone()))
	}
	for range 2 {
		r := runCLI(t, "--nats", api.ClientURL(), "--request-id", "retry-1", "calls", "hangup", "call-2")
		if r.code != exitOK {
			t.Fatalf("exit %d", r.code)
		}
	}
	if n := len(core.hangupsDone()); n != 3 {
		t.Errorf("after a retried --request-id the core hung up %d times in all, want 3", n)
	}
}

func TestNodeBoundCommands(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	r := runCLI(t, "--nats", api.ClientURL(), "--node", testNode, "calls", "show", "call-1")
	if r.code != exitOK || !strings.Contains(r.stdout, "call-1") {
		t.Errorf("--node %s: exit %d", testNode, r.code)
	}
	r = runCLI(t, "--nats", api.ClientURL(), "--node", "node-9", "calls", "list")
	if r.code != exitConnect || !strings.Contains(r.stderr, events.NodeCommandSubject("node-9", events.VerbCallsList)) ||
		!strings.Contains(r.stderr, `node "node-9"`) {
		t.Errorf("--node node-9: exit %d stderr %q; want 3 naming the subject and node", r.code, r.stderr)
	}
}

func TestCannotConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	for _, args := range [][]string{{"calls", "list"}, {"calls", "show", "x"}, {"events", "watch"}} {
		r := runCLI(t, append([]string{"--nats", "nats://user:secret@" + addr, "--timeout", "2s"}, args...)...)
		if r.code != exitConnect || !strings.Contains(r.stderr, "cannot connect to NATS") {
			t.Errorf("%v: exit %d stderr %q, want 3", args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "secret") {
			t.Errorf("%v: the password shows in %q", args, r.stderr)
		}
	}
}

func TestNoReplyInTime(t *testing.T) {
	core := &fakeCore{calls: sampleCalls(), block: make(chan struct{})}
	api := startAPI(t, core)
	r := runCLI(t, "--nats", api.ClientURL(), "--timeout", "300ms", "calls", "show", "call-1")
	if r.code != exitConnect || !strings.Contains(r.stderr, "no reply on tandem.v1.cmd.calls.get within 300ms") {
		t.Errorf("exit %d stderr %q, want 3 and no reply", r.code, r.stderr)
	}
}

func TestEnvironment(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	env := map[string]string{"TANDEM_NATS_URL": api.ClientURL()}
	var out, errw strings.Builder
	code := run(t.Context(), []string{"calls", "list"}, &out, &errw, func(k string) string { return env[k] })
	if code != exitOK || !strings.Contains(out.String(), "call-1") {
		t.Errorf("TANDEM_NATS_URL: exit %d stdout %q stderr %q", code, out.String(), errw.String())
	}
}
