package b2bua

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// phoneReferLife bounds how long a click-to-dial REFER's subscription is
// kept without a terminal NOTIFY.
const phoneReferLife = 5 * time.Minute

// phoneRefer is a REFER Tandem sent to a registered phone outside any
// dialog (click-to-dial, RFC 3515 with the registrar's GRUUs): its own
// dialog with one usage, the refer subscription, whose NOTIFYs become
// transfer events of no call.
type phoneRefer struct {
	core  *Core
	id    string
	dlg   dialog
	ex    serial
	seq   uint64
	timer *time.Timer
	done  bool
}

// ReferPhone asks a registered phone (an AOR: its preferred contact; a
// GRUU: that instance) to call target, by a REFER outside any dialog. It
// returns once the phone accepted it; the phone's NOTIFYs follow as events.
//
// With req.NoSubscription the REFER asks for no subscription (Refer-Sub:
// false, RFC 4488); a 2xx carrying Refer-Sub: false ends the refer at once,
// with a single transfer_requested event (no_subscription true). With
// req.Fallback "originate", a phone that answers 405, 420, 489 or 501
// (cannotTakeRefer) is called instead (originateForRefer).
func (c *Core) ReferPhone(ctx context.Context, req events.PhonesReferRequestV1) (events.PhonesReferReplyV1, error) {
	var rep events.PhonesReferReplyV1
	if c.registrar == nil {
		return rep, events.NewError(events.ErrConflict, "no registrar: phones.refer reaches registered phones only")
	}
	if req.Fallback != events.ReferFallbackNone && req.Fallback != events.ReferFallbackOriginate {
		return rep, events.NewError(events.ErrBadRequest, "fallback %q: want %q or none", req.Fallback, events.ReferFallbackOriginate)
	}
	phone, err := commandURI("phone", req.Phone)
	if err != nil {
		return rep, err
	}
	target, err := commandURI("target", req.Target)
	if err != nil {
		return rep, err
	}
	from := sipx.Uri{Scheme: "sip", User: "tandem", Host: c.stack.Host()}
	if req.From != "" {
		if from, err = commandURI("from", req.From); err != nil {
			return rep, err
		}
	}
	t, res, done := c.resolve(ctx, phone)
	if done || len(t.Bindings) == 0 {
		code := res.Code
		if code == 0 {
			code = 404
		}
		return rep, events.NewError(events.ErrConflict, "phone %s is not registered here (%d)", phone.String(), code)
	}
	contact, err := sipx.ParseURI(t.Bindings[0].Contact)
	if err != nil {
		return rep, events.NewError(events.ErrInternal, "binding contact %q: %v", t.Bindings[0].Contact, err)
	}
	transport := "UDP"
	if tp, ok := contact.UriParams.Get("transport"); ok && tp != "" {
		transport = strings.ToUpper(tp)
	}
	to := *phone.Clone()
	to.UriParams, to.Headers = nil, nil
	p := &phoneRefer{core: c, id: newTransferID()}
	p.dlg = dialog{
		callID: newCallID() + "@tandem", localTag: sipx.GenerateTag(), localURI: from,
		remoteURI: to, remoteTarget: contact, transport: transport,
	}
	r := p.dlg.request(sipx.REFER)
	ct := sipx.ContactHeader{Address: sipx.Uri{Scheme: "sip", User: "tandem", Host: c.stack.Host(), Port: c.stack.Port()}}
	r.AppendHeader(&ct)
	r.AppendHeader(sipx.NewHeader("Refer-To", "<"+target.String()+">"))
	r.AppendHeader(sipx.NewHeader("Referred-By", "<"+from.String()+">"))
	if req.NoSubscription {
		r.AppendHeader(sipx.NewHeader("Refer-Sub", "false"))
		r.AppendHeader(sipx.NewHeader("Supported", "norefersub"))
	}
	c.phoneRefers.Store(p.dlg.key(), p)
	tx, err := c.stack.Request(context.Background(), r)
	if err != nil {
		c.phoneRefers.Delete(p.dlg.key())
		return rep, events.NewError(events.ErrInternal, "REFER to %s: %v", contact.String(), err)
	}
	var final *sipx.Response
	for final == nil {
		select {
		case rs := <-tx.Responses():
			if rs.StatusCode >= 200 {
				final = rs
			}
		case <-tx.Done():
			c.phoneRefers.Delete(p.dlg.key())
			return rep, events.NewError(events.ErrConflict, "phone %s did not answer the REFER", phone.String())
		case <-ctx.Done():
			c.phoneRefers.Delete(p.dlg.key())
			go drain(tx)
			return rep, ctx.Err()
		}
	}
	if final.StatusCode >= 300 {
		c.phoneRefers.Delete(p.dlg.key())
		refused := events.NewError(events.ErrConflict, "phone %s answered the REFER with %d %s", phone.String(), final.StatusCode, final.Reason)
		if req.Fallback != events.ReferFallbackOriginate || !cannotTakeRefer(final.StatusCode) {
			return rep, refused
		}
		c.log.Info("b2bua: click-to-dial REFER refused; calling the phone instead",
			"phone", phone.String(), "code", final.StatusCode, "contact", contact.String(), "target", target.String())
		callID, aLeg, err := c.originateForRefer(ctx, req.Controller, phone, contact, target, from)
		if err != nil {
			return rep, fallbackError(refused, err)
		}
		rep.Mode, rep.CallID, rep.ALegID, rep.ReferRefused = events.ReferModeOriginate, callID, aLeg, final.StatusCode
		return rep, nil
	}
	rep.Mode, rep.ReferID = events.ReferModeRefer, p.id
	if noReferSub(final) {
		// RFC 4488: no subscription, so no NOTIFY will come; the refer
		// ends here, findable no more
		c.phoneRefers.Delete(p.dlg.key())
		rep.NoSubscription = true
		p.ex.post(func() {
			c.metrics.transfers.WithLabelValues("referred").Inc()
			p.emit(events.TypeTransferRequestedV1, &events.TransferRequestedV1{TransferID: p.id, ReferTo: target.String(), Kind: "click_to_dial", NoSubscription: true})
			p.end()
		})
		c.log.Info("b2bua: click-to-dial REFER accepted without a subscription", "refer_id", p.id, "phone", phone.String(), "target", target.String())
		return rep, nil
	}
	p.ex.post(func() {
		p.dlg.confirmUAC(final)
		c.metrics.transfers.WithLabelValues("referred").Inc()
		p.emit(events.TypeTransferRequestedV1, &events.TransferRequestedV1{TransferID: p.id, ReferTo: target.String(), Kind: "click_to_dial"})
		p.timer = time.AfterFunc(phoneReferLife, func() { p.ex.post(func() { p.end() }) })
	})
	c.log.Info("b2bua: click-to-dial REFER accepted", "refer_id", p.id, "phone", phone.String(), "target", target.String())
	return rep, nil
}

// OpenPhoneRefers is the number of click-to-dial REFERs whose subscription
// is still open (accepted, no terminal NOTIFY yet), or whose answer is
// awaited.
func (c *Core) OpenPhoneRefers() int {
	n := 0
	c.phoneRefers.Range(func(any, any) bool { n++; return true })
	return n
}

// onNotify serves a NOTIFY of the phone's refer subscription.
func (p *phoneRefer) onNotify(in *inbound) {
	c := p.core
	if p.done || in.req.Method != sipx.NOTIFY || !strings.EqualFold(headerValue(in.req, "Event"), "refer") {
		c.reject(in, 481, "Subscription Does Not Exist")
		return
	}
	in.send(c.response(in.req, 200, "OK", nil))
	code := sipfragCode(in.req.Body())
	final := strings.HasPrefix(strings.ToLower(headerValue(in.req, "Subscription-State")), "terminated")
	switch {
	case code >= 100 && code < 200:
		p.emit(events.TypeTransferProgressV1, &events.TransferProgressV1{TransferID: p.id, Code: code})
	case code >= 200 && code < 300:
		c.metrics.transfers.WithLabelValues("completed").Inc()
		p.emit(events.TypeTransferCompletedV1, &events.TransferCompletedV1{TransferID: p.id})
		final = true
	case code >= 300:
		c.metrics.transfers.WithLabelValues("failed").Inc()
		p.emit(events.TypeTransferFailedV1, &events.TransferFailedV1{TransferID: p.id, Code: code, Reason: "the call failed"})
		final = true
	}
	if final {
		p.end()
	}
}

// end forgets the subscription.
func (p *phoneRefer) end() {
	if p.done {
		return
	}
	p.done = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.core.phoneRefers.Delete(p.dlg.key())
}

// emit stamps a click-to-dial event (no call; leg_id the refer id; seq its
// own counter) and hands it to the sink.
func (p *phoneRefer) emit(typ string, ev events.Event) {
	p.seq++
	env := ev.Env()
	env.Type = typ
	env.ID = fmt.Sprintf("%s-%d", p.id, p.seq)
	env.Time = time.Now().UTC()
	env.Node = p.core.cfg.Node
	env.LegID = p.id
	env.Seq = p.seq
	p.core.sink.Publish(ev)
}
