package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// TestRealServer runs tandemctl against a real Tandem node (the harness's
// in-process server) with a real call between two scripted phones.
func TestRealServer(t *testing.T) {
	const wait = 5 * time.Second
	bob := phone.New(t, "bob")
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{Name: "all", User: "^(.*)$", Target: "sip:$1@" + bob.Addr()}))
	url := n.Server.NATSURL()

	// No calls yet.
	r := runCLI(t, "--nats", url, "calls", "list")
	if r.code != exitOK || len(lines(r.stdout)) != 1 || !strings.HasPrefix(r.stdout, "CALL ID") {
		t.Fatalf("calls list: exit %d, stdout %q; want the header only", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", url, "--json", "--node", n.Config.Node, "calls", "list")
	var list events.CallsListReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != exitOK || list.Calls == nil || len(list.Calls) != 0 {
		t.Fatalf("calls list --json: exit %d, %q (%v); want calls: []", r.code, r.stdout, err)
	}
	r = runCLI(t, "--nats", url, "calls", "show", "no-such-call")
	if r.code != exitCommand || !strings.Contains(r.stderr, "unknown_call (code 2)") {
		t.Fatalf("calls show no-such-call: exit %d stderr %q; want 1 and unknown_call", r.code, r.stderr)
	}

	// A call from alice to bob.
	alice := phone.New(t, "alice")
	c := alice.Invite("sip:bob@" + n.SIPAddr)
	in := bob.NextInvite(wait)
	in.Ringing()
	c.Expect(180, wait)
	in.Answer(bob.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)

	r = runCLI(t, "--nats", url, "--json", "calls", "list")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != exitOK || len(list.Calls) != 1 {
		t.Fatalf("calls list --json with a call: exit %d, %q (%v)", r.code, r.stdout, err)
	}
	call := list.Calls[0]
	if remoteURI(call, events.SideA) == "" || !strings.Contains(remoteURI(call, events.SideB), "bob@") {
		t.Errorf("legs' remote URIs: A %q, B %q", remoteURI(call, events.SideA), remoteURI(call, events.SideB))
	}
	r = runCLI(t, "--nats", url, "calls", "list")
	if got := lines(r.stdout); r.code != exitOK || len(got) != 2 || !strings.HasPrefix(got[1], call.CallID+" ") {
		t.Errorf("calls list: exit %d, %q; want the call's row", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", url, "calls", "show", call.CallID)
	if r.code != exitOK || !strings.Contains(r.stdout, "call:      "+call.CallID) || !strings.Contains(r.stdout, "leg A (") || !strings.Contains(r.stdout, "leg B (") {
		t.Errorf("calls show: exit %d, %q", r.code, r.stdout)
	}

	// Hang it up: Tandem sends BYE both ways.
	r = runCLI(t, "--nats", url, "calls", "hangup", call.CallID, "--reason", "operator")
	if r.code != exitOK {
		t.Fatalf("calls hangup: exit %d", r.code)
	}
	c.ExpectRequest(sip.BYE, wait).OK(nil)
	in.ExpectRequest(sip.BYE, wait).OK(nil)

	// The stream has the whole call, in order, ended last.
	end := n.Events.AwaitCallEnd(call.CallID, wait)
	total := len(n.Events.Call(call.CallID))
	r = runCLI(t, "--nats", url, "--json", "events", "watch", "--from-start", "--call", call.CallID, "--count", strconv.Itoa(total))
	got := lines(r.stdout)
	if r.code != exitOK || len(got) != total {
		t.Fatalf("events watch --from-start: exit %d, %d lines; want %d", r.code, len(got), total)
	}
	var last events.CallEndedV1
	if err := json.Unmarshal([]byte(got[total-1]), &last); err != nil || last.Type != events.TypeCallEndedV1 || last.HungUpBy != "command" || last.Seq != end.Seq {
		t.Errorf("last event %s: %+v (%v); want call ended by command", got[total-1], last, err)
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("warnings for a complete call: %q", r.stderr)
	}
}
