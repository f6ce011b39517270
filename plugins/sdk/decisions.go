package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// Decision describes one decision the core asks plugins: its subject token
// (events.DecidePrefix + "." + What) and request and answer types. Handle
// serves any Decision; the core's decisions are the variables below, each
// with a typed Client method. A new decision is one more variable (and a
// method).
type Decision[Req, Ans any] struct {
	// What is the decision's subject token, e.g. "route".
	What string
	// Validate is the core's own check of an answer. An answer that fails
	// it is not sent (the core would refuse it anyway).
	Validate func(Ans) error
}

// Route is the routing decision asked for every new INVITE.
var Route = Decision[events.RouteRequestV1, events.RouteDecisionV1]{
	What:     "route",
	Validate: events.RouteDecisionV1.Validate,
}

// Subject is the subject the decision is asked on.
func (d Decision[Req, Ans]) Subject() string { return events.DecidePrefix + "." + d.What }

// DecisionFunc answers one decision request. ctx ends at the client's
// decision timeout (WithDecisionTimeout) or when the plugin stops; the core
// itself stops waiting at its own deadline. Returning an error, or
// panicking, sends no answer: another plugin's answer wins, or the core
// falls back to its configuration when its deadline passes. To decline
// quickly instead, answer the decision's "default" (for Route:
// events.RouteDecisionV1{Action: events.RouteDefault}).
type DecisionFunc[Req, Ans any] func(ctx context.Context, req Req) (Ans, error)

// Handle answers decision d with fn, in the queue group named after the
// plugin, so that the instances of one plugin share the requests (each
// request reaches one instance of each plugin; the core takes the first
// answer). Requests are handled concurrently, up to 64 at a time. A
// request that does not decode, an error, a panic or an answer that fails
// d.Validate sends nothing and is logged. The handler lasts until the
// plugin stops or Subscription.Stop.
func Handle[Req, Ans any](c *Client, d Decision[Req, Ans], fn DecisionFunc[Req, Ans]) (*Subscription, error) {
	if fn == nil {
		return nil, errors.New("sdk: handle: nil handler")
	}
	return c.subscribe(d.Subject(), c.opts.name, func(m *nats.Msg) {
		if !c.addWork() {
			return
		}
		select {
		case c.decideSem <- struct{}{}:
			go func() {
				defer func() { <-c.decideSem }()
				decide(c, d, fn, m)
			}()
		default:
			decide(c, d, fn, m)
		}
	})
}

// HandleRoute answers the routing decision with fn; see Handle.
func (c *Client) HandleRoute(fn func(ctx context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error)) (*Subscription, error) {
	return Handle(c, Route, fn)
}

// decide answers one request; c.work was counted for it.
func decide[Req, Ans any](c *Client, d Decision[Req, Ans], fn DecisionFunc[Req, Ans], m *nats.Msg) {
	defer c.work.Done()
	var req Req
	if err := json.Unmarshal(m.Data, &req); err != nil {
		c.log.Warn("sdk: undecodable decision request", "decision", d.What, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.decisionTimeout)
	defer cancel()
	ans, err := callDecision(ctx, fn, req)
	if err != nil {
		c.log.Warn("sdk: no answer to decision", "decision", d.What, "err", err)
		return
	}
	if d.Validate != nil {
		if err := d.Validate(ans); err != nil {
			c.log.Warn("sdk: invalid answer not sent", "decision", d.What, "err", err)
			return
		}
	}
	data, err := json.Marshal(ans)
	if err != nil {
		c.log.Error("sdk: encode answer", "decision", d.What, "err", err)
		return
	}
	if m.Reply == "" {
		return
	}
	if err := m.Respond(data); err != nil {
		c.log.Warn("sdk: send answer", "decision", d.What, "err", err)
	}
}

// callDecision calls fn, turning a panic into an error.
func callDecision[Req, Ans any](ctx context.Context, fn DecisionFunc[Req, Ans], req Req) (ans Ans, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return fn(ctx, req)
}
