package integration

import (
	"encoding/json"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
)

// command sends one command over NATS and decodes its reply into reply.
func command(t *testing.T, nc *nats.Conn, verb string, req, reply any) {
	t.Helper()
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := nc.Request(events.CommandSubject(verb), data, wait)
	if err != nil {
		t.Fatalf("%s: %v", verb, err)
	}
	if err := json.Unmarshal(msg.Data, reply); err != nil {
		t.Fatalf("%s reply %s: %v", verb, msg.Data, err)
	}
}

func commandConn(t *testing.T, n *harness.Node) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-commands"))
	if err != nil {
		t.Fatalf("nats: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// calls.list and calls.get show a live call with both legs as SIP sees
// them; calls.get of an unknown id is error 2; calls.hangup ends the call
// with BYE to both parties.
func TestCommands(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	nc := commandConn(t, n)

	var list events.CallsListReplyV1
	command(t, nc, events.VerbCallsList, events.CallsListRequestV1{RequestID: "list-1"}, &list)
	if list.Error != nil || list.RequestID != "list-1" || len(list.Calls) != 1 {
		t.Fatalf("calls.list: %+v", list)
	}
	ci := list.Calls[0]
	if ci.CallID != id || ci.State != "connected" || ci.Node != n.Config.Node || ci.ConnectedAt == "" || len(ci.Legs) != 2 {
		t.Fatalf("listed call %+v", ci)
	}
	legA, legB := ci.Legs[0], ci.Legs[1]
	if legA.LegID != id+"-a" || legA.Side != events.SideA || legA.State != "confirmed" ||
		legA.SIPCallID != c.CallID() || legA.RemoteTag != c.LocalTag() || legA.LocalTag != c.RemoteTag() {
		t.Errorf("A leg %+v; A's dialog %s tags %s/%s", legA, c.CallID(), c.LocalTag(), c.RemoteTag())
	}
	if legB.LegID != id+"-b1" || legB.Side != events.SideB || legB.State != "confirmed" ||
		legB.SIPCallID != in.CallID() || legB.RemoteTag != in.LocalTag() || legB.LocalTag != in.RemoteTag() {
		t.Errorf("B leg %+v; B's dialog %s tags %s/%s", legB, in.CallID(), in.LocalTag(), in.RemoteTag())
	}

	var got events.CallsGetReplyV1
	command(t, nc, events.VerbCallsGet, events.CallsGetRequestV1{RequestID: "get-1", CallID: id}, &got)
	if got.Error != nil || got.Call == nil || got.Call.CallID != id || len(got.Call.Legs) != 2 {
		t.Errorf("calls.get: %+v", got)
	}
	var unknown events.CallsGetReplyV1
	command(t, nc, events.VerbCallsGet, events.CallsGetRequestV1{RequestID: "get-2", CallID: "c-no-such-call"}, &unknown)
	if unknown.Error == nil || unknown.Error.Code != events.ErrUnknownCall || unknown.Call != nil {
		t.Errorf("calls.get of an unknown call: %+v", unknown)
	}

	var hung events.CallsHangupReplyV1
	command(t, nc, events.VerbCallsHangup, events.CallsHangupRequestV1{RequestID: "hangup-1", CallID: id, Reason: "operator"}, &hung)
	if hung.Error != nil {
		t.Fatalf("calls.hangup: %+v", hung.Error)
	}
	c.ExpectRequest(sip.BYE, wait).OK(nil)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	evs, end := ended(t, n, id)
	if end.HungUpBy != "command" || end.Reason != "operator" {
		t.Errorf("call ended %+v, want by command", end)
	}
	checkSteps(t, evs, append(connectedSteps(id), endSteps(id, id+"-b1")...)...)

	command(t, nc, events.VerbCallsList, events.CallsListRequestV1{RequestID: "list-2"}, &list)
	if list.Error != nil || len(list.Calls) != 0 {
		t.Errorf("calls.list after hangup: %+v", list)
	}
	var again events.CallsHangupReplyV1
	command(t, nc, events.VerbCallsHangup, events.CallsHangupRequestV1{RequestID: "hangup-2", CallID: id}, &again)
	if again.Error == nil || again.Error.Code != events.ErrUnknownCall {
		t.Errorf("calls.hangup of an ended call: %+v", again)
	}
}
