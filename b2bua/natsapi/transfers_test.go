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

// fakeTransfer is a core that also implements natsapi.TransferController:
// it knows the answered legs "l1" and "l2" ("busy" has a transfer in
// progress, "boom" breaks the core), and records every call it gets.
type fakeTransfer struct {
	*fakeCore

	mu  sync.Mutex // guards the fields below
	log []string   // one line per core call
	n   int        // transfers started
}

var _ natsapi.TransferController = (*fakeTransfer)(nil)

func newFakeTransfer() *fakeTransfer { return &fakeTransfer{fakeCore: newFakeCore()} }

// leg checks a leg id; mu is held.
func (f *fakeTransfer) leg(legID string) error {
	switch legID {
	case "l1", "l2":
		return nil
	case "busy":
		return events.NewError(events.ErrConflict, "a transfer is in progress on leg %s", legID)
	case "boom":
		return errors.New("core exploded")
	}
	return events.NewError(events.ErrUnknownLeg, "no leg %s", legID)
}

func (f *fakeTransfer) BlindTransfer(_ context.Context, req events.TransfersBlindRequestV1) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf("blind %s %s %s %s %v", req.LegID, req.Target, req.Controller, req.Mode, req.TargetDialog))
	if err := f.leg(req.LegID); err != nil {
		return "", err
	}
	f.n++
	return fmt.Sprintf("t%d", f.n), nil
}

func (f *fakeTransfer) AttendedTransfer(_ context.Context, req events.TransfersAttendedRequestV1) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf("attended %s %s %s %s %v", req.LegID, req.OtherLegID, req.Controller, req.Mode, req.TargetDialog))
	if err := errors.Join(f.leg(req.LegID), f.leg(req.OtherLegID)); err != nil {
		var e *events.Error
		if errors.As(err, &e) {
			return "", e
		}
		return "", err
	}
	f.n++
	return fmt.Sprintf("t%d", f.n), nil
}

// calls returns the core calls recorded so far.
func (f *fakeTransfer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// A core that does not implement TransferController does not get the
// transfer verbs, and one that implements only TransferController does not
// get the flow verbs: nobody answers them.
func TestTransferVerbsNeedTransferController(t *testing.T) {
	for _, tt := range []struct {
		name  string
		core  natsapi.CallController
		verbs []string
	}{
		{"call controller", newFakeCore(), []string{events.VerbTransfersBlind, events.VerbTransfersAttended}},
		{"flow controller", newFakeFlow(), []string{events.VerbTransfersBlind, events.VerbTransfersAttended}},
		{"transfer controller", newFakeTransfer(), []string{events.VerbLegsOriginate, events.VerbLegsHold}},
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

// A core that implements the flow and transfer interfaces gets both sets
// of verbs.
func TestTransferWithFlowController(t *testing.T) {
	e := startAPI(t)
	core := struct {
		*fakeFlow
		natsapi.TransferController
	}{newFakeFlow(), newFakeTransfer()}
	nc := serveCore(t, e, core)
	var br events.LegsBridgeReplyV1
	request(t, nc, events.CommandSubject(events.VerbLegsBridge), events.LegsBridgeRequestV1{RequestID: "b", LegID: "l1", OtherLegID: "l2"}, &br)
	wantCode(t, br.Reply, 0)
	var bl events.TransfersBlindReplyV1
	request(t, nc, events.CommandSubject(events.VerbTransfersBlind), events.TransfersBlindRequestV1{RequestID: "x", LegID: "l1", Target: "sip:carol@example.com"}, &bl)
	wantCode(t, bl.Reply, 0)
}

// transfers.blind reaches the core with the default mode applied, on
// either subject, and replies the transfer id; the core's errors come back
// typed, in the verb's reply type.
func TestTransferBlind(t *testing.T) {
	e := startAPI(t)
	core := newFakeTransfer()
	nc := serveCore(t, e, core)
	for _, tt := range []struct {
		subj string
		req  events.TransfersBlindRequestV1
		id   string
		want events.ErrorCode
	}{
		{events.CommandSubject(events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b1", Controller: "ops", LegID: "l1", Target: "sip:carol@example.com"}, "t1", 0},
		{events.NodeCommandSubject(testNode, events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b2", LegID: "l2", Target: "sips:carol@[2001:db8::1]:5061", Mode: events.TransferNative}, "t2", 0},
		{events.CommandSubject(events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b3", LegID: "l1", Target: "sip:carol@example.com;transport=tcp", Mode: events.TransferRefer}, "t3", 0},
		{events.CommandSubject(events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b4", LegID: "l2", Target: "SIP:carol@example.com", Mode: events.TransferRefer, TargetDialog: true}, "t4", 0},
		{events.CommandSubject(events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b5", LegID: "gone", Target: "sip:carol@example.com"}, "", events.ErrUnknownLeg},
		{events.CommandSubject(events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b6", LegID: "busy", Target: "sip:carol@example.com"}, "", events.ErrConflict},
		{events.NodeCommandSubject(testNode, events.VerbTransfersBlind),
			events.TransfersBlindRequestV1{RequestID: "b7", LegID: "boom", Target: "sip:carol@example.com"}, "", events.ErrInternal},
	} {
		var rep events.TransfersBlindReplyV1
		raw := request(t, nc, tt.subj, tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != tt.req.RequestID || rep.TransferID != tt.id {
			t.Errorf("%s: reply %s, want transfer id %q", tt.req.RequestID, raw, tt.id)
		}
		if tt.want != 0 && strings.Contains(string(raw), `"transfer_id"`) {
			t.Errorf("%s: refused reply %s has a transfer id", tt.req.RequestID, raw)
		}
	}
	want := []string{
		"blind l1 sip:carol@example.com ops native false",
		"blind l2 sips:carol@[2001:db8::1]:5061  native false",
		"blind l1 sip:carol@example.com;transport=tcp  refer false",
		"blind l2 SIP:carol@example.com  refer true",
		"blind gone sip:carol@example.com  native false",
		"blind busy sip:carol@example.com  native false",
		"blind boom sip:carol@example.com  native false",
	}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

func TestTransferAttended(t *testing.T) {
	e := startAPI(t)
	core := newFakeTransfer()
	nc := serveCore(t, e, core)
	for _, tt := range []struct {
		subj string
		req  events.TransfersAttendedRequestV1
		id   string
		want events.ErrorCode
	}{
		{events.CommandSubject(events.VerbTransfersAttended),
			events.TransfersAttendedRequestV1{RequestID: "a1", Controller: "ops", LegID: "l1", OtherLegID: "l2"}, "t1", 0},
		{events.NodeCommandSubject(testNode, events.VerbTransfersAttended),
			events.TransfersAttendedRequestV1{RequestID: "a2", LegID: "l2", OtherLegID: "l1", Mode: events.TransferRefer, TargetDialog: true}, "t2", 0},
		{events.CommandSubject(events.VerbTransfersAttended),
			events.TransfersAttendedRequestV1{RequestID: "a3", LegID: "l1", OtherLegID: "gone"}, "", events.ErrUnknownLeg},
		{events.CommandSubject(events.VerbTransfersAttended),
			events.TransfersAttendedRequestV1{RequestID: "a4", LegID: "busy", OtherLegID: "l2", Mode: events.TransferRefer}, "", events.ErrConflict},
	} {
		var rep events.TransfersAttendedReplyV1
		raw := request(t, nc, tt.subj, tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != tt.req.RequestID || rep.TransferID != tt.id {
			t.Errorf("%s: reply %s, want transfer id %q", tt.req.RequestID, raw, tt.id)
		}
	}
	want := []string{
		"attended l1 l2 ops native false",
		"attended l2 l1  refer true",
		"attended l1 gone  native false",
		"attended busy l2  refer false",
	}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}

// A retried transfer (same request_id) does not transfer twice: the first
// reply is replayed, on either subject; a refusal is remembered too.
func TestTransferIdempotent(t *testing.T) {
	e := startAPI(t)
	core := newFakeTransfer()
	nc := serveCore(t, e, core)
	req := events.TransfersBlindRequestV1{RequestID: "same", LegID: "l1", Target: "sip:carol@example.com"}
	var first, again events.TransfersBlindReplyV1
	raw1 := request(t, nc, events.CommandSubject(events.VerbTransfersBlind), req, &first)
	raw2 := request(t, nc, events.NodeCommandSubject(testNode, events.VerbTransfersBlind), req, &again)
	wantCode(t, first.Reply, 0)
	if string(raw1) != string(raw2) || again.TransferID != "t1" {
		t.Errorf("replayed %s, first %s", raw2, raw1)
	}
	att := events.TransfersAttendedRequestV1{RequestID: "same", LegID: "l1", OtherLegID: "nope"}
	for range 2 {
		var rep events.TransfersAttendedReplyV1
		request(t, nc, events.CommandSubject(events.VerbTransfersAttended), att, &rep)
		wantCode(t, rep.Reply, events.ErrUnknownLeg)
	}
	want := []string{"blind l1 sip:carol@example.com  native false", "attended l1 nope  native false"}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbTransfersBlind, "result", "replayed"); n != 1 {
		t.Errorf("commands{transfers.blind, replayed} = %v, want 1", n)
	}
}

func TestTransferBadRequests(t *testing.T) {
	e := startAPI(t)
	core := newFakeTransfer()
	nc := serveCore(t, e, core)
	tests := []struct {
		name, verb, data string
		field            string // the message names it
	}{
		{"blind garbage", events.VerbTransfersBlind, `{`, ""},
		{"blind without leg", events.VerbTransfersBlind, `{"request_id":"1","target":"sip:c@x"}`, "leg_id"},
		{"blind without target", events.VerbTransfersBlind, `{"request_id":"2","leg_id":"l1"}`, "target"},
		{"blind tel target", events.VerbTransfersBlind, `{"request_id":"3","leg_id":"l1","target":"tel:+15551234"}`, "target"},
		{"blind target without host", events.VerbTransfersBlind, `{"request_id":"4","leg_id":"l1","target":"sip:carol@"}`, "target"},
		{"blind target with name", events.VerbTransfersBlind, `{"request_id":"5","leg_id":"l1","target":"<sip:carol@x>"}`, "target"},
		{"blind target injection", events.VerbTransfersBlind, `{"request_id":"6","leg_id":"l1","target":"sip:c@x\r\nX: y"}`, "target"},
		{"blind unknown mode", events.VerbTransfersBlind, `{"request_id":"7","leg_id":"l1","target":"sip:c@x","mode":"magic"}`, "mode"},
		{"blind mode case", events.VerbTransfersBlind, `{"request_id":"8","leg_id":"l1","target":"sip:c@x","mode":"REFER"}`, "mode"},
		{"blind target_dialog native", events.VerbTransfersBlind, `{"request_id":"9","leg_id":"l1","target":"sip:c@x","mode":"native","target_dialog":true}`, "target_dialog"},
		{"blind target_dialog default", events.VerbTransfersBlind, `{"request_id":"10","leg_id":"l1","target":"sip:c@x","target_dialog":true}`, "target_dialog"},
		{"blind target_dialog as string", events.VerbTransfersBlind, `{"request_id":"11","leg_id":"l1","target":"sip:c@x","target_dialog":"yes"}`, ""},
		{"attended garbage", events.VerbTransfersAttended, `[]`, ""},
		{"attended without leg", events.VerbTransfersAttended, `{"request_id":"12","other_leg_id":"l2"}`, "leg_id"},
		{"attended without other", events.VerbTransfersAttended, `{"request_id":"13","leg_id":"l1"}`, "other_leg_id"},
		{"attended same leg", events.VerbTransfersAttended, `{"request_id":"14","leg_id":"l1","other_leg_id":"l1"}`, "other_leg_id"},
		{"attended unknown mode", events.VerbTransfersAttended, `{"request_id":"15","leg_id":"l1","other_leg_id":"l2","mode":"replace"}`, "mode"},
		{"attended target_dialog native", events.VerbTransfersAttended, `{"request_id":"16","leg_id":"l1","other_leg_id":"l2","target_dialog":true}`, "target_dialog"},
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
	blinds := 0
	for _, tt := range tests {
		if tt.verb == events.VerbTransfersBlind {
			blinds++
		}
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbTransfersBlind, "result", "bad_request"); n != float64(blinds) {
		t.Errorf("commands{transfers.blind, bad_request} = %v, want %d", n, blinds)
	}
	// A bad request's reply is the verb's reply type, with its request id.
	var rep events.TransfersAttendedReplyV1
	raw := request(t, nc, events.CommandSubject(events.VerbTransfersAttended), events.TransfersAttendedRequestV1{RequestID: "r", LegID: "l1"}, &rep)
	wantCode(t, rep.Reply, events.ErrBadRequest)
	if rep.RequestID != "r" || strings.Contains(string(raw), "transfer_id") {
		t.Errorf("bad request reply %s", raw)
	}
}
