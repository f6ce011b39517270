package b2bua

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// Originate makes a leg: an INVITE from Tandem to req.Target, into the call
// of req.BridgeTo, else req.CallID, else a new call of its own (claimed for
// req.Controller when one is named). It returns once the INVITE is sent;
// events tell the rest. See events.LegsOriginateRequestV1.
func (c *Core) Originate(ctx context.Context, req events.LegsOriginateRequestV1) (callID, legID string, err error) {
	if c.draining.Load() {
		return "", "", events.NewError(events.ErrUnavailable, "shutting down")
	}
	ruri, err := commandURI("target", req.Target)
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
	ring := c.cfg.NoAnswerTimeout
	if req.TimeoutMS > 0 {
		ring = time.Duration(req.TimeoutMS) * time.Millisecond
	}
	o := origination{target: ruri, from: from, display: sanitize(req.FromDisplay), headers: req.Headers, sdp: []byte(req.SDP), ring: ring}
	start := func(cl *call, bridgeTo *leg, reply func(error)) {
		o.bridgeTo = bridgeTo
		l, err := cl.originate(o)
		if err == nil {
			callID, legID = cl.id, l.id
		}
		reply(err)
	}
	switch {
	case req.BridgeTo != "":
		err = c.withLeg(ctx, req.BridgeTo, req.Controller, func(cl *call, l *leg, reply func(error)) {
			switch {
			case req.CallID != "" && req.CallID != cl.id:
				reply(events.NewError(events.ErrBadRequest, "bridge_to leg %s is in call %s, not %s", l.id, cl.id, req.CallID))
			case l.state != legConfirmed:
				reply(events.NewError(events.ErrConflict, "bridge_to leg %s is not answered", l.id))
			default:
				start(cl, l, reply)
			}
		})
	case req.CallID != "":
		err = c.withCall(ctx, req.CallID, func(cl *call, reply func(error)) {
			if err := cl.mayControl(req.Controller); err != nil {
				reply(err)
				return
			}
			start(cl, nil, reply)
		})
	default:
		cl := c.newControlCall(ruri.String(), from.String())
		err = c.withCall(ctx, cl.id, func(cl *call, reply func(error)) {
			if req.Controller != "" {
				cl.setClaim(req.Controller, defaultClaimTTL)
			}
			start(cl, nil, func(err error) {
				cl.endIfEmpty() // nothing was sent: the call ends at once
				reply(err)
			})
		})
	}
	return callID, legID, err
}

// commandURI parses a SIP or SIPS URI with a host given to a command, or
// says which field is wrong (ErrBadRequest).
func commandURI(field, s string) (sipx.Uri, error) {
	u, err := sipx.ParseURI(s)
	if err != nil || u.Host == "" || (u.Scheme != "sip" && u.Scheme != "sips") {
		return sipx.Uri{}, events.NewError(events.ErrBadRequest, "%s %q is not a SIP URI", field, s)
	}
	return u, nil
}

// origination is what an originated leg is made of.
type origination struct {
	target   sipx.Uri
	from     sipx.Uri
	display  string
	headers  []events.HeaderV1
	sdp      []byte
	ring     time.Duration
	bridgeTo *leg
	// to, when set, is the To header's URI (the party's identity) where
	// it is not the target (a phone's AOR called at its contact)
	to *sipx.Uri
}

// newControlCall makes a call of no leg yet, for originated legs. It is
// "connected" from the start: its legs say how far each one is.
func (c *Core) newControlCall(to, from string) *call {
	cl := &call{core: c, id: newCallID(), created: time.Now(), done: make(chan struct{}), state: stConnected}
	cl.log = c.log.With("call_id", cl.id)
	cl.ex.done = func() bool { return cl.state == stEnded && cl.pendingTx == 0 }
	cl.ex.finished = func() { close(cl.done) }
	c.calls.Store(cl.id, cl)
	c.active.Add(1)
	cl.post(func() {
		cl.emit(events.TypeCallCreatedV1, "", &events.CallCreatedV1{From: from, To: to, RequestURI: to})
		if d := c.cfg.MaxCallDuration; d > 0 {
			cl.maxDur = cl.afterFunc(d, func(cl *call) { cl.hangupConnected("core", "max call duration") })
		}
	})
	return cl
}

// newUACLeg makes a leg towards ruri on which Tandem is UAC: a fresh
// Call-ID and From-tag, a leg GRUU as Contact.
func (cl *call) newUACLeg(id string, ruri sipx.Uri, from sipx.Uri, display string) *leg {
	l := newLeg(cl, id, events.SideB)
	transport := "UDP"
	if tp, ok := ruri.UriParams.Get("transport"); ok && tp != "" {
		transport = strings.ToUpper(tp)
	}
	toURI := *ruri.Clone()
	toURI.UriParams = nil
	toURI.Headers = nil
	l.dlg = dialog{
		callID:       newCallID() + "@tandem",
		localTag:     sipx.GenerateTag(),
		localURI:     from,
		localDisplay: display,
		remoteURI:    toURI,
		remoteTarget: ruri,
		transport:    transport,
	}
	l.contact = cl.core.contactFor(cl.id, l.id, transport)
	return l
}

// register makes a new leg findable by its dialog and its id.
func (cl *call) register(l *leg, target string) {
	c := cl.core
	c.legs.Store(l.dlg.key(), l)
	c.legIDs.Store(l.id, l)
	cl.emit(events.TypeLegCreatedV1, l.id, &events.LegCreatedV1{Side: l.side, Target: target, SIPCallID: l.dlg.callID})
}

// originate sends the INVITE of an originated leg.
func (cl *call) originate(o origination) (*leg, error) {
	c := cl.core
	cl.bN++
	l := cl.newUACLeg(fmt.Sprintf("%s-o%d", cl.id, cl.bN), o.target, *o.from.Clone(), o.display)
	l.orig, l.bridgeTo = true, o.bridgeTo
	if o.to != nil {
		l.dlg.remoteURI = *o.to.Clone()
	}
	req := l.dlg.request(sipx.INVITE)
	req.AppendHeader(l.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	for _, h := range o.headers {
		req.AppendHeader(sipx.NewHeader(sanitize(h.Name), sanitize(h.Value)))
	}
	if len(o.sdp) > 0 {
		req.AppendHeader(sipx.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(l.origin.rewrite(o.sdp))
		l.offered = true
	}
	cl.extra = append(cl.extra, l)
	cl.register(l, o.target.String())
	c.outgoing.Store(l.dlg.callID, req.Recipient.String())
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		cl.log.Warn("b2bua: originated INVITE failed", "target", o.target.String(), "error", err)
		cl.endLeg(l, 503, "target unreachable")
		return nil, events.NewError(events.ErrInternal, "INVITE to %s failed: %v", o.target.String(), err)
	}
	l.invReq = req
	cl.pendingTx++
	cl.originating++
	c.resendACKOn2xx(tx, l)
	l.ringFor = c.afterFuncLeg(o.ring, l, func(cl *call, l *leg) {
		if !l.finalGot {
			cl.log.Info("b2bua: originated leg not answered in time", "leg_id", l.id)
			cl.cancelLeg(l)
		}
	})
	cl.log.Debug("b2bua: originating", "leg_id", l.id, "target", o.target.String())
	go cl.readInvite(l, tx)
	return l, nil
}

// onOrigResponse handles a response to an originated leg's INVITE.
func (cl *call) onOrigResponse(l *leg, res *sipx.Response) {
	code := res.StatusCode
	if code >= 200 {
		if l.finalGot {
			return
		}
		l.finalGot = true
		cl.pendingTx--
		cl.originating--
		if l.ringFor != nil {
			l.ringFor.Stop()
		}
		defer func() { l.invReq = nil }()
	}
	if cl.state == stEnded || l.state == legEnded || l.cancelSent || l.cancelWant {
		cl.settleAbandoned(l, res)
		if code >= 200 {
			reason := "cancelled"
			if l.cancelWant || l.cancelSent {
				if code == 487 || code < 300 {
					reason = "no answer"
				}
			}
			cl.endLeg(l, code, reason)
			cl.endIfEmpty()
		}
		return
	}
	switch {
	case code == 100:
		l.provisional = true
	case code < 200:
		l.provisional = true
		l.saw18x = true
		if tag := sipx.ToTag(res.To()); tag != "" && l.state == legTrying {
			l.dlg.confirmUAC(res)
			l.state = legEarly
		}
		cl.emit(events.TypeLegRingingV1, l.id, &events.LegRingingV1{Code: code, EarlyMedia: len(res.Body()) > 0})
		cl.xferProgress(l, code, res.Reason)
	case code < 300:
		cl.origAnswered(l, res)
	default:
		cl.endLeg(l, code, strings.ToLower(reasonPhrase(code)))
		cl.endIfEmpty()
	}
}

// onOrigGone: an originated INVITE got no final response.
func (cl *call) onOrigGone(l *leg, err error) {
	if l.finalGot {
		return
	}
	l.finalGot = true
	cl.pendingTx--
	cl.originating--
	cl.log.Info("b2bua: originated leg did not answer", "leg_id", l.id, "error", err)
	cl.endLeg(l, 408, "target timeout")
	cl.endIfEmpty()
}

// origAnswered: the originated leg answered. With our offer, ACK at once;
// without, its 2xx holds the offer: to the bridge_to leg in a re-INVITE
// (its answer returns in our ACK), else answered with the media inactive.
func (cl *call) origAnswered(l *leg, res *sipx.Response) {
	l.dlg.confirmUAC(res)
	l.state = legConfirmed
	l.fromChange = supports(res, "from-change")
	if cl.connectedAt.IsZero() {
		cl.connectedAt = time.Now()
	}
	cl.emit(events.TypeLegAnsweredV1, l.id, &events.LegAnsweredV1{Side: l.side})
	if l.takeAnswer != nil {
		l.takeAnswer(res)
		return
	}
	peer := l.bridgeTo
	l.bridgeTo = nil
	if l.offered {
		l.answer = res.Body()
		cl.sendACK(l, res, nil)
	}
	cl.bridgeAnswered(l, res, peer)
	if l.afterAnswer != nil {
		l.afterAnswer()
	}
}

// bridgeAnswered bridges the answered originated leg l to peer (nil: to
// nobody). A 2xx of peer's still waiting for its ACK delays it until then.
func (cl *call) bridgeAnswered(l *leg, res *sipx.Response, peer *leg) {
	if !l.live(cl) {
		return
	}
	if peer != nil && peer.live(cl) && peer.ackWait != nil {
		peer.ackWait.then = append(peer.ackWait.then, func() { cl.bridgeAnswered(l, res, peer) })
		return
	}
	if peer != nil && peer.live(cl) && (cl.offer != nil || cl.bridging != nil) {
		// a re-INVITE (hold, say) is in flight: bridge once it is over
		cl.whenIdle(func() { cl.bridgeAnswered(l, res, peer) })
		return
	}
	ready := peer != nil && peer.live(cl) && peer.state == legConfirmed && cl.offer == nil && cl.bridging == nil
	if l.offered { // acknowledged already
		if ready {
			cl.bridge(peer, l, cl.logBridge(peer, l))
		}
		return
	}
	offer := res.Body()
	if !ready || len(offer) == 0 {
		if peer != nil {
			cl.log.Warn("b2bua: originated leg answered but its bridge_to leg cannot take it now", "leg_id", l.id, "bridge_to", peer.id)
		}
		cl.sendACK(l, res, inactiveAnswer(offer, cl.core.stack.Host()))
		return
	}
	cl.unpeer(peer, "rebridged")
	cl.bridging = &[2]*leg{peer, l}
	o := &offerTx{to: peer, method: sipx.INVITE, body: offer}
	o.done = func(code int, reason string) {
		cl.bridging = nil
		defer cl.runIdle()
		if code >= 200 && code < 300 && l.live(cl) && o.res != nil {
			cl.sendACK(l, res, o.res.Body())
			cl.peerLegs(peer, l)
			cl.xferBridged(l)
			return
		}
		cl.log.Info("b2bua: bridge of an originated leg failed", "leg_id", l.id, "bridge_to", peer.id, "code", code, "reason", reason)
		if l.live(cl) {
			cl.sendACK(l, res, inactiveAnswer(offer, cl.core.stack.Host()))
			if l.xfer != nil { // a transfer's leg bridged to nobody is of no use
				cl.sendBye(l)
				cl.endLeg(l, 500, "bridge failed")
			}
		}
	}
	cl.offer = o
	cl.sendOffer(o)
}
