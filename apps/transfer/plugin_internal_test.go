package transfer

import (
	"context"
	"log/slog"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// The app counts the transfers it accepts per call, not the ones it
// refuses, and forgets a call when its call.ended event arrives.
func TestAppCountsAndForgets(t *testing.T) {
	p, err := NewPolicy(Config{MaxTransfersPerCall: 2, Deny: []string{"@blocked"}})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(p, slog.New(slog.DiscardHandler), "n1", 10)
	ctx := context.Background()
	req := func(call, to string) events.ReferRequestV1 {
		r := events.ReferRequestV1{ReferTo: to, TransferID: "t-" + call}
		r.CallID = call
		return r
	}
	steps := []struct {
		call, to string
		code     int // 0: accepted
	}{
		{"c1", "sip:x@ok", 0},
		{"c1", "sip:x@blocked", 403}, // not counted
		{"c2", "sip:x@ok", 0},        // another call
		{"c1", "sip:x@ok", 0},
		{"c1", "sip:x@ok", 486},
		{"c1", "sip:x@ok", 486},
	}
	for i, s := range steps {
		d, err := a.decide(ctx, req(s.call, s.to))
		if err != nil || d.Code != s.code {
			t.Fatalf("step %d (%s %s): %+v, %v; want code %d", i, s.call, s.to, d, err, s.code)
		}
	}
	ended := &events.CallEndedV1{}
	ended.Type, ended.CallID, ended.Node = events.TypeCallEndedV1, "c1", "n2" // any node's call
	a.mux().HandleEvent(ctx, ended)
	if d, _ := a.decide(ctx, req("c1", "sip:x@ok")); d.Action != events.ActionAccept {
		t.Errorf("after call.ended: %+v, want the count forgotten", d)
	}
	if n := a.calls.get("c2"); n != 1 {
		t.Errorf("c2 count %d after c1 ended", n)
	}
}

// Without max_transfers_per_call nothing is remembered.
func TestAppWithoutLimitKeepsNothing(t *testing.T) {
	p, err := NewPolicy(Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(p, slog.New(slog.DiscardHandler), "", 0)
	if a.calls != nil {
		t.Fatal("counting without a limit")
	}
	var r events.ReferRequestV1
	r.CallID = "c1"
	if d, _ := a.decide(context.Background(), r); d.Action != events.ActionAccept {
		t.Errorf("decide = %+v", d)
	}
	a.forget("c1") // harmless
}
