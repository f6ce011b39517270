package transfer

import (
	"context"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Outcomes of a transfer, as logged.
const (
	OutcomeCompleted = "completed" // the transferee talks to the target
	OutcomeFailed    = "failed"    // the transfer did not happen
)

// mux routes the events the app watches: transfer outcomes (one info line
// per transfer: completed or failed; the roll-back after a failure at
// debug level) and call ends (the call's transfer count is forgotten).
// Outcomes are logged for the transfers of the app's own node only, when
// it knows it (Client.Node), so that each is logged once per node rather
// than by every node's instance; counts are forgotten for every node's
// calls, as any instance may have answered for them.
func (a *app) mux() *sdk.EventMux {
	m := sdk.NewEventMux()
	sdk.On(m, func(_ context.Context, ev *events.TransferCompletedV1) {
		if a.mine(&ev.Envelope) {
			a.log.Info("transfer: outcome", "outcome", OutcomeCompleted, "transfer_id", ev.TransferID, "call_id", ev.CallID,
				"new_leg_id", ev.NewLegID, "elapsed_ms", ev.ElapsedMS)
		}
	})
	sdk.On(m, func(_ context.Context, ev *events.TransferFailedV1) {
		if a.mine(&ev.Envelope) {
			a.log.Info("transfer: outcome", "outcome", OutcomeFailed, "transfer_id", ev.TransferID, "call_id", ev.CallID,
				"code", ev.Code, "reason", ev.Reason)
		}
	})
	sdk.On(m, func(_ context.Context, ev *events.TransferRolledBackV1) {
		if a.mine(&ev.Envelope) {
			a.log.Debug("transfer: rolled back", "transfer_id", ev.TransferID, "call_id", ev.CallID, "reconnected", ev.Reconnected)
		}
	})
	sdk.On(m, func(_ context.Context, ev *events.CallEndedV1) { a.forget(ev.CallID) })
	return m
}

// mine reports whether an event is of the app's node (or the app does not
// know its node).
func (a *app) mine(env *events.Envelope) bool { return a.node == "" || env.Node == a.node }

// forget drops a call's transfer count.
func (a *app) forget(callID string) {
	if a.calls == nil {
		return
	}
	a.mu.Lock()
	a.calls.forget(callID)
	a.mu.Unlock()
}

// onGap: missed events cost at most a log line or a call remembered until
// the bound of callCounts evicts it; nothing to catch up.
func (a *app) onGap(_ context.Context, g sdk.Gap) {
	a.log.Debug("transfer: events missed", "call_id", g.CallID, "missing", g.Missing())
}
