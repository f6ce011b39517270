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

// Route asks the routing decision for a new INVITE: events.DecideRoute
// with req as JSON, answered by every plugin that handles it (one
// instance of each, by queue group). The first valid answer wins: an
// answer that does not decode or fails Validate is logged and counted, and
// Route waits on for another. It never waits past ctx's deadline (or
// Config.DecideTimeout when ctx has none). An empty req.Node is set to the
// API's node.
//
// The error wraps ErrNoDecision on timeout (and context.DeadlineExceeded)
// or when no plugin listens (and nats.ErrNoResponders), ErrInvalidDecision
// when only invalid answers came before the deadline, and ctx.Err() when
// ctx is cancelled.
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
	if err := ctx.Err(); err != nil {
		a.decided(outcomeError, 0)
		return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w", err)
	}

	start := time.Now()
	reply, answers, done := a.answers.open()
	defer done()
	if err := a.nc.PublishRequest(events.DecideRoute, reply, data); err != nil {
		a.decided(outcomeError, time.Since(start))
		return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w", err)
	}
	var invalid error // the last invalid answer's
	for {
		select {
		case m := <-answers:
			took := time.Since(start)
			if noResponders(m) {
				a.decided(outcomeNoResponders, took)
				return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrNoDecision, nats.ErrNoResponders)
			}
			d, err := decodeRoute(m.Data)
			if err != nil {
				a.m.invalidAnswers.WithLabelValues(decisionRoute).Inc()
				a.log.Warn("natsapi: invalid route decision rejected", "call_id", req.CallID, "err", err)
				invalid = err
				continue
			}
			a.decided(outcomeAnswered, took)
			return d, nil
		case <-ctx.Done():
			took := time.Since(start)
			switch {
			case !errors.Is(ctx.Err(), context.DeadlineExceeded):
				a.decided(outcomeError, took)
				return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w", ctx.Err())
			case invalid != nil:
				a.decided(outcomeInvalid, took)
				return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrInvalidDecision, invalid)
			}
			a.decided(outcomeTimeout, took)
			return events.RouteDecisionV1{}, fmt.Errorf("natsapi: route: %w: %w", ErrNoDecision, context.DeadlineExceeded)
		}
	}
}

// decodeRoute decodes and validates a routing answer.
func decodeRoute(data []byte) (events.RouteDecisionV1, error) {
	var d events.RouteDecisionV1
	if err := json.Unmarshal(data, &d); err != nil {
		return events.RouteDecisionV1{}, fmt.Errorf("undecodable: %w", err)
	}
	if err := d.Validate(); err != nil {
		return events.RouteDecisionV1{}, err
	}
	return d, nil
}

func (a *API) decided(outcome string, took time.Duration) {
	a.m.decisions.WithLabelValues(decisionRoute, outcome).Inc()
	if took > 0 {
		a.m.decideLatency.WithLabelValues(decisionRoute).Observe(took.Seconds())
	}
}
