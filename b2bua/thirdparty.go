package b2bua

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// OriginateCall is third-party call control (RFC 3725): Tandem calls A,
// then B, and connects them, by flow I (A's offer to B, B's answer in A's
// ACK) or flow IV (A on an inactive offer; B's offer to A in a re-INVITE).
// If B fails, A is hung up. It returns once A's INVITE is sent.
func (c *Core) OriginateCall(ctx context.Context, req events.CallsOriginateRequestV1) (callID, aLegID string, err error) {
	a, err := commandURI("a", req.A)
	if err != nil {
		return "", "", err
	}
	b, err := commandURI("b", req.B)
	if err != nil {
		return "", "", err
	}
	from := sipx.Uri{Scheme: "sip", User: "tandem", Host: c.stack.Host()}
	if req.From != "" {
		if from, err = commandURI("from", req.From); err != nil {
			return "", "", err
		}
	}
	for _, h := range req.Headers {
		if n := strings.ToLower(strings.TrimSpace(h.Name)); neverCopied[n] || n == "" {
			return "", "", events.NewError(events.ErrBadRequest, "header %q may not be set", h.Name)
		}
	}
	flow := req.Flow
	if flow == 0 {
		flow = events.Flow4
	}
	if flow != events.Flow1 && flow != events.Flow4 {
		return "", "", events.NewError(events.ErrBadRequest, "flow %d: want 1 or 4", req.Flow)
	}
	ring := c.cfg.NoAnswerTimeout
	if req.TimeoutMS > 0 {
		ring = time.Duration(req.TimeoutMS) * time.Millisecond
	}
	return c.originateCall(ctx, thirdParty{
		controller: req.Controller, a: a, b: b, flow: flow,
		base: origination{from: from, display: sanitize(req.FromDisplay), headers: req.Headers, ring: ring},
	})
}

// thirdParty is a checked third-party call: its parties, its flow, what
// both INVITEs carry (base) and the headers of A's alone.
type thirdParty struct {
	controller string
	a, b       sipx.Uri
	flow       int
	base       origination
	aHeaders   []events.HeaderV1
	aTo        *sipx.Uri // A's To header, when not a
}

// originateCall places p (see OriginateCall).
func (c *Core) originateCall(ctx context.Context, p thirdParty) (callID, aLegID string, err error) {
	if c.draining.Load() {
		return "", "", events.NewError(events.ErrUnavailable, "shutting down")
	}
	base, a, b, flow := p.base, p.a, p.b, p.flow
	cl := c.newControlCall(b.String(), a.String())
	err = c.withCall(ctx, cl.id, func(cl *call, reply func(error)) {
		if p.controller != "" {
			cl.setClaim(p.controller, defaultClaimTTL)
		}
		oa := base
		oa.target = a
		oa.headers = append(slices.Clip(base.headers), p.aHeaders...)
		oa.to = p.aTo
		if flow == events.Flow4 {
			oa.sdp = placeholderOffer(c.stack.Host())
		}
		al, err := cl.originate(oa)
		if err != nil {
			cl.endIfEmpty()
			reply(err)
			return
		}
		aLegID = al.id
		ob := base
		ob.target = b
		if flow == events.Flow4 {
			// A answered (and was acknowledged): B without an offer,
			// bridged to A when it answers (B's offer to A, A's answer in
			// B's ACK).
			al.afterAnswer = func() {
				ob.bridgeTo = al
				cl.originateB(al, ob)
			}
		} else {
			// A's 2xx holds its offer: B gets it; B's answer goes in A's ACK.
			al.takeAnswer = func(res *sipx.Response) {
				offer := res.Body()
				if len(offer) == 0 {
					cl.sendACK(al, res, nil)
					cl.log.Info("b2bua: 3pcc: A answered without an offer; hanging up", "leg_id", al.id)
					cl.hangupLeg(al, "no offer from a")
					return
				}
				ob.sdp = offer
				bl := cl.originateB(al, ob)
				if bl == nil {
					cl.sendACK(al, res, inactiveAnswer(offer, c.stack.Host()))
					return
				}
				bl.afterAnswer = func() {
					// B's answer is the body of the 2xx we just acknowledged
					cl.sendACK(al, res, bl.answer)
					cl.peerLegs(al, bl)
				}
				bl.onEnd = func() {
					if al.live(cl) && al.peer == nil {
						cl.sendACK(al, res, inactiveAnswer(offer, c.stack.Host()))
					}
				}
			}
		}
		reply(nil)
	})
	if err != nil {
		return "", "", err
	}
	return cl.id, aLegID, nil
}

// originateB calls B for a third-party call whose A leg is a; if B ends
// before it is connected to A, A is hung up.
func (cl *call) originateB(a *leg, o origination) *leg {
	if !a.live(cl) {
		return nil
	}
	b, err := cl.originate(o)
	if err != nil {
		cl.log.Info("b2bua: 3pcc: B unreachable; hanging up A", "leg_id", a.id, "error", err)
		cl.hangupLeg(a, "b unreachable")
		return nil
	}
	prev := b.onEnd
	b.onEnd = func() {
		if prev != nil {
			prev()
		}
		if cl.state != stEnded && a.live(cl) && a.peer != b {
			cl.log.Info("b2bua: 3pcc: B failed; hanging up A", "leg_id", a.id, "b_leg", b.id)
			cl.hangupLeg(a, "b failed")
		}
	}
	return b
}

// hangupLeg sends BYE on an answered leg and ends it.
func (cl *call) hangupLeg(l *leg, reason string) {
	if !l.live(cl) {
		return
	}
	cl.sendBye(l)
	cl.dropLeg(l, "core", 200, reason)
}
