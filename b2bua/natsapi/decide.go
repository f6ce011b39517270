package natsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// decisionRoute labels the routing decision in metrics.
const decisionRoute = "route"

var (
	// ErrNoDecision: no plugin answered within the deadline, or none
	// listens. The error also wraps context.DeadlineExceeded or
	// nats.ErrNoResponders. The core falls back to its configuration.
	ErrNoDecision = errors.New("natsapi: no decision")
	// ErrInvalidDecision: a plugin answered with JSON that does not decode
	// or a decision that fails Validate.
	ErrInvalidDecision = errors.New("natsapi: invalid decision")
)

// Route asks the routing decision for a new INVITE: a NATS request on
// events.DecideRoute with req as JSON. It never waits past ctx's deadline
// (or Config.DecideTimeout when ctx has none). An empty req.Node is set to
// the API's node.
//
// The error wraps ErrNoDecision on timeout (and context.DeadlineExceeded)
// or when no plugin listens (and nats.ErrNoResponders), ErrInvalidDecision
// on an undecodable or invalid answer, and ctx.Err() when ctx is cancelled.
func (a *API) Route(ctx context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.cfg.DecideTimeout)
		defer cancel()
	}
	if req.Node == "" {
		req.Node = a.node
	}
	data, err := json.Marshal(req)
	if err != nil {
		a.decided(outcomeError, 0)
		return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: encode request: %w", err)
	}

	start := time.Now()
	msg, err := a.nc.RequestWithContext(ctx, events.DecideRoute, data)
	took := time.Since(start)
	if err != nil {
		switch {
		case errors.Is(err, nats.ErrNoResponders):
			a.decided(outcomeNoResponders, took)
			return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrNoDecision, err)
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
			a.decided(outcomeTimeout, took)
			return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrNoDecision, context.DeadlineExceeded)
		default:
			a.decided(outcomeError, took)
			return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w", err)
		}
	}

	var d events.RouteDecisionV1
	if err := json.Unmarshal(msg.Data, &d); err != nil {
		a.decided(outcomeInvalid, took)
		a.log.Warn("natsapi: undecodable route decision", "call_id", req.CallID, "err", err)
		return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrInvalidDecision, err)
	}
	if err := d.Validate(); err != nil {
		a.decided(outcomeInvalid, took)
		a.log.Warn("natsapi: invalid route decision", "call_id", req.CallID, "err", err)
		return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrInvalidDecision, err)
	}
	a.decided(outcomeAnswered, took)
	return d, nil
}

func (a *API) decided(outcome string, took time.Duration) {
	a.m.decisions.WithLabelValues(decisionRoute, outcome).Inc()
	if took > 0 {
		a.m.decideLatency.WithLabelValues(decisionRoute).Observe(took.Seconds())
	}
}
