package transfer

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// One info line per transfer outcome, for the app's own node's calls.
func TestOutcomeLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := NewPolicy(Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := newApp(p, log, "n1", 0).mux()
	env := func(typ, call, node string) events.Envelope {
		return events.Envelope{Type: typ, CallID: call, Node: node}
	}
	ctx := context.Background()
	m.HandleEvent(ctx, &events.TransferCompletedV1{Envelope: env(events.TypeTransferCompletedV1, "c1", "n1"), TransferID: "t1", NewLegID: "c1-b2", ElapsedMS: 42})
	m.HandleEvent(ctx, &events.TransferFailedV1{Envelope: env(events.TypeTransferFailedV1, "c2", "n1"), TransferID: "t2", Code: 486, Reason: "target busy"})
	m.HandleEvent(ctx, &events.TransferRolledBackV1{Envelope: env(events.TypeTransferRolledBackV1, "c2", "n1"), TransferID: "t2", Reconnected: true})
	m.HandleEvent(ctx, &events.TransferCompletedV1{Envelope: env(events.TypeTransferCompletedV1, "c3", "n2"), TransferID: "t3"})
	m.HandleEvent(ctx, &events.TransferRequestedV1{Envelope: env(events.TypeTransferRequestedV1, "c4", "n1"), TransferID: "t4"})

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`msg="transfer: outcome" outcome=completed transfer_id=t1 call_id=c1 new_leg_id=c1-b2 elapsed_ms=42`,
		`msg="transfer: outcome" outcome=failed transfer_id=t2 call_id=c2 code=486 reason="target busy"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %s\nwant it to contain %s", i, lines[i], w)
		}
	}
}
