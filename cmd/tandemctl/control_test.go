package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// controlCore is a fakeCore that also implements natsapi.LegController:
// leg "leg-1b" of call "call-1", one claim, every call recorded.
type controlCore struct {
	*fakeCore

	cmu     sync.Mutex // guards the fields below
	log     []string
	owner   string
	headers []events.HeaderV1
	body    string
}

var _ natsapi.LegController = (*controlCore)(nil)

var claimBase = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// startControlAPI serves core's commands on the real natsapi.
func startControlAPI(t *testing.T) (*controlCore, *natsapi.API) {
	t.Helper()
	core := &controlCore{fakeCore: &fakeCore{calls: sampleCalls()}}
	return core, serveAPI(t, core)
}

func (c *controlCore) check(legID, controller, format string, args ...any) error {
	c.log = append(c.log, fmt.Sprintf(format, args...))
	if legID != "leg-1b" {
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	if c.owner != "" && c.owner != controller {
		return events.NewError(events.ErrConflict, "call-1 is controlled by %s", c.owner)
	}
	return nil
}

func (c *controlCore) HoldLeg(_ context.Context, legID, controller string, hold bool) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	return c.check(legID, controller, "hold %s %s %v", legID, controller, hold)
}

func (c *controlCore) SendDTMF(_ context.Context, legID, controller, digits, method string, durationMS int) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if err := c.check(legID, controller, "dtmf %s %s %s %s %d", legID, controller, digits, method, durationMS); err != nil {
		return err
	}
	if method == events.DTMFRFC4733 {
		return events.NewError(events.ErrConflict, "media is not anchored")
	}
	return nil
}

func (c *controlCore) SendRequest(_ context.Context, legID, controller, method string, headers []events.HeaderV1, contentType string, body []byte) (int, string, error) {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	c.headers, c.body = headers, string(body)
	if err := c.check(legID, controller, "request %s %s %s %s", legID, controller, method, contentType); err != nil {
		return 0, "", err
	}
	return 200, "OK", nil
}

func (c *controlCore) HangupLeg(_ context.Context, legID, controller string, cause int, reason string) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	return c.check(legID, controller, "hangup %s %s %d %s", legID, controller, cause, reason)
}

func (c *controlCore) ClaimCall(_ context.Context, callID, controller string, ttl time.Duration) (time.Time, error) {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("claim %s %s %v", callID, controller, ttl))
	if callID != "call-1" {
		return time.Time{}, events.NewError(events.ErrUnknownCall, "no call %q", callID)
	}
	if c.owner != "" && c.owner != controller {
		return time.Time{}, events.NewError(events.ErrConflict, "call-1 is controlled by %s", c.owner)
	}
	c.owner = controller
	return claimBase.Add(ttl), nil
}

func (c *controlCore) ReleaseCall(_ context.Context, callID, controller string) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("release %s %s", callID, controller))
	if c.owner != controller {
		return events.NewError(events.ErrConflict, "not controlled by %s", controller)
	}
	c.owner = ""
	return nil
}

func (c *controlCore) done() []string {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	return append([]string(nil), c.log...)
}

func TestLegsCommands(t *testing.T) {
	core, api := startControlAPI(t)
	url := api.ClientURL()
	bodyFile := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(bodyFile, []byte(`{"state":"on"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"legs", "hold", "leg-1b"}, "leg leg-1b: on hold\n"},
		{[]string{"legs", "resume", "leg-1b", "--controller", "ops"}, "leg leg-1b: resumed\n"},
		{[]string{"legs", "dtmf", "leg-1b", "12#", "--duration", "100ms"}, "leg leg-1b: sent 12#\n"},
		{[]string{"legs", "request", "leg-1b", "notify", "--header", "Event: dialog", "--header", "X-Note:two words",
			"--content-type", "application/json", "--body", "@" + bodyFile}, "leg leg-1b: NOTIFY answered 200 OK\n"},
		{[]string{"legs", "hangup", "leg-1b", "--cause", "603", "--reason", "bye now"}, "leg leg-1b: hanging up\n"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitOK || r.stdout != tc.out {
			t.Errorf("%q: exit %d stdout %q, want 0 and %q", tc.args, r.code, r.stdout, tc.out)
		}
	}
	want := []string{
		"hold leg-1b  true", "hold leg-1b ops false", "dtmf leg-1b  12# info 100",
		"request leg-1b  NOTIFY application/json", "hangup leg-1b  603 bye now",
	}
	if got := core.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
	core.cmu.Lock()
	wantHeaders := []events.HeaderV1{{Name: "Event", Value: "dialog"}, {Name: "X-Note", Value: "two words"}}
	if !reflect.DeepEqual(core.headers, wantHeaders) || core.body != `{"state":"on"}` {
		t.Errorf("request headers %+v body %q", core.headers, core.body)
	}
	core.cmu.Unlock()

	// A refusal exits 1 with the typed error; --json prints the reply.
	r := runCLI(t, "--nats", url, "legs", "hold", "leg-9")
	if r.code != exitCommand || !strings.Contains(r.stderr, "legs hold: unknown_leg (code 3)") {
		t.Errorf("unknown leg: exit %d stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "--nats", url, "--json", "legs", "dtmf", "leg-1b", "5", "--method", "rfc4733")
	var dtmf events.LegsDTMFReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &dtmf); err != nil || r.code != exitCommand ||
		dtmf.Error == nil || dtmf.Error.Code != events.ErrConflict {
		t.Errorf("rfc4733: exit %d stdout %q (%v), want 1 and a conflict reply", r.code, r.stdout, err)
	}
	r = runCLI(t, "--nats", url, "--json", "legs", "request", "leg-1b", "OPTIONS")
	var req events.LegsRequestReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &req); err != nil || r.code != exitOK || req.Code != 200 || req.Reason != "OK" {
		t.Errorf("--json legs request: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
}

// A claimed call obeys its controller only; the global --controller (or
// $TANDEM_CONTROLLER) names it.
func TestCallsClaimRelease(t *testing.T) {
	core, api := startControlAPI(t)
	url := api.ClientURL()

	r := runCLI(t, "--nats", url, "calls", "claim", "call-1", "--controller", "ops", "--ttl", "45s")
	if r.code != exitOK || r.stdout != "call call-1: claimed by ops until 2025-03-04T10:00:45Z\n" {
		t.Errorf("claim: exit %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", url, "--json", "--controller", "ops", "calls", "claim", "call-1")
	var claim events.CallsClaimReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &claim); err != nil || r.code != exitOK ||
		claim.Controller != "ops" || !claim.ExpiresAt.Equal(claimBase.Add(30*time.Second)) {
		t.Errorf("renew --json: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || raw["expires_at"] != "2025-03-04T10:00:30Z" {
		t.Errorf("expires_at = %v, want RFC 3339", raw["expires_at"])
	}

	// Another controller, or none, is refused (exit 1, conflict).
	for _, args := range [][]string{
		{"calls", "claim", "call-1", "--controller", "other"},
		{"legs", "hold", "leg-1b"},
		{"legs", "hangup", "leg-1b", "--controller", "other"},
		{"calls", "release", "call-1", "--controller", "other"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, args...)...)
		if r.code != exitCommand || !strings.Contains(r.stderr, "conflict (code 4)") {
			t.Errorf("%q: exit %d stderr %q, want 1 and conflict", args, r.code, r.stderr)
		}
	}
	// The controller from the environment.
	var out, errw strings.Builder
	env := map[string]string{"TANDEM_NATS_URL": url, "TANDEM_CONTROLLER": "ops"}
	code := run(t.Context(), []string{"legs", "hold", "leg-1b"}, &out, &errw, func(k string) string { return env[k] })
	if code != exitOK {
		t.Errorf("TANDEM_CONTROLLER=ops legs hold: exit %d stderr %q", code, errw.String())
	}
	r = runCLI(t, "--nats", url, "calls", "release", "call-1", "--controller", "ops")
	if r.code != exitOK || r.stdout != "call call-1: released by ops\n" {
		t.Errorf("release: exit %d stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "--nats", url, "calls", "claim", "call-9", "--controller", "ops")
	if r.code != exitCommand || !strings.Contains(r.stderr, "unknown_call (code 2)") {
		t.Errorf("claim call-9: exit %d stderr %q", r.code, r.stderr)
	}
	want := []string{
		"claim call-1 ops 45s", "claim call-1 ops 30s", "claim call-1 other 30s", "hold leg-1b  true",
		"hangup leg-1b other 0 ", "release call-1 other", "hold leg-1b ops true", "release call-1 ops", "claim call-9 ops 30s",
	}
	if got := core.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

// --request-id makes a retried claim reach the core once.
func TestControlRequestID(t *testing.T) {
	core, api := startControlAPI(t)
	for range 2 {
		r := runCLI(t, "--nats", api.ClientURL(), "--request-id", "claim-1", "calls", "claim", "call-1", "--controller", "ops")
		if r.code != exitOK {
			t.Fatalf("exit %d", r.code)
		}
	}
	if got := core.done(); len(got) != 1 {
		t.Errorf("core calls %q, want one claim", got)
	}
}

func TestControlUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"legs"}, "legs: which one? legs hold, legs resume, legs dtmf, legs request, legs hangup, legs originate, legs answer, legs reject, legs redirect, legs bridge, legs unbridge"},
		{[]string{"legs", "hold"}, "legs hold takes one LEG_ID"},
		{[]string{"legs", "resume", "a", "b"}, "legs resume takes one LEG_ID"},
		{[]string{"legs", "dtmf", "l1"}, "legs dtmf takes a LEG_ID and DIGITS"},
		{[]string{"legs", "dtmf", "l1", "12x"}, "only 0-9, *, #, A-D"},
		{[]string{"legs", "dtmf", "l1", "1", "--method", "inband"}, `--method "inband"`},
		{[]string{"legs", "dtmf", "l1", "1", "--duration", "-1s"}, "--duration -1s"},
		{[]string{"legs", "request", "l1"}, "legs request takes a LEG_ID and a METHOD"},
		{[]string{"legs", "request", "l1", "bye"}, "BYE is not an in-dialog request this command sends"},
		{[]string{"legs", "request", "l1", "INFO", "--header", "nocolon"}, "want 'Name: value'"},
		{[]string{"legs", "request", "l1", "INFO", "--body", "x"}, "--body needs --content-type"},
		{[]string{"legs", "request", "l1", "INFO", "--content-type", "a/b", "--body", "@/nonexistent/file"}, "--body: open /nonexistent/file"},
		{[]string{"legs", "hangup", "l1", "--cause", "200"}, "not a SIP failure code"},
		{[]string{"calls", "claim", "c1"}, "calls claim needs --controller NAME"},
		{[]string{"calls", "claim", "c1", "--controller", "x", "--ttl", "2h"}, "--ttl 2h0m0s not between 1ms and 1h"},
		{[]string{"calls", "release", "c1"}, "calls release needs --controller NAME"},
		{[]string{"calls", "hold", "l1"}, `unknown command "calls hold": use legs hold LEG_ID`},
		{[]string{"calls", "unbridge", "l1"}, "use legs unbridge LEG_ID"},
		{[]string{"calls", "transfer", "l1"}, "use transfers blind LEG_ID TARGET or transfers attended"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "help")
	for _, want := range []string{"legs request LEG_ID METHOD", "calls claim CALL_ID", "-controller name"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// A core without call control does not serve the verbs: exit 3.
func TestControlNotServed(t *testing.T) {
	api := startAPI(t, &fakeCore{calls: sampleCalls()})
	r := runCLI(t, "--nats", api.ClientURL(), "legs", "hold", "leg-1b")
	if r.code != exitConnect || !strings.Contains(r.stderr, "nobody serves tandem.v1.cmd.legs.hold") {
		t.Errorf("exit %d stderr %q, want 3", r.code, r.stderr)
	}
}
