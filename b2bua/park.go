package b2bua

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// park leaves A's INVITE waiting for a controller (route action "park"):
// legs.answer, legs.reject or legs.redirect settle it; the no-answer timer
// still bounds the wait and CANCEL still ends it.
func (cl *call) park(controller string) {
	cl.parked = true
	if controller != "" {
		cl.setClaim(controller, defaultClaimTTL)
	}
	cl.log.Debug("b2bua: call parked", "controller", controller)
	cl.emit(events.TypeCallParkedV1, cl.a.id, &events.CallParkedV1{Controller: controller})
}

// withParked runs f on a parked A leg, or says why it is not one.
func (c *Core) withParked(ctx context.Context, legID, controller string, f func(cl *call, a *leg) error) error {
	return c.withLeg(ctx, legID, controller, func(cl *call, l *leg, reply func(error)) {
		if l != cl.a || !cl.parked || cl.state != stRouting || l.inv == nil || l.inv.final {
			reply(events.NewError(events.ErrConflict, "leg %s is not waiting for a controller", legID))
			return
		}
		reply(f(cl, l))
	})
}

// AnswerLeg answers a parked A leg with 200: sdp as the answer (or the
// offer, when A's INVITE had none), else its offer's media inactive (else
// an inactive G.711 offer). The leg is then up and alone until a bridge.
func (c *Core) AnswerLeg(ctx context.Context, legID, controller string, sdp []byte) error {
	return c.withParked(ctx, legID, controller, func(cl *call, a *leg) error {
		offer := a.inv.req.Body()
		body := sdp
		switch {
		case len(body) > 0:
		case len(offer) > 0:
			body = inactiveAnswer(offer, c.stack.Host())
			if body == nil {
				return events.NewError(events.ErrConflict, "leg %s offered SDP Tandem cannot answer; give sdp", legID)
			}
		default:
			body = placeholderOffer(c.stack.Host())
		}
		res := cl.answerParked(a, body)
		cl.awaitACK(a, a.inv.req.CSeq().SeqNo, res, a.inv.tx, nil)
		return nil
	})
}

// answerParked sends the 200 (with body, in a's SDP origin) that answers a
// waiting A leg and connects the call; the caller awaits its ACK.
func (cl *call) answerParked(a *leg, body []byte) *sipx.Response {
	res := cl.core.response(a.inv.req, 200, "OK", a.origin.rewrite(body))
	res.AppendHeader(a.contact.Clone())
	res.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	if err := a.inv.send(res); err != nil {
		cl.log.Warn("b2bua: 200 to a waiting caller failed", "error", err)
	}
	cl.connectParked(a)
	return res
}

// connectParked: the parked A leg was just answered (200 sent); the call
// is connected.
func (cl *call) connectParked(a *leg) {
	c := cl.core
	cl.transition(inAAnswered)
	cl.parked = false
	a.state = legConfirmed
	if cl.noAnswer != nil {
		cl.noAnswer.Stop()
	}
	cl.connectedAt = time.Now()
	if d := c.cfg.MaxCallDuration; d > 0 {
		cl.maxDur = cl.afterFunc(d, func(cl *call) { cl.hangupConnected("core", "max call duration") })
	}
	cl.emit(events.TypeLegAnsweredV1, a.id, &events.LegAnsweredV1{Side: events.SideA})
	cl.emit(events.TypeCallConnectedV1, "", &events.CallConnectedV1{SetupMS: cl.connectedAt.Sub(cl.created).Milliseconds()})
}

// RejectLeg refuses a parked A leg with code (default 486).
func (c *Core) RejectLeg(ctx context.Context, legID, controller string, code int, reason string) error {
	if code == 0 {
		code = 486
	}
	if code < 400 || code > 699 {
		return events.NewError(events.ErrBadRequest, "code %d not in 400-699", code)
	}
	if reason == "" {
		reason = reasonPhrase(code)
	}
	return c.withParked(ctx, legID, controller, func(cl *call, a *leg) error {
		cl.transition(inRouteReject)
		cl.answerA(code, reason, nil, nil)
		cl.finish("command", code, "rejected by command", "rejected")
		return nil
	})
}

// RedirectLeg answers a parked A leg with a 3xx (default 302) whose
// Contacts are targets.
func (c *Core) RedirectLeg(ctx context.Context, legID, controller string, code int, targets []string) error {
	if code == 0 {
		code = 302
	}
	if code < 300 || code > 399 {
		return events.NewError(events.ErrBadRequest, "code %d not in 300-399", code)
	}
	if bad := firstBadURI(targets); bad != "" {
		return events.NewError(events.ErrBadRequest, "target %s is not a SIP URI", bad)
	}
	return c.withParked(ctx, legID, controller, func(cl *call, a *leg) error {
		res := c.response(a.inv.req, code, reasonPhrase(code), nil)
		for _, t := range targets {
			res.AppendHeader(sipx.NewHeader("Contact", "<"+sanitize(t)+">"))
		}
		cl.transition(inRouteReject)
		if err := a.inv.send(res); err != nil {
			cl.log.Warn("b2bua: redirect to a parked caller failed", "error", err)
		}
		cl.finish("command", code, "redirected by command", "redirected")
		return nil
	})
}
