package natsapi_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// fakeFlow is a core that also implements natsapi.FlowController: it knows
// the waiting legs "l1" and "l2", and records every call it gets.
type fakeFlow struct {
	*fakeCore

	mu  sync.Mutex // guards the fields below
	log []string   // one line per core call
	// originated is Originate's last request; sdp is AnswerLeg's last SDP.
	originated events.LegsOriginateRequestV1
	sdp        []byte
	targets    []string
}

var _ natsapi.FlowController = (*fakeFlow)(nil)

func newFakeFlow() *fakeFlow { return &fakeFlow{fakeCore: newFakeCore()} }

// leg checks a leg id; mu is held.
func (f *fakeFlow) leg(legID string) error {
	switch legID {
	case "l1", "l2":
		return nil
	case "boom":
		return errors.New("core exploded")
	}
	return events.NewError(events.ErrUnknownLeg, "no leg %s", legID)
}

func (f *fakeFlow) record(format string, args ...any) {
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

func (f *fakeFlow) Originate(_ context.Context, req events.LegsOriginateRequestV1) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("originate %s %s call=%s bridge=%s", req.Target, req.Controller, req.CallID, req.BridgeTo)
	f.originated = req
	switch {
	case req.CallID != "" && req.CallID != "c1":
		return "", "", events.NewError(events.ErrUnknownCall, "no call %s", req.CallID)
	case req.BridgeTo != "":
		if err := f.leg(req.BridgeTo); err != nil {
			return "", "", err
		}
		return "c1", "l9", nil
	case req.CallID != "":
		return req.CallID, "l9", nil
	}
	return "c9", "l9", nil
}

func (f *fakeFlow) AnswerLeg(_ context.Context, legID, controller string, sdp []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("answer %s %s %d", legID, controller, len(sdp))
	f.sdp = sdp
	return f.leg(legID)
}

func (f *fakeFlow) RejectLeg(_ context.Context, legID, controller string, code int, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("reject %s %s %d %s", legID, controller, code, reason)
	return f.leg(legID)
}

func (f *fakeFlow) RedirectLeg(_ context.Context, legID, controller string, code int, targets []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("redirect %s %s %d %s", legID, controller, code, strings.Join(targets, ","))
	f.targets = targets
	return f.leg(legID)
}

func (f *fakeFlow) BridgeLegs(_ context.Context, legID, otherLegID, controller string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("bridge %s %s %s", legID, otherLegID, controller)
	if err := errors.Join(f.leg(legID), f.leg(otherLegID)); err != nil {
		var e *events.Error
		if errors.As(err, &e) {
			return "", e
		}
		return "", err
	}
	return "c1", nil
}

func (f *fakeFlow) UnbridgeLeg(_ context.Context, legID, controller string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("unbridge %s %s", legID, controller)
	return f.leg(legID)
}

// calls returns the core calls recorded so far.
func (f *fakeFlow) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// serveCore starts ServeCommands with any core and returns a client
// connection.
func serveCore(t *testing.T, e *env, core natsapi.CallController) *nats.Conn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.api.ServeCommands(ctx, core); err != nil {
		t.Fatalf("ServeCommands: %v", err)
	}
	return connect(t, e.api.ClientURL())
}

// A core that does not implement FlowController does not get the flow
// verbs, and one that implements only FlowController does not get the
// control verbs: nobody answers them.
func TestFlowVerbsNeedFlowController(t *testing.T) {
	for _, tt := range []struct {
		name  string
		core  natsapi.CallController
		verbs []string
	}{
		{"call controller", newFakeCore(), []string{events.VerbLegsOriginate, events.VerbLegsUnbridge}},
		{"leg controller", newFakeController(), []string{events.VerbLegsOriginate, events.VerbLegsBridge}},
		{"flow controller", newFakeFlow(), []string{events.VerbLegsHold, events.VerbCallsClaim}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := startAPI(t)
			nc := serveCore(t, e, tt.core)
			for _, verb := range tt.verbs {
				_, err := nc.RequestWithContext(ctxT(t, 5*time.Second), events.CommandSubject(verb), []byte(`{}`))
				if !errors.Is(err, nats.ErrNoResponders) {
					t.Errorf("%s: err = %v, want no responders", verb, err)
				}
			}
		})
	}
}

// A core that implements both interfaces gets both sets of verbs.
func TestFlowWithLegController(t *testing.T) {
	e := startAPI(t)
	core := struct {
		*fakeController
		natsapi.FlowController
	}{newFakeController(), newFakeFlow()}
	nc := serveCore(t, e, core)
	var hold events.LegsHoldReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsHold), events.LegsHoldRequestV1{RequestID: "h", LegID: "l1"}, &hold)
	wantCode(t, hold.Reply, 0)
	var unbridge events.LegsUnbridgeReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsUnbridge), events.LegsUnbridgeRequestV1{RequestID: "u", LegID: "l1"}, &unbridge)
	wantCode(t, unbridge.Reply, 0)
}

func TestFlowOriginate(t *testing.T) {
	e := startAPI(t)
	core := newFakeFlow()
	nc := serveCore(t, e, core)

	req := events.LegsOriginateRequestV1{
		RequestID: "o1", Controller: "ivr", Target: "sips:bob@example.com:5061;transport=tcp",
		CallID: "c1", From: "sip:ivr@tandem.example", FromDisplay: "IVR",
		Headers:   []events.HeaderV1{{Name: "X-Campaign", Value: "7"}, {Name: "Alert-Info", Value: "<urn:alert:service:normal>"}},
		TimeoutMS: 30000, SDP: "v=0\r\n",
	}
	var rep events.LegsOriginateReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsOriginate), req, &rep)
	wantCode(t, rep.Reply, 0)
	if rep.RequestID != "o1" || rep.CallID != "c1" || rep.LegID != "l9" {
		t.Errorf("reply = %+v, want o1, c1, l9", rep)
	}
	core.mu.Lock()
	if !reflect.DeepEqual(core.originated, req) {
		t.Errorf("core got %+v, want %+v", core.originated, req)
	}
	core.mu.Unlock()

	// On the node's subject too; a new call, or one bridged to a leg.
	for _, tt := range []struct {
		req        events.LegsOriginateRequestV1
		call, leg  string
		wantErrors events.ErrorCode
	}{
		{events.LegsOriginateRequestV1{RequestID: "o2", Target: "sip:alice@192.0.2.7"}, "c9", "l9", 0},
		{events.LegsOriginateRequestV1{RequestID: "o3", Target: "sip:[2001:db8::1]:5070", BridgeTo: "l2"}, "c1", "l9", 0},
		{events.LegsOriginateRequestV1{RequestID: "o4", Target: "sip:carol@example.com", CallID: "c7"}, "", "", events.ErrUnknownCall},
		{events.LegsOriginateRequestV1{RequestID: "o5", Target: "sip:carol@example.com", BridgeTo: "boom"}, "", "", events.ErrInternal},
	} {
		var rep events.LegsOriginateReplyV1
		request(t, nc, events.NodeCommandSubject(testNode, events.VerbLegsOriginate), tt.req, &rep)
		wantCode(t, rep.Reply, tt.wantErrors)
		if rep.RequestID != tt.req.RequestID || rep.CallID != tt.call || rep.LegID != tt.leg {
			t.Errorf("%s: reply = %+v, want call %q leg %q", tt.req.RequestID, rep, tt.call, tt.leg)
		}
	}
	want := []string{
		"originate sips:bob@example.com:5061;transport=tcp ivr call=c1 bridge=",
		"originate sip:alice@192.0.2.7  call= bridge=",
		"originate sip:[2001:db8::1]:5070  call= bridge=l2",
		"originate sip:carol@example.com  call=c7 bridge=",
		"originate sip:carol@example.com  call= bridge=boom",
	}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

// Answer, reject and redirect of a waiting leg: defaults are applied
// before the core sees the request.
func TestFlowAnswerRejectRedirect(t *testing.T) {
	e := startAPI(t)
	core := newFakeFlow()
	nc := serveCore(t, e, core)
	subj := events.CommandSubject

	var ans events.LegsAnswerReplyV1
	request(t, nc, subj(events.VerbLegsAnswer), events.LegsAnswerRequestV1{RequestID: "a1", Controller: "ivr", LegID: "l1", SDP: "v=0\r\n"}, &ans)
	wantCode(t, ans.Reply, 0)
	core.mu.Lock()
	if string(core.sdp) != "v=0\r\n" {
		t.Errorf("core got sdp %q", core.sdp)
	}
	core.mu.Unlock()
	// Without SDP the core gets nil.
	ans = events.LegsAnswerReplyV1{}
	request(t, nc, subj(events.VerbLegsAnswer), events.LegsAnswerRequestV1{RequestID: "a2", LegID: "l2"}, &ans)
	wantCode(t, ans.Reply, 0)
	core.mu.Lock()
	if core.sdp != nil {
		t.Errorf("core got sdp %q, want nil", core.sdp)
	}
	core.mu.Unlock()

	for _, tt := range []struct {
		req  events.LegsRejectRequestV1
		want events.ErrorCode
	}{
		{events.LegsRejectRequestV1{RequestID: "r1", LegID: "l1"}, 0},
		{events.LegsRejectRequestV1{RequestID: "r2", LegID: "l1", Code: 603, Reason: "Decline"}, 0},
		{events.LegsRejectRequestV1{RequestID: "r3", LegID: "l1", Code: 699, Reason: "tab\tis fine"}, 0},
		{events.LegsRejectRequestV1{RequestID: "r4", LegID: "gone", Code: 480}, events.ErrUnknownLeg},
	} {
		var rep events.LegsRejectReplyV1
		request(t, nc, subj(events.VerbLegsReject), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
	}

	targets := []string{"sip:bob@192.0.2.8", "SIPS:bob@example.com;gr=x", "sip:+15551234;phone-context=x@gw.example.com;user=phone"}
	var red events.LegsRedirectReplyV1
	request(t, nc, subj(events.VerbLegsRedirect), events.LegsRedirectRequestV1{RequestID: "d1", LegID: "l1", Targets: targets}, &red)
	wantCode(t, red.Reply, 0)
	red = events.LegsRedirectReplyV1{}
	request(t, nc, subj(events.VerbLegsRedirect), events.LegsRedirectRequestV1{RequestID: "d2", LegID: "boom", Code: 301, Targets: targets[:1]}, &red)
	wantCode(t, red.Reply, events.ErrInternal)
	core.mu.Lock()
	if !reflect.DeepEqual(core.targets, targets[:1]) {
		t.Errorf("core got targets %q", core.targets)
	}
	core.mu.Unlock()

	want := []string{
		"answer l1 ivr 5", "answer l2  0",
		"reject l1  486 ", "reject l1  603 Decline", "reject l1  699 tab\tis fine", "reject gone  480 ",
		"redirect l1  302 " + strings.Join(targets, ","), "redirect boom  301 sip:bob@192.0.2.8",
	}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

func TestFlowBridgeUnbridge(t *testing.T) {
	e := startAPI(t)
	core := newFakeFlow()
	nc := serveCore(t, e, core)
	subj := events.CommandSubject

	var br events.LegsBridgeReplyV1
	request(t, nc, subj(events.VerbLegsBridge), events.LegsBridgeRequestV1{RequestID: "b1", Controller: "ivr", LegID: "l1", OtherLegID: "l2"}, &br)
	wantCode(t, br.Reply, 0)
	if br.RequestID != "b1" || br.CallID != "c1" {
		t.Errorf("bridge reply = %+v, want call c1", br)
	}
	br = events.LegsBridgeReplyV1{}
	raw := request(t, nc, subj(events.VerbLegsBridge), events.LegsBridgeRequestV1{RequestID: "b2", LegID: "l1", OtherLegID: "l7"}, &br)
	wantCode(t, br.Reply, events.ErrUnknownLeg)
	if strings.Contains(string(raw), `"call_id"`) {
		t.Errorf("refused bridge reply %s has a call id", raw)
	}

	var un events.LegsUnbridgeReplyV1
	request(t, nc, subj(events.VerbLegsUnbridge), events.LegsUnbridgeRequestV1{RequestID: "u1", Controller: "ivr", LegID: "l2"}, &un)
	wantCode(t, un.Reply, 0)
	un = events.LegsUnbridgeReplyV1{}
	request(t, nc, events.NodeCommandSubject(testNode, events.VerbLegsUnbridge), events.LegsUnbridgeRequestV1{RequestID: "u2", LegID: "l8"}, &un)
	wantCode(t, un.Reply, events.ErrUnknownLeg)

	want := []string{"bridge l1 l2 ivr", "bridge l1 l7 ", "unbridge l2 ivr", "unbridge l8 "}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

// A retried originate (same request_id) does not call anyone twice: the
// first reply is replayed, on either subject.
func TestFlowIdempotent(t *testing.T) {
	e := startAPI(t)
	core := newFakeFlow()
	nc := serveCore(t, e, core)
	req := events.LegsOriginateRequestV1{RequestID: "same", Target: "sip:bob@example.com"}
	var first, again events.LegsOriginateReplyV1
	raw1 := request(t, nc, events.CommandSubject(events.VerbLegsOriginate), req, &first)
	raw2 := request(t, nc, events.NodeCommandSubject(testNode, events.VerbLegsOriginate), req, &again)
	wantCode(t, first.Reply, 0)
	if string(raw1) != string(raw2) || again.LegID != "l9" {
		t.Errorf("replayed %s, first %s", raw2, raw1)
	}
	// A refusal is remembered too.
	bridge := events.LegsBridgeRequestV1{RequestID: "same", LegID: "l1", OtherLegID: "nope"}
	for range 2 {
		var rep events.LegsBridgeReplyV1
		request(t, nc, events.CommandSubject(events.VerbLegsBridge), bridge, &rep)
		wantCode(t, rep.Reply, events.ErrUnknownLeg)
	}
	want := []string{"originate sip:bob@example.com  call= bridge=", "bridge l1 nope "}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbLegsOriginate, "result", "replayed"); n != 1 {
		t.Errorf("commands{legs.originate, replayed} = %v, want 1", n)
	}
}

func TestFlowBadRequests(t *testing.T) {
	e := startAPI(t)
	core := newFakeFlow()
	nc := serveCore(t, e, core)
	bigSDP := strings.Repeat("a", 64<<10+1)
	var manyHeaders, manyTargets []string
	for i := range 65 {
		manyHeaders = append(manyHeaders, fmt.Sprintf(`{"name":"X-H%d","value":"v"}`, i))
	}
	for range 17 {
		manyTargets = append(manyTargets, `"sip:a@b"`)
	}
	tests := []struct {
		name, verb, data string
		field            string // the message names it
	}{
		{"originate garbage", events.VerbLegsOriginate, `{`, ""},
		{"originate without target", events.VerbLegsOriginate, `{"request_id":"1"}`, "target"},
		{"originate tel target", events.VerbLegsOriginate, `{"request_id":"2","target":"tel:+15551234"}`, "target"},
		{"originate target without host", events.VerbLegsOriginate, `{"request_id":"3","target":"sip:bob@"}`, "target"},
		{"originate target only params", events.VerbLegsOriginate, `{"request_id":"4","target":"sip:;transport=tcp"}`, "target"},
		{"originate target with name", events.VerbLegsOriginate, `{"request_id":"5","target":"<sip:bob@example.com>"}`, "target"},
		{"originate target injection", events.VerbLegsOriginate, `{"request_id":"6","target":"sip:bob@example.com\r\nX: y"}`, "target"},
		{"originate bad from", events.VerbLegsOriginate, `{"request_id":"7","target":"sip:b@x","from":"alice"}`, "from"},
		{"originate display injection", events.VerbLegsOriginate, `{"request_id":"8","target":"sip:b@x","from_display":"A\nB"}`, "from_display"},
		{"originate negative timeout", events.VerbLegsOriginate, `{"request_id":"9","target":"sip:b@x","timeout_ms":-1}`, "timeout_ms"},
		{"originate huge timeout", events.VerbLegsOriginate, `{"request_id":"10","target":"sip:b@x","timeout_ms":600001}`, "timeout_ms"},
		{"originate big sdp", events.VerbLegsOriginate, `{"request_id":"11","target":"sip:b@x","sdp":"` + bigSDP + `"}`, "sdp"},
		{"originate too many headers", events.VerbLegsOriginate, `{"request_id":"12","target":"sip:b@x","headers":[` + strings.Join(manyHeaders, ",") + `]}`, "headers"},
		{"originate dialog header", events.VerbLegsOriginate, `{"request_id":"13","target":"sip:b@x","headers":[{"name":"Contact","value":"<sip:x@y>"}]}`, "Contact"},
		{"originate compact header", events.VerbLegsOriginate, `{"request_id":"14","target":"sip:b@x","headers":[{"name":"m","value":"<sip:x@y>"}]}`, "header m"},
		{"originate header injection", events.VerbLegsOriginate, `{"request_id":"15","target":"sip:b@x","headers":[{"name":"X-A","value":"a\r\nBYE: x"}]}`, "X-A"},
		{"originate bad header name", events.VerbLegsOriginate, `{"request_id":"16","target":"sip:b@x","headers":[{"name":"X A","value":"x"}]}`, "header name"},
		{"answer without leg", events.VerbLegsAnswer, `{"request_id":"17"}`, "leg_id"},
		{"answer big sdp", events.VerbLegsAnswer, `{"request_id":"18","leg_id":"l1","sdp":"` + bigSDP + `"}`, "sdp"},
		{"reject without leg", events.VerbLegsReject, `{"request_id":"19","code":486}`, "leg_id"},
		{"reject with 3xx", events.VerbLegsReject, `{"request_id":"20","leg_id":"l1","code":302}`, "code"},
		{"reject with 700", events.VerbLegsReject, `{"request_id":"21","leg_id":"l1","code":700}`, "code"},
		{"reject reason injection", events.VerbLegsReject, `{"request_id":"22","leg_id":"l1","reason":"x\r\nVia: y"}`, "reason"},
		{"redirect without leg", events.VerbLegsRedirect, `{"request_id":"23","targets":["sip:a@b"]}`, "leg_id"},
		{"redirect with 4xx", events.VerbLegsRedirect, `{"request_id":"24","leg_id":"l1","code":404,"targets":["sip:a@b"]}`, "code"},
		{"redirect without targets", events.VerbLegsRedirect, `{"request_id":"25","leg_id":"l1"}`, "targets"},
		{"redirect too many targets", events.VerbLegsRedirect, `{"request_id":"26","leg_id":"l1","targets":[` + strings.Join(manyTargets, ",") + `]}`, "targets"},
		{"redirect tel target", events.VerbLegsRedirect, `{"request_id":"27","leg_id":"l1","targets":["sip:a@b","tel:+1555"]}`, "targets[1]"},
		{"redirect empty target", events.VerbLegsRedirect, `{"request_id":"28","leg_id":"l1","targets":[""]}`, "targets[0]"},
		{"redirect targets as string", events.VerbLegsRedirect, `{"request_id":"29","leg_id":"l1","targets":"sip:a@b"}`, ""},
		{"bridge without leg", events.VerbLegsBridge, `{"request_id":"30","other_leg_id":"l2"}`, "leg_id"},
		{"bridge without other", events.VerbLegsBridge, `{"request_id":"31","leg_id":"l1"}`, "other_leg_id"},
		{"bridge to itself", events.VerbLegsBridge, `{"request_id":"32","leg_id":"l1","other_leg_id":"l1"}`, "other_leg_id"},
		{"unbridge without leg", events.VerbLegsUnbridge, `{"request_id":"33"}`, "leg_id"},
		{"unbridge garbage", events.VerbLegsUnbridge, `[]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep events.Reply
			request(t, nc, events.CommandSubject(tt.verb), []byte(tt.data), &rep)
			wantCode(t, rep, events.ErrBadRequest)
			if rep.Error == nil {
				return
			}
			if !strings.HasPrefix(rep.Error.Message, tt.verb+": ") {
				t.Errorf("message %q does not name the verb", rep.Error.Message)
			}
			if !strings.Contains(rep.Error.Message, tt.field) {
				t.Errorf("message %q does not name %q", rep.Error.Message, tt.field)
			}
		})
	}
	if got := core.calls(); len(got) != 0 {
		t.Errorf("bad requests reached the core: %q", got)
	}
	originates := 0
	for _, tt := range tests {
		if tt.verb == events.VerbLegsOriginate {
			originates++
		}
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbLegsOriginate, "result", "bad_request"); n != float64(originates) {
		t.Errorf("commands{legs.originate, bad_request} = %v, want %d", n, originates)
	}
}
