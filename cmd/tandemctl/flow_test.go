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

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// flowCore is a fakeCore that also implements natsapi.FlowController: the
// waiting legs "leg-1a" and "leg-2a", every call recorded.
type flowCore struct {
	*fakeCore

	fmu        sync.Mutex // guards the fields below
	log        []string
	originated events.LegsOriginateRequestV1
	sdp        string
}

var _ natsapi.FlowController = (*flowCore)(nil)

// startFlowAPI serves core's commands on the real natsapi.
func startFlowAPI(t *testing.T) (*flowCore, *natsapi.API) {
	t.Helper()
	core := &flowCore{fakeCore: &fakeCore{calls: sampleCalls()}}
	return core, serveAPI(t, core)
}

// leg records a call and checks legID; fmu is held.
func (c *flowCore) leg(legID, format string, args ...any) error {
	c.log = append(c.log, fmt.Sprintf(format, args...))
	if legID != "leg-1a" && legID != "leg-2a" {
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	return nil
}

func (c *flowCore) Originate(_ context.Context, req events.LegsOriginateRequestV1) (string, string, error) {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("originate %s %s", req.Target, req.Controller))
	c.originated = req
	if req.CallID != "" && req.CallID != "call-1" {
		return "", "", events.NewError(events.ErrUnknownCall, "no call %q", req.CallID)
	}
	if req.CallID != "" || req.BridgeTo != "" {
		return "call-1", "leg-9", nil
	}
	return "call-9", "leg-9", nil
}

func (c *flowCore) AnswerLeg(_ context.Context, legID, controller string, sdp []byte) error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	c.sdp = string(sdp)
	return c.leg(legID, "answer %s %s %d", legID, controller, len(sdp))
}

func (c *flowCore) RejectLeg(_ context.Context, legID, controller string, code int, reason string) error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	return c.leg(legID, "reject %s %s %d %s", legID, controller, code, reason)
}

func (c *flowCore) RedirectLeg(_ context.Context, legID, controller string, code int, targets []string) error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	return c.leg(legID, "redirect %s %s %d %s", legID, controller, code, strings.Join(targets, " "))
}

func (c *flowCore) BridgeLegs(_ context.Context, legID, otherLegID, controller string) (string, error) {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	if err := c.leg(legID, "bridge %s %s %s", legID, otherLegID, controller); err != nil {
		return "", err
	}
	if otherLegID != "leg-1a" && otherLegID != "leg-2a" {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", otherLegID)
	}
	return "call-1", nil
}

func (c *flowCore) UnbridgeLeg(_ context.Context, legID, controller string) error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	return c.leg(legID, "unbridge %s %s", legID, controller)
}

func (c *flowCore) done() []string {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	return append([]string(nil), c.log...)
}

func TestLegsFlowCommands(t *testing.T) {
	core, api := startFlowAPI(t)
	url := api.ClientURL()
	sdpFile := filepath.Join(t.TempDir(), "offer.sdp")
	const sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	if err := os.WriteFile(sdpFile, []byte(sdp), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"legs", "originate", "sip:bob@192.0.2.2"}, "leg leg-9: calling sip:bob@192.0.2.2 (call call-9)\n"},
		{[]string{"legs", "originate", "sips:carol@example.com", "--bridge-to", "leg-1a", "--controller", "ops"},
			"leg leg-9: calling sips:carol@example.com (call call-1), bridged to leg leg-1a when it answers\n"},
		{[]string{"legs", "answer", "leg-1a", "--sdp-file", sdpFile}, "leg leg-1a: answered\n"},
		{[]string{"legs", "answer", "leg-2a"}, "leg leg-2a: answered\n"},
		{[]string{"legs", "reject", "leg-1a"}, "leg leg-1a: rejected with 486\n"},
		{[]string{"legs", "reject", "leg-1a", "--code", "603", "--reason", "not now"}, "leg leg-1a: rejected with 603\n"},
		{[]string{"legs", "redirect", "leg-1a", "sip:a@x", "sip:b@y"}, "leg leg-1a: redirected with 302 to sip:a@x, sip:b@y\n"},
		{[]string{"legs", "redirect", "--code", "301", "leg-2a", "sip:c@z"}, "leg leg-2a: redirected with 301 to sip:c@z\n"},
		{[]string{"legs", "bridge", "leg-1a", "leg-2a"}, "legs leg-1a and leg-2a: bridged in call call-1\n"},
		{[]string{"legs", "unbridge", "leg-2a"}, "leg leg-2a: unbridged (it and its peer stay up, alone)\n"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitOK || r.stdout != tc.out {
			t.Errorf("%q: exit %d stdout %q, want 0 and %q", tc.args, r.code, r.stdout, tc.out)
		}
	}
	want := []string{
		"originate sip:bob@192.0.2.2 ", "originate sips:carol@example.com ops",
		"answer leg-1a  " + fmt.Sprint(len(sdp)), "answer leg-2a  0",
		"reject leg-1a  486 ", "reject leg-1a  603 not now",
		"redirect leg-1a  302 sip:a@x sip:b@y", "redirect leg-2a  301 sip:c@z",
		"bridge leg-1a leg-2a ", "unbridge leg-2a ",
	}
	if got := core.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
	core.fmu.Lock()
	if core.sdp != "" { // the last answer had none
		t.Errorf("answer without --sdp-file sent %q", core.sdp)
	}
	core.fmu.Unlock()
}

// Every flag of legs originate reaches the core.
func TestLegsOriginateFlags(t *testing.T) {
	core, api := startFlowAPI(t)
	sdpFile := filepath.Join(t.TempDir(), "offer.sdp")
	if err := os.WriteFile(sdpFile, []byte("v=0\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "--nats", api.ClientURL(), "--request-id", "orig-1", "--json", "legs", "originate", "sip:bob@example.com;transport=tcp",
		"--call", "call-1", "--from", "sip:ivr@tandem.example", "--from-display", "The IVR", "--ring-timeout", "45s",
		"--sdp-file", sdpFile, "-H", "X-Campaign: 7", "--header", "Alert-Info: <urn:alert:service:normal>", "--controller", "ops")
	var rep events.LegsOriginateReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK || rep.CallID != "call-1" || rep.LegID != "leg-9" || rep.RequestID != "orig-1" {
		t.Fatalf("exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
	want := events.LegsOriginateRequestV1{
		RequestID: "orig-1", Controller: "ops", Target: "sip:bob@example.com;transport=tcp", CallID: "call-1",
		From: "sip:ivr@tandem.example", FromDisplay: "The IVR", TimeoutMS: 45000, SDP: "v=0\r\n",
		Headers: []events.HeaderV1{{Name: "X-Campaign", Value: "7"}, {Name: "Alert-Info", Value: "<urn:alert:service:normal>"}},
	}
	core.fmu.Lock()
	got := core.originated
	core.fmu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("core got\n %+v\nwant\n %+v", got, want)
	}
	// The same request id again is answered from memory.
	r = runCLI(t, "--nats", api.ClientURL(), "--request-id", "orig-1", "legs", "originate", "sip:bob@example.com;transport=tcp")
	if r.code != exitOK || len(core.done()) != 1 {
		t.Errorf("retry: exit %d, core calls %q", r.code, core.done())
	}
}

// Refusals exit 1 with the typed error; --json prints the reply too.
func TestLegsFlowRefused(t *testing.T) {
	_, api := startFlowAPI(t)
	url := api.ClientURL()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"legs", "answer", "leg-7"}, "legs answer: unknown_leg (code 3)"},
		{[]string{"legs", "bridge", "leg-1a", "leg-7"}, "legs bridge: unknown_leg (code 3)"},
		{[]string{"legs", "originate", "sip:a@b", "--call", "call-7"}, "legs originate: unknown_call (code 2)"},
		// The core's own checks: a header the dialog sets.
		{[]string{"legs", "originate", "sip:a@b", "-H", "Contact: <sip:x@y>"}, "legs originate: bad_request (code 1): legs.originate: header Contact is set by the dialog"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitCommand || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q, want 1 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "--nats", url, "--json", "legs", "unbridge", "leg-7")
	var rep events.LegsUnbridgeReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitCommand || rep.Error == nil || rep.Error.Code != events.ErrUnknownLeg {
		t.Errorf("--json unbridge: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
	r = runCLI(t, "--nats", url, "--json", "legs", "bridge", "leg-1a", "leg-2a")
	var br events.LegsBridgeReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &br); err != nil || r.code != exitOK || br.CallID != "call-1" || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--json bridge: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
}

func TestLegsFlowUsageErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.sdp")
	if err := os.WriteFile(big, make([]byte, 64<<10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	many := []string{"legs", "redirect", "l1"}
	for range 17 {
		many = append(many, "sip:a@b")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"legs", "originate"}, "legs originate takes one TARGET"},
		{[]string{"legs", "originate", "sip:a@b", "sip:c@d"}, "legs originate takes one TARGET"},
		{[]string{"legs", "originate", "bob@example.com"}, `TARGET "bob@example.com" is not a sip: or sips: URI`},
		{[]string{"legs", "originate", "tel:+15551234"}, "is not a sip: or sips: URI"},
		{[]string{"legs", "originate", "sip:"}, "is not a sip: or sips: URI"},
		{[]string{"legs", "originate", "sip:a@b", "--from", "alice"}, `--from "alice" is not a sip: or sips: URI`},
		{[]string{"legs", "originate", "sip:a@b", "--ring-timeout", "11m"}, "--ring-timeout 11m0s not between 1ms and 10m"},
		{[]string{"legs", "originate", "sip:a@b", "--ring-timeout", "-1s"}, "--ring-timeout -1s"},
		{[]string{"legs", "originate", "sip:a@b", "-H", "nocolon"}, "want 'Name: value'"},
		{[]string{"legs", "originate", "sip:a@b", "--sdp-file", filepath.Join(dir, "missing")}, "--sdp-file: open"},
		{[]string{"legs", "originate", "sip:a@b", "--sdp-file", big}, "more than 64 KiB"},
		{[]string{"legs", "answer"}, "legs answer takes one LEG_ID"},
		{[]string{"legs", "answer", "l1", "--sdp-file", big}, "more than 64 KiB"},
		{[]string{"legs", "reject", "l1", "l2"}, "legs reject takes one LEG_ID"},
		{[]string{"legs", "reject", "l1", "--code", "302"}, "--code 302 is not a SIP failure code (400-699)"},
		{[]string{"legs", "reject", "l1", "--code", "0"}, "--code 0 is not a SIP failure code"},
		{[]string{"legs", "redirect", "l1"}, "legs redirect takes a LEG_ID and one or more TARGETs"},
		{[]string{"legs", "redirect", "l1", "sip:a@b", "http://x"}, `TARGET "http://x" is not a sip: or sips: URI`},
		{[]string{"legs", "redirect", "l1", "sip:a@b", "--code", "486"}, "--code 486 is not a SIP redirect code (300-399)"},
		{many, "17 TARGETs, at most 16"},
		{[]string{"legs", "bridge", "l1"}, "legs bridge takes a LEG_ID and an OTHER_LEG_ID"},
		{[]string{"legs", "bridge", "l1", "l1"}, "a leg cannot be bridged to itself (l1)"},
		{[]string{"legs", "unbridge"}, "legs unbridge takes one LEG_ID"},
		{[]string{"calls", "originate", "sip:a@b"}, `calls originate takes two sip: or sips: URIs, A and B`},
		{[]string{"calls", "bridge", "l1", "l2"}, "use legs bridge LEG_ID OTHER_LEG_ID"},
		{[]string{"calls", "unbridge", "l1"}, "use legs unbridge LEG_ID"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "help")
	for _, want := range []string{"legs originate TARGET", "legs redirect LEG_ID TARGET...", "legs bridge LEG_ID OTHER_LEG_ID", "legs unbridge LEG_ID"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	r = runCLI(t, "legs", "originate", "-h")
	for _, want := range []string{"usage: tandemctl legs originate [flags] TARGET", "-bridge-to leg", "-ring-timeout duration", "-H 'Name: value'", "-timeout duration"} {
		if r.code != exitOK || !strings.Contains(r.stderr, want) {
			t.Errorf("legs originate -h: exit %d, lacks %q", r.code, want)
		}
	}
}

// A core without FlowController does not serve the flow verbs: exit 3.
func TestLegsFlowNotServed(t *testing.T) {
	_, api := startControlAPI(t) // LegController only
	r := runCLI(t, "--nats", api.ClientURL(), "legs", "bridge", "leg-1a", "leg-1b")
	if r.code != exitConnect || !strings.Contains(r.stderr, "nobody serves tandem.v1.cmd.legs.bridge") {
		t.Errorf("exit %d stderr %q, want 3", r.code, r.stderr)
	}
}
