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

// The core's decisions.
var (
	// Route is the routing decision asked for every new INVITE
	// (events.DecideRoute).
	Route = Decision[events.RouteRequestV1, events.RouteDecisionV1]{
		What:     "route",
		Validate: events.RouteDecisionV1.Validate,
	}
	// Refer is asked for every REFER Tandem accepted, after its 202
	// (events.DecideRefer): who carries the transfer out.
	Refer = Decision[events.ReferRequestV1, events.ReferDecisionV1]{
		What:     "refer",
		Validate: events.ReferDecisionV1.Validate,
	}
	// SubscribeDecision is asked for a new SUBSCRIBE of an event package
	// the core does not serve itself (events.DecideSubscribe). It is not
	// called Subscribe, which subscribes to events.
	SubscribeDecision = Decision[events.SubscribeRequestV1, events.SubscribeDecisionV1]{
		What:     "subscribe",
		Validate: events.SubscribeDecisionV1.Validate,
	}
)

// Subject is the subject the decision is asked on.
func (d Decision[Req, Ans]) Subject() string { return events.DecidePrefix + "." + d.What }

// DecisionFunc answers one decision request. ctx ends at the client's
// decision timeout (WithDecisionTimeout) or when the plugin stops; the core
// itself stops waiting at its own deadline. Returning an error, or
// panicking, sends no answer: another plugin's answer wins, or the core
// falls back to its configuration when its deadline passes. To decline
// quickly instead, answer the decision's "default" (for Route:
// events.RouteDecisionV1{Action: events.RouteDefault}; for Refer and
// SubscribeDecision: Action events.ActionDefault). An error is not turned
// into "default" on purpose: the core takes the first valid answer, so a
// "default" sent on an error would beat another plugin's real answer.
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

// HandleRefer answers the REFER decision with fn; see Handle. Answer
// events.ActionAccept to carry the transfer out yourself (the refer
// subscription's NOTIFYs are then yours to send, with SendRequest),
// events.ActionReject with a code for the final NOTIFY, or
// events.ActionDefault to let the core do it by its configuration.
func (c *Client) HandleRefer(fn func(ctx context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error)) (*Subscription, error) {
	return Handle(c, Refer, fn)
}

// HandleSubscribe answers the SUBSCRIBE decision with fn; see Handle.
// Answer events.ActionAccept to serve the subscription (the core answers
// 200 and keeps it as a leg of its own, req.LegID; send its NOTIFYs with
// SendRequest), events.ActionReject with a code, or events.ActionDefault.
func (c *Client) HandleSubscribe(fn func(ctx context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error)) (*Subscription, error) {
	return Handle(c, SubscribeDecision, fn)
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
