package transfer

import (
	"context"
	"log/slog"
	"sync"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Name is the app's plugin name, and its name in Tandem's registry of
// built-in apps.
const Name = "transfer"

// Plugin is the transfer app as a plugin: in-process as Tandem's built-in
// app "transfer", or as a process with sdk.Serve(transfer.Plugin).
var Plugin = sdk.Plugin{Name: Name, Start: start}

// app answers the refer decision by its policy and watches the transfers.
type app struct {
	policy *Policy
	log    *slog.Logger
	node   string // the app's node, "" when not known

	mu    sync.Mutex  // guards calls
	calls *callCounts // nil unless the policy counts transfers
}

func newApp(p *Policy, log *slog.Logger, node string, maxCalls int) *app {
	a := &app{policy: p, log: log, node: node}
	if p.Counts() {
		a.calls = newCallCounts(maxCalls)
	}
	return a
}

// start reads the configuration, answers the refer decision (in the
// plugin's queue group: the instances of the app share the requests) and
// subscribes to call events: transfer outcomes are logged, ended calls
// forgotten.
func start(_ context.Context, c *sdk.Client) error {
	cfg, err := ParseConfig(c.RawConfig())
	if err != nil {
		return err
	}
	p, err := NewPolicy(cfg)
	if err != nil {
		return err
	}
	a := newApp(p, c.Log(), c.Node(), DefaultMaxCalls)
	if _, err := c.HandleRefer(a.decide); err != nil {
		return err
	}
	if _, err := c.Subscribe(a.mux().HandleEvent, sdk.OnGap(a.onGap)); err != nil {
		return err
	}
	c.Log().Info("transfer: answering refer decisions",
		"deny", len(cfg.Deny), "allow", len(cfg.Allow), "rewrite", len(cfg.Rewrite),
		"require_same_domain", cfg.RequireSameDomain, "max_transfers_per_call", cfg.MaxTransfersPerCall)
	return nil
}

// decide answers one refer decision: the policy's verdict, counting the
// accepted transfers of the call when the policy limits them.
func (a *app) decide(_ context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error) {
	var v Verdict
	if a.calls == nil {
		v = a.policy.Decide(req, 0)
	} else {
		a.mu.Lock()
		v = a.policy.Decide(req, a.calls.get(req.CallID))
		if v.Accepted() {
			a.calls.add(req.CallID)
		}
		a.mu.Unlock()
	}
	log := a.log.With("transfer_id", req.TransferID, "call_id", req.CallID, "refer_to", req.ReferTo)
	if v.Rule != "" {
		log = log.With("rule", v.Rule)
	}
	switch d := v.Decision; d.Action {
	case events.ActionReject:
		log.Info("transfer: refused", "code", d.Code, "reason", d.Reason)
	default:
		if d.Target != "" {
			log = log.With("target", d.Target)
		}
		log.Debug("transfer: accepted")
	}
	return v.Decision, nil
}
