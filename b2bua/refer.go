package b2bua

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// ReferDecider is the part of the decider that answers refer decisions;
// the core asks it when its decider implements it.
type ReferDecider interface {
	Refer(ctx context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error)
}

// referSubExpires is the life we give the implicit refer subscription; the
// transfer ends it sooner with a terminal NOTIFY.
const referSubExpires = 60

// transfer is a REFER being carried out on a call: one at a time per call.
// The refer subscription (unless Refer-Sub: false) is a usage of its own,
// in the transferor's dialog (in-dialog REFER) or in the REFER's own dialog
// (out-of-dialog REFER with Target-Dialog); no failure of it ends the call.
type transfer struct {
	id         string
	kind       string
	from       *leg // the transferor's leg
	to         *leg // the transferee's leg
	target     sipx.Uri
	referredBy string
	noSub      bool
	ood        *dialog // the out-of-dialog REFER's dialog, for NOTIFYs
	started    time.Time
	newLeg     *leg
	done       bool
	// replaces is the dialog Refer-To's Replaces names (attended transfer).
	replaces *replaces
	// notifying is set while a NOTIFY waits for its answer; the next ones
	// wait in notifyQueue.
	notifying   bool
	notifyQueue []func()
}

// referTarget reads Refer-To: the URI to call, the dialog its Replaces
// names (attended transfer), or the SIP code and reason of a refusal (403
// for a URI that is not SIP, 501 for a method other than INVITE, 400 when
// missing or unparseable).
func referTarget(req *sipx.Request) (sipx.Uri, *replaces, int, string) {
	h := req.GetHeader("Refer-To")
	if h == nil {
		return sipx.Uri{}, nil, 400, "Missing Refer-To"
	}
	v := strings.TrimSpace(h.Value())
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return sipx.Uri{}, nil, 400, "Bad Refer-To"
		}
		v = v[i+1 : i+j]
	} else if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	scheme, _, _ := strings.Cut(v, ":")
	if s := strings.ToLower(scheme); s != "sip" && s != "sips" {
		return sipx.Uri{}, nil, 403, "Refer-To Not A SIP URI"
	}
	u, err := sipx.ParseURI(v)
	if err != nil || u.Host == "" {
		return sipx.Uri{}, nil, 400, "Bad Refer-To"
	}
	if m, ok := u.UriParams.Get("method"); ok && !strings.EqualFold(m, "INVITE") {
		return sipx.Uri{}, nil, 501, "Refer-To Method Not Supported"
	}
	var rp *replaces
	if u.Headers != nil {
		if v, ok := u.Headers.Get("Replaces"); ok {
			r, ok := parseReplaces(v, true)
			if !ok {
				return sipx.Uri{}, nil, 400, "Bad Replaces In Refer-To"
			}
			rp = &r
		}
	}
	u.UriParams.Remove("method")
	u.Headers = nil
	return u, rp, 0, ""
}

// noReferSub reports a message that says Refer-Sub: false (RFC 4488): a
// REFER that asks for no subscription, or a 2xx to a REFER that made none.
func noReferSub(m interface{ GetHeader(string) sipx.Header }) bool {
	h := m.GetHeader("Refer-Sub")
	return h != nil && strings.EqualFold(strings.TrimSpace(h.Value()), "false")
}

// onRefer serves a REFER inside leg l's dialog (l's party transfers its
// peer). It is answered at once (202, or 200 with Refer-Sub: false); the
// transfer then runs on the call.
func (cl *call) onRefer(l *leg, in *inbound) {
	cl.acceptRefer(l, in, nil)
}

// acceptRefer checks and answers a REFER from l's party, in l's dialog
// (ood nil) or in a dialog of its own, and starts the transfer.
func (cl *call) acceptRefer(l *leg, in *inbound, ood *dialog) {
	c := cl.core
	if c.cfg.ReferAuth && c.registrar != nil {
		if ar := c.registrar.Authenticate(in.req, time.Now()); ar.Code != 0 {
			res := c.response(in.req, ar.Code, ar.Reason, nil)
			for _, h := range ar.Headers {
				res.AppendHeader(h)
			}
			c.metrics.transfers.WithLabelValues("challenged").Inc()
			in.send(res)
			return
		}
	}
	target, rp, code, reason := referTarget(in.req)
	switch {
	case code != 0:
	case cl.state != stConnected || l.state != legConfirmed || l.peer == nil || !l.peer.live(cl):
		code, reason = 403, "Nobody To Transfer"
	case cl.xfer != nil:
		code, reason = 491, "Transfer In Progress"
	}
	if code != 0 {
		c.metrics.transfers.WithLabelValues("refused").Inc()
		c.reject(in, code, reason)
		return
	}
	x := &transfer{
		id: newTransferID(), kind: "refer", from: l, to: l.peer, target: target,
		noSub: noReferSub(in.req), ood: ood, started: time.Now(), replaces: rp,
	}
	if ood != nil {
		x.kind = "refer_ood"
	}
	if h := in.req.GetHeader("Referred-By"); h != nil {
		x.referredBy = sanitize(h.Value())
	}
	var res *sipx.Response
	if x.noSub {
		res = c.response(in.req, 200, "OK", nil)
		res.AppendHeader(sipx.NewHeader("Refer-Sub", "false"))
	} else {
		res = c.response(in.req, 202, "Accepted", nil)
	}
	res.AppendHeader(l.contact.Clone())
	res.AppendHeader(sipx.NewHeader("Supported", supportedHeader))
	in.send(res)
	cl.xfer = x
	c.metrics.transfers.WithLabelValues("accepted").Inc()
	cl.log.Info("b2bua: transfer requested", "transfer_id", x.id, "transferor", l.id, "transferee", x.to.id, "target", target.String(), "no_sub", x.noSub)
	cl.emit(events.TypeTransferRequestedV1, l.id, &events.TransferRequestedV1{
		TransferID: x.id, TargetLegID: x.to.id, ReferTo: target.String(), ReferredBy: x.referredBy, Kind: x.kind, NoSubscription: x.noSub,
	})
	cl.xferNotify(x, 100, "Trying", false, nil)
	cl.askRefer(x, in.req)
}

// askRefer asks the refer decision off the executor and acts on it there.
func (cl *call) askRefer(x *transfer, req *sipx.Request) {
	c := cl.core
	rd, ok := c.decider.(ReferDecider)
	if !ok || rd == nil {
		cl.onReferDecided(x, events.ReferDecisionV1{Action: events.ActionDefault}, nil)
		return
	}
	rr := events.ReferRequestV1{
		TransferID: x.id, TargetLegID: x.to.id, ReferTo: x.target.String(), ReferredBy: x.referredBy,
		OutOfDialog: x.ood != nil, NoSubscription: x.noSub, From: req.From().Address.String(), Source: req.Source(),
	}
	rr.Type, rr.CallID, rr.Node, rr.LegID, rr.Time = events.TypeReferRequestV1, cl.id, c.cfg.Node, x.from.id, time.Now().UTC()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RouteDeadline)
		d, err := rd.Refer(ctx, rr)
		cancel()
		cl.post(func() { cl.onReferDecided(x, d, err) })
	}()
}

// onReferDecided carries the transfer out, or refuses it, as decided (or
// by refer_fallback).
func (cl *call) onReferDecided(x *transfer, d events.ReferDecisionV1, err error) {
	if cl.xfer != x || x.done || cl.state == stEnded {
		return
	}
	action, by := d.Action, "plugin"
	if err != nil || action == events.ActionDefault || action == "" {
		action, by = cl.core.cfg.ReferFallback, "config"
		if err != nil {
			cl.log.Debug("b2bua: no refer decision from plugins, using config", "transfer_id", x.id, "error", err)
		}
	}
	if action == events.ActionReject {
		code, reason := d.Code, d.Reason
		if code == 0 {
			code = 603
		}
		cl.xferFail(x, code, reason, "rejected by "+by)
		return
	}
	target := x.target
	if d.Target != "" {
		u, err := sipx.ParseURI(d.Target)
		if err != nil || u.Host == "" {
			cl.log.Warn("b2bua: refer decision with a bad target, keeping Refer-To", "transfer_id", x.id, "target", d.Target)
		} else {
			target = u
		}
	}
	if !x.to.live(cl) {
		cl.xferFail(x, 487, "", "transferee gone")
		return
	}
	if x.replaces != nil {
		if r := cl.core.legOfDialog(*x.replaces); r != nil {
			cl.attended(x, r)
			return
		}
	}
	o := origination{
		target: target, from: *x.to.dlg.remoteURI.Clone(), display: x.to.dlg.remoteDisplay,
		ring: cl.core.cfg.NoAnswerTimeout, bridgeTo: x.to,
	}
	if x.referredBy != "" {
		o.headers = []events.HeaderV1{{Name: "Referred-By", Value: x.referredBy}}
	}
	if x.replaces != nil {
		// the dialog to replace is not ours: the target's UA does it
		o.headers = append(o.headers, events.HeaderV1{Name: "Replaces", Value: sanitize(x.replaces.raw)})
	}
	l, err := cl.originate(o)
	if err != nil {
		cl.xferFail(x, 503, "", "target unreachable")
		return
	}
	l.xfer = x
	x.newLeg = l
}

// xferProgress reports a provisional response of the new leg.
func (cl *call) xferProgress(l *leg, code int, reason string) {
	x := l.xfer
	if x == nil || x.done {
		return
	}
	cl.emit(events.TypeTransferProgressV1, x.from.id, &events.TransferProgressV1{TransferID: x.id, NewLegID: l.id, Code: code})
	cl.xferNotify(x, code, reason, false, nil)
}

// xferBridged: the transferee talks to the target. The transferor's leg
// ends (BYE) and the subscription with a 200 in its terminal NOTIFY.
func (cl *call) xferBridged(l *leg) {
	x := l.xfer
	if x == nil || x.done {
		return
	}
	x.done = true
	cl.xfer = nil
	el := time.Since(x.started)
	cl.core.metrics.transfers.WithLabelValues("completed").Inc()
	cl.core.metrics.transferTime.Observe(el.Seconds())
	cl.emit(events.TypeTransferCompletedV1, x.from.id, &events.TransferCompletedV1{TransferID: x.id, NewLegID: l.id, ElapsedMS: el.Milliseconds()})
	cl.log.Info("b2bua: transfer completed", "transfer_id", x.id, "new_leg", l.id, "elapsed_ms", el.Milliseconds())
	cl.tellIdentity(x.to)
	// the transferor's leg ends once its party has the final NOTIFY
	cl.xferNotify(x, 200, "OK", true, func() {
		if x.from.live(cl) {
			cl.sendBye(x.from)
			cl.endLeg(x.from, 200, "transferred")
		}
	})
}

// xferLegEnded: a leg of a transfer in progress ended: the new leg
// (the transfer failed) or the transferee (the new leg is abandoned).
func (cl *call) xferLegEnded(l *leg, code int, reason string) {
	x := cl.xfer
	if x == nil || x.done {
		return
	}
	switch l {
	case x.newLeg:
		if code < 300 {
			code = 500
		}
		cl.xferFail(x, code, "", reason)
	case x.to:
		if n := x.newLeg; n.live(cl) {
			if n.state == legConfirmed {
				cl.sendBye(n)
			} else {
				cl.cancelLeg(n)
			}
		}
		cl.xferFail(x, 487, "", "transferee gone")
	}
}

// xferFail ends a transfer that did not happen: the final NOTIFY carries
// code; the transferee stays with the transferor (rollback), or is hung up
// when the transferor has left.
func (cl *call) xferFail(x *transfer, code int, reason, why string) {
	if x.done {
		return
	}
	x.done = true
	if cl.xfer == x {
		cl.xfer = nil
	}
	if reason == "" {
		reason = reasonPhrase(code)
	}
	cl.core.metrics.transfers.WithLabelValues("failed").Inc()
	cl.xferNotify(x, code, reason, true, nil)
	cl.emit(events.TypeTransferFailedV1, x.from.id, &events.TransferFailedV1{TransferID: x.id, Code: code, Reason: why})
	cl.log.Info("b2bua: transfer failed", "transfer_id", x.id, "code", code, "why", why)
	if cl.state == stEnded || !x.to.live(cl) {
		return
	}
	if x.from.live(cl) {
		cl.emit(events.TypeTransferRolledBackV1, x.from.id, &events.TransferRolledBackV1{TransferID: x.id, Reconnected: x.to.peer == x.from})
		return
	}
	cl.emit(events.TypeTransferRolledBackV1, x.from.id, &events.TransferRolledBackV1{TransferID: x.id})
	cl.sendBye(x.to)
	cl.endLeg(x.to, 200, "transfer failed")
	cl.endIfEmpty()
}

// xferNotify sends a NOTIFY of the refer subscription with a sipfrag of
// the new leg's status (RFC 3515 §2.4.5); then, when set, runs on the
// executor once the NOTIFY is answered or has failed (at once without a
// subscription). Its failures end nothing.
func (cl *call) xferNotify(x *transfer, code int, reason string, final bool, then func()) {
	if then == nil {
		then = func() {}
	}
	d := x.ood
	if d == nil && !x.from.live(cl) {
		then()
		return
	}
	if x.noSub {
		then()
		return
	}
	if d == nil {
		d = &x.from.dlg
	}
	if x.notifying {
		// one NOTIFY at a time, so that they arrive in order
		x.notifyQueue = append(x.notifyQueue, func() { cl.xferNotify(x, code, reason, final, then) })
		return
	}
	x.notifying = true
	after := then
	then = func() {
		x.notifying = false
		after()
		if len(x.notifyQueue) > 0 {
			next := x.notifyQueue[0]
			x.notifyQueue = x.notifyQueue[1:]
			next()
		}
	}
	req := d.request(sipx.NOTIFY)
	req.AppendHeader(x.from.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Event", "refer"))
	state := fmt.Sprintf("active;expires=%d", referSubExpires)
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sipx.NewHeader("Subscription-State", state))
	req.AppendHeader(sipx.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", code, sanitize(reason))))
	tx, err := cl.core.stack.Request(context.Background(), req)
	if err != nil {
		cl.core.metrics.notifyFailed.Inc()
		cl.log.Info("b2bua: refer NOTIFY failed", "transfer_id", x.id, "error", err)
		then()
		return
	}
	go cl.readFinal(tx, func(res *sipx.Response) {
		if res.StatusCode >= 300 {
			cl.core.metrics.notifyFailed.Inc()
			cl.log.Info("b2bua: refer NOTIFY refused; the call goes on", "transfer_id", x.id, "code", res.StatusCode)
		}
		then()
	}, func() {
		cl.core.metrics.notifyFailed.Inc()
		then()
	})
}

// onReferOOD serves a REFER outside any dialog sent to a leg's GRUU
// (RFC 4538): only a party of the dialog its Target-Dialog names may use it
// (RFC 5057 §6), and it is answered in a dialog of its own.
func (c *Core) onReferOOD(in *inbound) {
	u := in.req.Recipient
	if !u.UriParams.Has("gr") || gruu.Kind(u.User) != 'l' {
		c.reject(in, 403, "REFER Outside A Dialog Needs A Leg GRUU")
		return
	}
	ref, err := c.minter.OpenLeg(u.User)
	v, ok := c.legIDs.Load(ref.LegID)
	if err != nil || ref.Node != c.cfg.Node || ref.Gen != c.epoch || !ok {
		c.reject(in, 404, "Not Found")
		return
	}
	l := v.(*leg)
	td := in.req.GetHeader("Target-Dialog")
	if td == nil {
		c.reject(in, 403, "Target-Dialog Required")
		return
	}
	callID, local, remote, ok := parseTargetDialog(td.Value())
	if !ok {
		c.reject(in, 400, "Bad Target-Dialog")
		return
	}
	if !c.postLeg(l, func(cl *call) {
		// the sender's local tag is ours remote, and the other way round
		if l.state == legEnded || callID != l.dlg.callID || local != l.dlg.remoteTag || remote != l.dlg.localTag {
			c.reject(in, 403, "Not A Party Of Target-Dialog")
			return
		}
		tag := sipx.GenerateTag()
		in.req.To().Params.Add("tag", tag)
		d := uasDialog(in.req, tag)
		cl.acceptRefer(l, in, &d)
	}) {
		c.reject(in, 404, "Not Found")
		return
	}
	in.wait()
}

// parseTargetDialog reads Target-Dialog: callid;local-tag=x;remote-tag=y.
func parseTargetDialog(v string) (callID, local, remote string, ok bool) {
	parts := strings.Split(v, ";")
	callID = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "local-tag":
			local = strings.TrimSpace(val)
		case "remote-tag":
			remote = strings.TrimSpace(val)
		}
	}
	return callID, local, remote, callID != "" && local != "" && remote != ""
}
