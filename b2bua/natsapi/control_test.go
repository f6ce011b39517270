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

// fakeController is a core that also implements natsapi.LegController: it
// knows leg "l1" of call "c1", keeps one claim per call, and records every
// call it gets.
type fakeController struct {
	*fakeCore

	mu     sync.Mutex // guards the fields below
	log    []string   // one line per core call
	claims map[string]string
	now    time.Time
	// code and reason answer SendRequest.
	code   int
	reason string
	// headers and body are SendRequest's last arguments.
	headers []events.HeaderV1
	body    []byte
}

var _ natsapi.LegController = (*fakeController)(nil)

func newFakeController() *fakeController {
	return &fakeController{
		fakeCore: newFakeCore(), claims: map[string]string{},
		now:  time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		code: 200, reason: "OK",
	}
}

// leg checks legID and the controller's right on its call; mu is held.
func (f *fakeController) leg(legID, controller string) error {
	switch legID {
	case "l1":
	case "boom":
		return errors.New("core exploded")
	default:
		return events.NewError(events.ErrUnknownLeg, "no leg %s", legID)
	}
	if owner := f.claims["c1"]; owner != "" && owner != controller {
		return events.NewError(events.ErrConflict, "call c1 is controlled by %s", owner)
	}
	return nil
}

func (f *fakeController) record(format string, args ...any) {
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

func (f *fakeController) HoldLeg(_ context.Context, legID, controller string, hold bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("hold %s %s %v", legID, controller, hold)
	return f.leg(legID, controller)
}

func (f *fakeController) SendDTMF(_ context.Context, legID, controller, digits, method string, durationMS int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("dtmf %s %s %s %s %d", legID, controller, digits, method, durationMS)
	if err := f.leg(legID, controller); err != nil {
		return err
	}
	if method == events.DTMFRFC4733 {
		return events.NewError(events.ErrConflict, "no media anchoring")
	}
	return nil
}

func (f *fakeController) SendRequest(_ context.Context, legID, controller, method string, headers []events.HeaderV1, contentType string, body []byte) (int, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("request %s %s %s %s", legID, controller, method, contentType)
	f.headers, f.body = headers, body
	if err := f.leg(legID, controller); err != nil {
		return 0, "", err
	}
	return f.code, f.reason, nil
}

func (f *fakeController) HangupLeg(_ context.Context, legID, controller string, cause int, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("hangup %s %s %d %s", legID, controller, cause, reason)
	return f.leg(legID, controller)
}

func (f *fakeController) ClaimCall(_ context.Context, callID, controller string, ttl time.Duration) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("claim %s %s %v", callID, controller, ttl)
	if callID != "c1" {
		return time.Time{}, events.NewError(events.ErrUnknownCall, "no call %s", callID)
	}
	if owner := f.claims[callID]; owner != "" && owner != controller {
		return time.Time{}, events.NewError(events.ErrConflict, "call %s is controlled by %s", callID, owner)
	}
	f.claims[callID] = controller
	return f.now.Add(ttl), nil
}

func (f *fakeController) ReleaseCall(_ context.Context, callID, controller string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("release %s %s", callID, controller)
	if callID != "c1" {
		return events.NewError(events.ErrUnknownCall, "no call %s", callID)
	}
	if owner := f.claims[callID]; owner != controller {
		return events.NewError(events.ErrConflict, "call %s is not controlled by %s", callID, controller)
	}
	delete(f.claims, callID)
	return nil
}

// calls returns the core calls recorded so far.
func (f *fakeController) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func serveControl(t *testing.T, e *env, core *fakeController) *nats.Conn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.api.ServeCommands(ctx, core); err != nil {
		t.Fatalf("ServeCommands: %v", err)
	}
	return connect(t, e.api.ClientURL())
}

// A core that does not implement LegController does not get the control
// verbs: nobody answers them.
func TestControlVerbsNeedLegController(t *testing.T) {
	e := startAPI(t)
	nc := serve(t, e, newFakeCore())
	for _, verb := range []string{events.VerbLegsHold, events.VerbCallsClaim} {
		_, err := nc.RequestWithContext(ctxT(t, 5*time.Second), events.CommandSubject(verb), []byte(`{}`))
		if !errors.Is(err, nats.ErrNoResponders) {
			t.Errorf("%s: err = %v, want no responders", verb, err)
		}
	}
	var rep events.CallsListReplyV1
	request(t, nc, events.CommandSubject(events.VerbCallsList), events.CallsListRequestV1{RequestID: "l"}, &rep)
	wantCode(t, rep.Reply, 0)
}

func TestControlHoldResume(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)

	var hold events.LegsHoldReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsHold), events.LegsHoldRequestV1{RequestID: "h1", Controller: "ivr", LegID: "l1"}, &hold)
	wantCode(t, hold.Reply, 0)
	if hold.RequestID != "h1" {
		t.Errorf("request_id %q", hold.RequestID)
	}
	var resume events.LegsResumeReplyV1
	request(t, nc, events.NodeCommandSubject(testNode, events.VerbLegsResume), events.LegsResumeRequestV1{RequestID: "r1", LegID: "l1"}, &resume)
	wantCode(t, resume.Reply, 0)

	for _, tt := range []struct {
		leg  string
		want events.ErrorCode
	}{{"nope", events.ErrUnknownLeg}, {"boom", events.ErrInternal}} {
		var rep events.LegsHoldReplyV1
		request(t, nc, events.CommandSubject(events.VerbLegsHold), events.LegsHoldRequestV1{RequestID: "h-" + tt.leg, LegID: tt.leg}, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != "h-"+tt.leg {
			t.Errorf("%s: request_id %q", tt.leg, rep.RequestID)
		}
	}
	want := []string{"hold l1 ivr true", "hold l1  false", "hold nope  true", "hold boom  true"}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

func TestControlDTMF(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)

	var rep events.LegsDTMFReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsDTMF), events.LegsDTMFRequestV1{RequestID: "d1", LegID: "l1", Digits: "12#*"}, &rep)
	wantCode(t, rep.Reply, 0)
	rep = events.LegsDTMFReplyV1{}
	request(t, nc, events.CommandSubject(events.VerbLegsDTMF),
		events.LegsDTMFRequestV1{RequestID: "d2", LegID: "l1", Digits: "9", Method: events.DTMFRFC4733, DurationMS: 100}, &rep)
	wantCode(t, rep.Reply, events.ErrConflict)

	want := []string{"dtmf l1  12#* info 0", "dtmf l1  9 rfc4733 100"}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

func TestControlRequest(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	core.code, core.reason = 489, "Bad Event"
	nc := serveControl(t, e, core)

	headers := []events.HeaderV1{{Name: "Event", Value: "dialog"}, {Name: "X-Note", Value: "a"}, {Name: "X-Note", Value: "b"}}
	var rep events.LegsRequestReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsRequest), events.LegsRequestRequestV1{
		RequestID: "q1", Controller: "ivr", LegID: "l1", Method: "NOTIFY",
		Headers: headers, ContentType: "text/plain", Body: "hello",
	}, &rep)
	// The party's error response is the command's success.
	wantCode(t, rep.Reply, 0)
	if rep.Code != 489 || rep.Reason != "Bad Event" {
		t.Errorf("reply = %+v, want 489 Bad Event", rep)
	}
	core.mu.Lock()
	if !reflect.DeepEqual(core.headers, headers) || string(core.body) != "hello" {
		t.Errorf("core got headers %+v, body %q", core.headers, core.body)
	}
	core.mu.Unlock()

	// Without a body the core gets nil, and an unknown leg has no code.
	rep = events.LegsRequestReplyV1{}
	request(t, nc, events.CommandSubject(events.VerbLegsRequest), events.LegsRequestRequestV1{RequestID: "q2", LegID: "zz", Method: "OPTIONS"}, &rep)
	wantCode(t, rep.Reply, events.ErrUnknownLeg)
	if rep.Code != 0 {
		t.Errorf("code %d with an error", rep.Code)
	}
	core.mu.Lock()
	if core.body != nil || core.headers != nil {
		t.Errorf("core got headers %+v, body %q; want nil", core.headers, core.body)
	}
	core.mu.Unlock()
	want := []string{"request l1 ivr NOTIFY text/plain", "request zz  OPTIONS "}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
}

func TestControlHangupLeg(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)
	var rep events.LegsHangupReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsHangup), events.LegsHangupRequestV1{RequestID: "x1", LegID: "l1", Cause: 603, Reason: "operator"}, &rep)
	wantCode(t, rep.Reply, 0)
	if got := core.calls(); !reflect.DeepEqual(got, []string{"hangup l1  603 operator"}) {
		t.Errorf("core calls = %q", got)
	}
}

// A claimed call obeys its controller only, until released.
func TestControlClaimRelease(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)
	subj := events.CommandSubject

	var claim events.CallsClaimReplyV1
	request(t, nc, subj(events.VerbCallsClaim), events.CallsClaimRequestV1{RequestID: "c-1", Controller: "ivr", CallID: "c1"}, &claim)
	wantCode(t, claim.Reply, 0)
	if claim.Controller != "ivr" || !claim.ExpiresAt.Equal(core.now.Add(events.DefaultClaimTTL)) {
		t.Errorf("claim reply = %+v", claim)
	}
	// Renewing with a TTL.
	claim = events.CallsClaimReplyV1{}
	request(t, nc, subj(events.VerbCallsClaim), events.CallsClaimRequestV1{RequestID: "c-2", Controller: "ivr", CallID: "c1", TTLMS: 5000}, &claim)
	wantCode(t, claim.Reply, 0)
	if !claim.ExpiresAt.Equal(core.now.Add(5 * time.Second)) {
		t.Errorf("renewed claim expires %v", claim.ExpiresAt)
	}

	// Another controller, or none, is refused.
	claim = events.CallsClaimReplyV1{}
	raw := request(t, nc, subj(events.VerbCallsClaim), events.CallsClaimRequestV1{RequestID: "c-3", Controller: "other", CallID: "c1"}, &claim)
	wantCode(t, claim.Reply, events.ErrConflict)
	if strings.Contains(string(raw), "expires_at") || claim.Controller != "" {
		t.Errorf("refused claim reply %s", raw)
	}
	var hold events.LegsHoldReplyV1
	request(t, nc, subj(events.VerbLegsHold), events.LegsHoldRequestV1{RequestID: "h-1", LegID: "l1"}, &hold)
	wantCode(t, hold.Reply, events.ErrConflict)
	var rel events.CallsReleaseReplyV1
	request(t, nc, subj(events.VerbCallsRelease), events.CallsReleaseRequestV1{RequestID: "r-1", Controller: "other", CallID: "c1"}, &rel)
	wantCode(t, rel.Reply, events.ErrConflict)

	rel = events.CallsReleaseReplyV1{}
	request(t, nc, subj(events.VerbCallsRelease), events.CallsReleaseRequestV1{RequestID: "r-2", Controller: "ivr", CallID: "c1"}, &rel)
	wantCode(t, rel.Reply, 0)
	hold = events.LegsHoldReplyV1{}
	request(t, nc, subj(events.VerbLegsHold), events.LegsHoldRequestV1{RequestID: "h-2", LegID: "l1"}, &hold)
	wantCode(t, hold.Reply, 0)

	claim = events.CallsClaimReplyV1{}
	request(t, nc, subj(events.VerbCallsClaim), events.CallsClaimRequestV1{RequestID: "c-4", Controller: "ivr", CallID: "c9"}, &claim)
	wantCode(t, claim.Reply, events.ErrUnknownCall)
}

// A repeated request_id is answered from memory: a retried claim does not
// reach the core twice, nor does a retried hangup.
func TestControlIdempotent(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)
	req := events.CallsClaimRequestV1{RequestID: "same", Controller: "ivr", CallID: "c1"}
	var first, again events.CallsClaimReplyV1
	raw1 := request(t, nc, events.CommandSubject(events.VerbCallsClaim), req, &first)
	raw2 := request(t, nc, events.NodeCommandSubject(testNode, events.VerbCallsClaim), req, &again)
	wantCode(t, first.Reply, 0)
	if string(raw1) != string(raw2) {
		t.Errorf("replayed %s, first %s", raw2, raw1)
	}
	// The same request id on another verb is another command.
	var hang events.LegsHangupReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsHangup), events.LegsHangupRequestV1{RequestID: "same", Controller: "ivr", LegID: "l1"}, &hang)
	request(t, nc, events.CommandSubject(events.VerbLegsHangup), events.LegsHangupRequestV1{RequestID: "same", Controller: "ivr", LegID: "l1"}, &hang)
	wantCode(t, hang.Reply, 0)
	want := []string{"claim c1 ivr 30s", "hangup l1 ivr 0 "}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbCallsClaim, "result", "replayed"); n != 1 {
		t.Errorf("commands{calls.claim, replayed} = %v, want 1", n)
	}
}

func TestControlBadRequests(t *testing.T) {
	e := startAPI(t)
	core := newFakeController()
	nc := serveControl(t, e, core)
	long := strings.Repeat("1", 65)
	tests := []struct {
		name, verb, data string
	}{
		{"hold garbage", events.VerbLegsHold, `{`},
		{"hold without leg", events.VerbLegsHold, `{"request_id":"1"}`},
		{"resume without leg", events.VerbLegsResume, `{"request_id":"2","controller":"ivr"}`},
		{"dtmf without digits", events.VerbLegsDTMF, `{"request_id":"3","leg_id":"l1"}`},
		{"dtmf bad digit", events.VerbLegsDTMF, `{"request_id":"4","leg_id":"l1","digits":"12x"}`},
		{"dtmf too many", events.VerbLegsDTMF, `{"request_id":"5","leg_id":"l1","digits":"` + long + `"}`},
		{"dtmf bad method", events.VerbLegsDTMF, `{"request_id":"6","leg_id":"l1","digits":"1","method":"inband"}`},
		{"dtmf bad duration", events.VerbLegsDTMF, `{"request_id":"7","leg_id":"l1","digits":"1","duration_ms":-5}`},
		{"request without method", events.VerbLegsRequest, `{"request_id":"8","leg_id":"l1"}`},
		{"request bye", events.VerbLegsRequest, `{"request_id":"9","leg_id":"l1","method":"BYE"}`},
		{"request invite", events.VerbLegsRequest, `{"request_id":"10","leg_id":"l1","method":"INVITE"}`},
		{"request lower case", events.VerbLegsRequest, `{"request_id":"11","leg_id":"l1","method":"notify"}`},
		{"request body without type", events.VerbLegsRequest, `{"request_id":"12","leg_id":"l1","method":"INFO","body":"x"}`},
		{"request header injection", events.VerbLegsRequest, `{"request_id":"13","leg_id":"l1","method":"INFO","headers":[{"name":"X-A","value":"a\r\nBYE: x"}]}`},
		{"request dialog header", events.VerbLegsRequest, `{"request_id":"14","leg_id":"l1","method":"INFO","headers":[{"name":"Call-ID","value":"x"}]}`},
		{"request bad header name", events.VerbLegsRequest, `{"request_id":"15","leg_id":"l1","method":"INFO","headers":[{"name":"X A","value":"x"}]}`},
		{"request headers as map", events.VerbLegsRequest, `{"request_id":"16","leg_id":"l1","method":"INFO","headers":{"X-A":"x"}}`},
		{"hangup without leg", events.VerbLegsHangup, `{"request_id":"17"}`},
		{"hangup bad cause", events.VerbLegsHangup, `{"request_id":"18","leg_id":"l1","cause":200}`},
		{"claim without controller", events.VerbCallsClaim, `{"request_id":"19","call_id":"c1"}`},
		{"claim without call", events.VerbCallsClaim, `{"request_id":"20","controller":"ivr"}`},
		{"claim negative ttl", events.VerbCallsClaim, `{"request_id":"21","controller":"ivr","call_id":"c1","ttl_ms":-1}`},
		{"claim huge ttl", events.VerbCallsClaim, `{"request_id":"22","controller":"ivr","call_id":"c1","ttl_ms":86400000}`},
		{"release without controller", events.VerbCallsRelease, `{"request_id":"23","call_id":"c1"}`},
		{"release garbage", events.VerbCallsRelease, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep events.Reply
			request(t, nc, events.CommandSubject(tt.verb), []byte(tt.data), &rep)
			wantCode(t, rep, events.ErrBadRequest)
			if rep.Error != nil && !strings.Contains(rep.Error.Message, tt.verb) {
				t.Errorf("message %q does not name the verb", rep.Error.Message)
			}
		})
	}
	if got := core.calls(); len(got) != 0 {
		t.Errorf("bad requests reached the core: %q", got)
	}
}
