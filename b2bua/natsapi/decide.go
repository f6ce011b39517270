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

// Decision names, the decision label of the metrics and the word of the
// errors and logs.
const (
	decisionRoute     = "route"
	decisionRefer     = "refer"
	decisionSubscribe = "subscribe"
)

// decisionNames are every decision's, for the metrics' initial series.
var decisionNames = []string{decisionRoute, decisionRefer, decisionSubscribe}

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
	return decide[events.RouteDecisionV1](ctx, a, decisionRoute, events.DecideRoute, &req)
}

// Refer asks what to do with a REFER Tandem has accepted:
// events.DecideRefer with req as JSON. The semantics are Route's: the
// first answer that decodes and passes ReferDecisionV1.Validate wins, the
// wait ends at ctx's deadline (or Config.DecideTimeout), an empty req.Node
// is the API's node, and the error wraps ErrNoDecision, ErrInvalidDecision
// or ctx.Err() as Route's does. On ErrNoDecision the core carries the
// transfer out by its configuration.
func (a *API) Refer(ctx context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error) {
	return decide[events.ReferDecisionV1](ctx, a, decisionRefer, events.DecideRefer, &req)
}

// Subscribe asks whether to take a new SUBSCRIBE of an event package a
// plugin serves: events.DecideSubscribe with req as JSON. The semantics
// are Route's: the first answer that decodes and passes
// SubscribeDecisionV1.Validate wins, the wait ends at ctx's deadline (or
// Config.DecideTimeout), an empty req.Node is the API's node, and the
// error wraps ErrNoDecision, ErrInvalidDecision or ctx.Err() as Route's
// does.
func (a *API) Subscribe(ctx context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error) {
	return decide[events.SubscribeDecisionV1](ctx, a, decisionSubscribe, events.DecideSubscribe, &req)
}

// validator is a decision answer: it says whether it can be acted on.
type validator interface {
	Validate() error
	// Declines reports an answer of "default": the plugin has no opinion.
	Declines() bool
}

// declineGrace is how long a decision waits, after a plugin declined, for
// another plugin's real answer (several plugins answer the same decision,
// each for what it serves: conference rooms, dialog subscriptions...)
// before it returns the decline. In-process plugins answer within a
// millisecond, process plugins within two.
const declineGrace = 5 * time.Millisecond

// enveloped is a decision request (a pointer to it): it has an envelope.
type enveloped interface{ Env() *events.Envelope }

// decide asks the decision name on subject with req and returns the first
// answer that decodes into D and validates; see Route. Every outcome is
// counted under name, with its latency.
func decide[D validator, R enveloped](ctx context.Context, a *API, name, subject string, req R) (D, error) {
	var zero D
	env := req.Env()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.cfg.DecideTimeout)
		defer cancel()
	}
	if env.Node == "" {
		env.Node = a.node
	}
	data, err := json.Marshal(req)
	if err != nil {
		a.decided(name, outcomeError, 0)
		return zero, fmt.Errorf("natsapi: %s: encode request: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		a.decided(name, outcomeError, 0)
		return zero, fmt.Errorf("natsapi: %s: %w", name, err)
	}

	start := time.Now()
	reply, answers, done := a.answers.open()
	defer done()
	if err := a.nc.PublishRequest(subject, reply, data); err != nil {
		a.decided(name, outcomeError, time.Since(start))
		return zero, fmt.Errorf("natsapi: %s: %w", name, err)
	}
	var invalid error // the last invalid answer's
	var declined *D   // a plugin's "default", returned if no real answer follows
	var grace <-chan time.Time
	for {
		select {
		case <-grace:
			a.decided(name, outcomeAnswered, time.Since(start))
			return *declined, nil
		case m := <-answers:
			took := time.Since(start)
			if noResponders(m) {
				a.decided(name, outcomeNoResponders, took)
				return zero, fmt.Errorf("natsapi: %s: %w: %w", name, ErrNoDecision, nats.ErrNoResponders)
			}
			d, err := decodeDecision[D](m.Data)
			if err != nil {
				a.m.invalidAnswers.WithLabelValues(name).Inc()
				a.log.Warn("natsapi: invalid "+name+" decision rejected", "call_id", env.CallID, "err", err)
				invalid = err
				continue
			}
			if d.Declines() {
				if declined == nil {
					declined = &d
					t := time.NewTimer(declineGrace)
					defer t.Stop()
					grace = t.C
				}
				continue
			}
			a.decided(name, outcomeAnswered, took)
			return d, nil
		case <-ctx.Done():
			took := time.Since(start)
			switch {
			case declined != nil:
				a.decided(name, outcomeAnswered, took)
				return *declined, nil
			case !errors.Is(ctx.Err(), context.DeadlineExceeded):
				a.decided(name, outcomeError, took)
				return zero, fmt.Errorf("natsapi: %s: %w", name, ctx.Err())
			case invalid != nil:
				a.decided(name, outcomeInvalid, took)
				return zero, fmt.Errorf("natsapi: %s: %w: %w", name, ErrInvalidDecision, invalid)
			}
			a.decided(name, outcomeTimeout, took)
			return zero, fmt.Errorf("natsapi: %s: %w: %w", name, ErrNoDecision, context.DeadlineExceeded)
		}
	}
}

// decodeDecision decodes and validates an answer.
func decodeDecision[D validator](data []byte) (D, error) {
	var d D
	if err := json.Unmarshal(data, &d); err != nil {
		var zero D
		return zero, fmt.Errorf("undecodable: %w", err)
	}
	if err := d.Validate(); err != nil {
		var zero D
		return zero, err
	}
	return d, nil
}

func (a *API) decided(name, outcome string, took time.Duration) {
	a.m.decisions.WithLabelValues(name, outcome).Inc()
	if took > 0 {
		a.m.decideLatency.WithLabelValues(name).Observe(took.Seconds())
	}
}
