package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// transferCore is a fakeCore that also implements
// natsapi.TransferController: the answered legs "leg-1a" and "leg-2a"
// ("leg-busy" has a transfer in progress), every call recorded.
type transferCore struct {
	*fakeCore

	tmu  sync.Mutex // guards the fields below
	log  []string
	last events.TransfersBlindRequestV1 // BlindTransfer's last request
}

var _ natsapi.TransferController = (*transferCore)(nil)

// startTransferAPI serves core's commands on the real natsapi.
func startTransferAPI(t *testing.T) (*transferCore, *natsapi.API) {
	t.Helper()
	core := &transferCore{fakeCore: &fakeCore{calls: sampleCalls()}}
	return core, serveAPI(t, core)
}

// leg records a call and checks legID; tmu is held.
func (c *transferCore) leg(legID, format string, args ...any) error {
	c.log = append(c.log, fmt.Sprintf(format, args...))
	switch legID {
	case "leg-1a", "leg-2a":
		return nil
	case "leg-busy":
		return events.NewError(events.ErrConflict, "a transfer is in progress on call call-1")
	}
	return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
}

func (c *transferCore) BlindTransfer(_ context.Context, req events.TransfersBlindRequestV1) (string, error) {
	c.tmu.Lock()
	defer c.tmu.Unlock()
	c.last = req
	if err := c.leg(req.LegID, "blind %s %s %s %s %v", req.LegID, req.Target, req.Controller, req.Mode, req.TargetDialog); err != nil {
		return "", err
	}
	return fmt.Sprintf("t%d", len(c.log)), nil
}

func (c *transferCore) AttendedTransfer(_ context.Context, req events.TransfersAttendedRequestV1) (string, error) {
	c.tmu.Lock()
	defer c.tmu.Unlock()
	if err := c.leg(req.LegID, "attended %s %s %s %s %v", req.LegID, req.OtherLegID, req.Controller, req.Mode, req.TargetDialog); err != nil {
		return "", err
	}
	if req.OtherLegID != "leg-1a" && req.OtherLegID != "leg-2a" {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", req.OtherLegID)
	}
	return fmt.Sprintf("t%d", len(c.log)), nil
}

func (c *transferCore) done() []string {
	c.tmu.Lock()
	defer c.tmu.Unlock()
	return append([]string(nil), c.log...)
}

func TestTransfersCommands(t *testing.T) {
	core, api := startTransferAPI(t)
	url := api.ClientURL()
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"transfers", "blind", "leg-1a", "sip:carol@192.0.2.3"},
			"transfer t1: calling sip:carol@192.0.2.3 for leg leg-1a; its peer ends when it answers\n"},
		{[]string{"transfers", "blind", "--refer", "leg-2a", "sips:carol@example.com", "--controller", "ops"},
			"transfer t2: leg leg-2a's party accepted the REFER to sips:carol@example.com\n"},
		{[]string{"transfers", "blind", "leg-2a", "sip:carol@example.com", "--refer", "--target-dialog"},
			"transfer t3: leg leg-2a's party accepted the REFER to sip:carol@example.com\n"},
		{[]string{"transfers", "blind", "leg-2a", "sip:carol@example.com", "--target-dialog"},
			"transfer t4: leg leg-2a's party accepted the REFER to sip:carol@example.com\n"},
		{[]string{"transfers", "attended", "leg-1a", "leg-2a"},
			"transfer t5: the peers of legs leg-1a and leg-2a are bridged; leg-1a and leg-2a end\n"},
		{[]string{"transfers", "attended", "leg-1a", "leg-2a", "--refer"},
			"transfer t6: leg leg-1a's peer accepted the REFER to replace leg leg-2a\n"},
		{[]string{"transfers", "attended", "--target-dialog", "leg-2a", "leg-1a"},
			"transfer t7: leg leg-2a's peer accepted the REFER to replace leg leg-1a\n"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitOK || r.stdout != tc.out {
			t.Errorf("%q: exit %d stdout %q stderr %q, want 0 and %q", tc.args, r.code, r.stdout, r.stderr, tc.out)
		}
	}
	want := []string{
		"blind leg-1a sip:carol@192.0.2.3  native false",
		"blind leg-2a sips:carol@example.com ops refer false",
		"blind leg-2a sip:carol@example.com  refer true",
		"blind leg-2a sip:carol@example.com  refer true",
		"attended leg-1a leg-2a  native false",
		"attended leg-1a leg-2a  refer false",
		"attended leg-2a leg-1a  refer true",
	}
	if got := core.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

// --json prints the reply with its transfer id; the request id and the
// controller reach the core; a repeated request id is answered from
// memory.
func TestTransfersJSONAndRequestID(t *testing.T) {
	core, api := startTransferAPI(t)
	r := runCLI(t, "--nats", api.ClientURL(), "--json", "--request-id", "xfer-1", "--controller", "ops",
		"transfers", "blind", "leg-1a", "sip:carol@example.com;transport=tcp", "--refer")
	var rep events.TransfersBlindReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK || rep.TransferID != "t1" || rep.RequestID != "xfer-1" || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
	want := events.TransfersBlindRequestV1{RequestID: "xfer-1", Controller: "ops", LegID: "leg-1a", Target: "sip:carol@example.com;transport=tcp", Mode: events.TransferRefer}
	core.tmu.Lock()
	got := core.last
	core.tmu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("core got\n %+v\nwant\n %+v", got, want)
	}
	r = runCLI(t, "--nats", api.ClientURL(), "--request-id", "xfer-1", "--controller", "ops", "transfers", "blind", "leg-1a", "sip:carol@example.com;transport=tcp", "--refer")
	if r.code != exitOK || r.stdout != "transfer t1: leg leg-1a's party accepted the REFER to sip:carol@example.com;transport=tcp\n" || len(core.done()) != 1 {
		t.Errorf("retry: exit %d stdout %q, core calls %q", r.code, r.stdout, core.done())
	}
}

// Refusals exit 1 with the typed error; --json prints the reply too.
func TestTransfersRefused(t *testing.T) {
	_, api := startTransferAPI(t)
	url := api.ClientURL()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"transfers", "blind", "leg-7", "sip:a@b"}, "transfers blind: unknown_leg (code 3)"},
		{[]string{"transfers", "blind", "leg-busy", "sip:a@b", "--refer"}, "transfers blind: conflict (code 4): a transfer is in progress"},
		{[]string{"transfers", "attended", "leg-1a", "leg-7"}, "transfers attended: unknown_leg (code 3)"},
		// The core's own checks: the host comes after the user part.
		{[]string{"transfers", "blind", "leg-1a", "sip:carol@"}, `transfers blind: bad_request (code 1): transfers.blind: target "sip:carol@": no host`},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitCommand || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q, want 1 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "--nats", url, "--json", "transfers", "attended", "leg-7", "leg-1a")
	var rep events.TransfersAttendedReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitCommand || rep.Error == nil || rep.Error.Code != events.ErrUnknownLeg || rep.TransferID != "" {
		t.Errorf("--json attended: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
}

func TestTransfersUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"transfers"}, "transfers: which one? transfers blind, transfers attended"},
		{[]string{"transfers", "consult"}, `unknown command "transfers consult"`},
		{[]string{"transfers", "blind"}, "transfers blind takes a LEG_ID and a TARGET"},
		{[]string{"transfers", "blind", "l1"}, "transfers blind takes a LEG_ID and a TARGET"},
		{[]string{"transfers", "blind", "l1", "sip:a@b", "sip:c@d"}, "transfers blind takes a LEG_ID and a TARGET"},
		{[]string{"transfers", "blind", "l1", "carol@example.com"}, `TARGET "carol@example.com" is not a sip: or sips: URI`},
		{[]string{"transfers", "blind", "l1", "tel:+15551234"}, "is not a sip: or sips: URI"},
		{[]string{"transfers", "blind", "l1", "sip:a@b", "--mode", "refer"}, "flag provided but not defined: -mode"},
		{[]string{"transfers", "attended", "l1"}, "transfers attended takes a LEG_ID and an OTHER_LEG_ID"},
		{[]string{"transfers", "attended", "l1", "l2", "l3"}, "transfers attended takes a LEG_ID and an OTHER_LEG_ID"},
		{[]string{"transfers", "attended", "l1", "l1"}, "LEG_ID and OTHER_LEG_ID are the same leg (l1)"},
		{[]string{"calls", "transfer", "l1", "sip:a@b"}, `unknown command "calls transfer": use transfers blind LEG_ID TARGET or transfers attended LEG_ID OTHER_LEG_ID`},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "help")
	for _, want := range []string{"transfers blind LEG_ID TARGET", "transfers attended LEG_ID OTHER_LEG_ID"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	r = runCLI(t, "transfers", "blind", "-h")
	for _, want := range []string{"usage: tandemctl transfers blind [flags] LEG_ID TARGET", "-refer", "-target-dialog", "implies --refer", "-controller name"} {
		if r.code != exitOK || !strings.Contains(r.stderr, want) {
			t.Errorf("transfers blind -h: exit %d, lacks %q", r.code, want)
		}
	}
}

// A core without TransferController does not serve the transfer verbs:
// exit 3.
func TestTransfersNotServed(t *testing.T) {
	_, api := startFlowAPI(t) // FlowController only
	r := runCLI(t, "--nats", api.ClientURL(), "transfers", "blind", "leg-1a", "sip:carol@example.com")
	if r.code != exitConnect || !strings.Contains(r.stderr, "nobody serves tandem.v1.cmd.transfers.blind") {
		t.Errorf("exit %d stderr %q, want 3", r.code, r.stderr)
	}
}
