package b2bua

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// onInvite serves every INVITE: in-dialog ones are re-INVITEs; a new one
// creates a call and blocks until A's INVITE is finally answered.
func (c *Core) onInvite(req *sipx.Request, tx sipx.ServerTransaction) {
	c.metrics.requests.WithLabelValues("INVITE").Inc()
	in := newInbound(req, tx)
	if code, reason := checkRequest(req); code != 0 {
		c.reject(in, code, reason)
		return
	}
	if sipx.ToTag(req.To()) != "" {
		c.inDialog(in)
		return
	}
	if code, reason := c.checkNewInvite(req); code != 0 {
		c.reject(in, code, reason)
		return
	}
	cl := c.newCall(in)
	// 100 is ours to send, at once (RFC 3261 §8.2.6.1); it is never relayed.
	in.tx.Respond(c.response(req, 100, "Trying", nil))
	// sipgo calls this with its transaction lock held; post never blocks.
	if !onCancel(tx, cl) {
		// cancelled before we could listen: sipgo already answered 487
		cl.post(cl.onCancel)
	}
	cl.post(cl.begin)
	in.wait()
}

// checkRequest finds what makes any request unanswerable by the core:
// missing mandatory headers (400), an exhausted Max-Forwards (483) and
// required extensions we do not support (420).
func checkRequest(req *sipx.Request) (int, string) {
	if req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil || req.Via() == nil {
		return 400, "Missing Mandatory Header"
	}
	if req.CSeq().MethodName != req.Method {
		return 400, "CSeq Method Mismatch"
	}
	if mf := req.MaxForwards(); mf != nil && mf.Val() == 0 && req.Method != sipx.ACK && req.Method != sipx.CANCEL {
		return 483, "Too Many Hops"
	}
	if req.Method != sipx.ACK && req.Method != sipx.CANCEL && !supportedRequire(req) {
		return 420, "Bad Extension"
	}
	return 0, ""
}

// supportedRequire reports whether every option tag a request's Require
// headers name is one Tandem supports (replaces, norefersub, tdialog).
func supportedRequire(req *sipx.Request) bool {
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			switch strings.ToLower(strings.TrimSpace(tag)) {
			case "replaces", "norefersub", "tdialog":
			default:
				return false
			}
		}
	}
	return true
}

// checkNewInvite applies the checks of a dialog-creating INVITE.
func (c *Core) checkNewInvite(req *sipx.Request) (int, string) {
	if c.draining.Load() {
		return 503, "Shutting Down"
	}
	if sent, ok := c.outgoing.Load(req.CallID().Value()); ok && sent.(string) == req.Recipient.String() {
		// our own B-leg INVITE came back unchanged: a loop (RFC 3261 §16.3)
		return 482, "Loop Detected"
	}
	if s := req.Recipient.Scheme; s != "sip" && s != "sips" {
		return 416, "Unsupported URI Scheme"
	}
	return 0, ""
}

// newCall creates the call and its A leg and starts the call's executor.
func (c *Core) newCall(in *inbound) *call {
	cl := &call{
		core:    c,
		id:      newCallID(),
		created: time.Now(),
		done:    make(chan struct{}),
	}
	cl.log = c.log.With("call_id", cl.id)
	cl.ex.done = func() bool { return cl.state == stEnded && cl.pendingTx == 0 }
	cl.ex.finished = func() { close(cl.done) }
	tag := sipx.GenerateTag()
	// The tag goes on the INVITE itself so that every response built from it,
	// the 487 sipgo sends after CANCEL included, carries the same To-tag.
	in.req.To().Params.Add("tag", tag)
	a := newLeg(cl, cl.id+"-a", events.SideA)
	a.inv = in
	a.fromChange = supports(in.req, "from-change")
	a.dlg = uasDialog(in.req, tag)
	a.contact = c.contactFor(cl.id, a.id, in.req.Transport())
	cl.a = a
	c.calls.Store(cl.id, cl)
	c.legs.Store(a.dlg.key(), a)
	c.legIDs.Store(a.id, a)
	c.active.Add(1)
	return cl
}

// contactFor is our Contact on a leg: a GRUU we minted for it (RFC 5627,
// DESIGN.md §4), sip:<token>@host:port;gr, that routes to that leg and no
// other, and gets 404 once the leg has ended.
func (c *Core) contactFor(callID, legID, transport string) sipx.ContactHeader {
	user := legID
	if tok, err := c.minter.MintLeg(gruu.LegRef{Node: c.cfg.Node, CallID: callID, LegID: legID, Gen: c.epoch}); err == nil {
		user = tok
	} else {
		c.log.Warn("b2bua: cannot mint a leg GRUU, using the leg id", "leg_id", legID, "error", err)
	}
	u := sipx.Uri{Scheme: "sip", User: user, Host: c.stack.Host(), Port: c.stack.Port(), UriParams: sipx.HeaderParams{}}
	u.UriParams.Add("gr", "")
	if strings.EqualFold(transport, "TCP") {
		u.UriParams.Add("transport", "tcp")
	}
	return sipx.ContactHeader{Address: u}
}

// removeCall forgets an ended call.
func (c *Core) removeCall(cl *call) {
	c.calls.Delete(cl.id)
	if c.active.Add(-1) == 0 && c.draining.Load() {
		c.idleOnce.Do(func() { close(c.idle) })
	}
}

// begin announces the call and asks for a route (on the loop).
func (cl *call) begin() {
	req := cl.a.inv.req
	if cl.log.Enabled(context.Background(), slog.LevelDebug) {
		cl.log.Debug("b2bua: call created", "from", req.From().Address.String(), "ruri", req.Recipient.String(), "sip_call_id", req.CallID().Value())
	}
	cl.emit(events.TypeCallCreatedV1, "", &events.CallCreatedV1{
		From:       req.From().Value(),
		To:         req.To().Address.String(),
		RequestURI: req.Recipient.String(),
		Source:     req.Source(),
		Transport:  req.Transport(),
	})
	cl.emit(events.TypeLegCreatedV1, cl.a.id, &events.LegCreatedV1{Side: events.SideA, Target: cl.a.dlg.remoteURI.String(), SIPCallID: cl.a.dlg.callID})
	cl.noAnswer = cl.afterFunc(cl.core.cfg.NoAnswerTimeout, (*call).onNoAnswer)
	if h := req.GetHeader("Replaces"); h != nil {
		rp, ok := parseReplaces(h.Value(), false)
		if !ok {
			cl.transition(inRouteReject)
			cl.answerA(400, "Bad Replaces", nil, nil)
			cl.finish("core", 400, "bad replaces", "rejected")
			return
		}
		cl.replaceLeg(rp)
		return
	}
	rr := events.RouteRequestV1{
		RequestURI: req.Recipient.String(),
		User:       req.Recipient.User,
		Host:       req.Recipient.Host,
		From:       req.From().Address.String(),
		To:         req.To().Address.String(),
		Source:     req.Source(),
	}
	rr.Type, rr.CallID, rr.Node, rr.LegID, rr.Time = events.TypeRouteRequestV1, cl.id, cl.core.cfg.Node, cl.a.id, time.Now().UTC()
	ruri := *req.Recipient.Clone() // the routing goroutine's own copy
	go func() {
		res := cl.core.route(rr, ruri)
		cl.post(func() { cl.onRouted(res) })
	}()
}

// route decides where a new call goes, in this order: a GRUU goes to
// exactly what it names (a registered instance, one of our legs) or gets
// 404; else a plugin's answer within the deadline; else a registered AOR's
// contacts; else the static rules; else 404.
func (c *Core) route(rr events.RouteRequestV1, ruri sipx.Uri) RouteResult {
	lctx, lcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer lcancel()
	if res, ok := c.resolveGRUU(lctx, ruri); ok {
		return res
	}
	if c.decider != nil {
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RouteDeadline)
		d, err := c.decider.Route(ctx, rr)
		cancel()
		switch {
		case err != nil:
			c.log.Debug("b2bua: no routing decision from plugins, using config", "call_id", rr.CallID, "error", err)
		case d.Action == events.RouteForward:
			ts := d.AllTargets()
			bad := firstBadURI(ts)
			if bad == "" {
				return RouteResult{Action: "forward", Target: ts[0], Forks: ts[1:], Serial: d.Serial, By: "plugin"}
			}
			c.log.Warn("b2bua: plugin routed to an unparseable target, using config", "call_id", rr.CallID, "target", bad)
		case d.Action == events.RouteReject:
			return RouteResult{Action: "reject", Code: d.Code, Reason: d.Reason, By: "plugin"}
		case d.Action == events.RoutePark:
			return RouteResult{Action: "park", Controller: d.Controller, By: "plugin"}
		}
	}
	if res, ok := c.resolveAOR(lctx, ruri); ok {
		return res
	}
	return matchRoute(c.routes, rr.User, rr.Host)
}

// firstBadURI returns the first of ts that is not a SIP URI with a host,
// "" when all are good (and there is at least one).
func firstBadURI(ts []string) string {
	if len(ts) == 0 {
		return "(none)"
	}
	for _, t := range ts {
		if u, err := sipx.ParseURI(t); err != nil || u.Host == "" {
			return fmt.Sprintf("%q", t)
		}
	}
	return ""
}

// onRouted acts on the routing decision.
func (cl *call) onRouted(r RouteResult) {
	if cl.state != stRouting {
		return // cancelled or timed out while routing
	}
	cl.core.metrics.routed.WithLabelValues(r.By).Inc()
	cl.emit(events.TypeCallRoutedV1, "", &events.CallRoutedV1{Action: r.Action, Target: r.Target, Code: r.Code, By: r.By})
	if r.Action == "park" {
		cl.park(r.Controller)
		return
	}
	if r.Action == "reject" {
		cl.transition(inRouteReject)
		cl.answerA(r.Code, r.Reason, nil, nil)
		cl.finish("core", r.Code, "rejected by route", "rejected")
		return
	}
	cl.transition(inRouteForward)
	cl.dialTargets(append([]string{r.Target}, r.Forks...), !r.Serial)
}

// onCancel: A cancelled its INVITE. sipgo has answered the CANCEL with 200
// and the INVITE with 487 (with our To-tag).
func (cl *call) onCancel() {
	if !cl.transition(inACancel) {
		return
	}
	cl.a.inv.markFinal()
	cl.cancelB()
	cl.finish(events.SideA, 487, "cancel", "cancelled")
}

// onNoAnswer: timer C style, the call rang too long.
func (cl *call) onNoAnswer() {
	if !cl.transition(inNoAnswer) {
		return
	}
	cl.answerA(408, "Request Timeout", nil, nil)
	cl.cancelB()
	cl.finish("core", 408, "no answer", "timeout")
}

// answerA sends a final (or provisional) response to A's INVITE.
func (cl *call) answerA(code int, reason string, body []byte, copyFrom relayedResponse) {
	a := cl.a
	if a.inv.final {
		return
	}
	res := cl.core.response(a.inv.req, code, reason, body)
	if code < 300 {
		res.AppendHeader(a.contact.Clone())
	}
	if copyFrom != nil {
		cl.core.headers.copyAllowed(res, copyFrom)
		if code >= 400 {
			// when to retry is the failing party's to say (RFC 3261 §20.33)
			if h := copyFrom.GetHeader("Retry-After"); h != nil {
				res.AppendHeader(sipx.NewHeader("Retry-After", sanitize(h.Value())))
			}
		}
		if code >= 300 && code < 400 {
			// A relayed redirect is useless without the Contacts it
			// points to (RFC 3261 §21.3); they are B's target, not
			// Tandem's, so they cross (sanitised) despite neverCopied.
			for _, h := range copyFrom.Headers() {
				if strings.EqualFold(h.Name(), "Contact") {
					res.AppendHeader(sipx.NewHeader("Contact", sanitize(h.Value())))
				}
			}
		}
	}
	if err := a.inv.send(res); err != nil {
		cl.log.Warn("b2bua: response to caller failed", "code", code, "error", err)
	}
}
