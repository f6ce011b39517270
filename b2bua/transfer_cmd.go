package b2bua

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

func newTransferID() string { return fmt.Sprintf("t%012x", rand.Uint64()&(1<<48-1)) }

// BlindTransfer transfers the party of req.LegID to req.Target: natively
// (a new leg bridged to it, its peer then ends) or by a REFER to the
// party. It returns the transfer id. See events.TransfersBlindRequestV1.
func (c *Core) BlindTransfer(ctx context.Context, req events.TransfersBlindRequestV1) (string, error) {
	target, err := commandURI("target", req.Target)
	if err != nil {
		return "", err
	}
	id := newTransferID()
	err = c.withLeg(ctx, req.LegID, req.Controller, func(cl *call, l *leg, reply func(error)) {
		switch {
		case cl.state != stConnected || l.state != legConfirmed:
			reply(events.NewError(events.ErrConflict, "leg %s is not answered", l.id))
			return
		case cl.xfer != nil || cl.outRefer != nil:
			reply(events.NewError(events.ErrConflict, "a transfer is in progress on call %s", cl.id))
			return
		}
		if req.Mode == events.TransferRefer {
			cl.sendRefer(id, l, "<"+target.String()+">", req.TargetDialog, reply)
			return
		}
		if l.peer == nil || !l.peer.live(cl) {
			reply(events.NewError(events.ErrConflict, "leg %s is talking to nobody: use legs.originate with bridge_to", l.id))
			return
		}
		x := &transfer{id: id, kind: "command", from: l.peer, to: l, target: target, noSub: true, started: time.Now()}
		cl.xfer = x
		c.metrics.transfers.WithLabelValues("accepted").Inc()
		cl.emit(events.TypeTransferRequestedV1, x.from.id, &events.TransferRequestedV1{
			TransferID: id, TargetLegID: l.id, ReferTo: target.String(), Kind: x.kind, NoSubscription: true,
		})
		cl.onReferDecided(x, events.ReferDecisionV1{Action: events.ActionAccept}, nil)
		reply(nil)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// AttendedTransfer joins the peers of two legs of one party and ends the
// two legs: natively by a bridge, or by a REFER with Replaces to the first
// leg's peer's party. See events.TransfersAttendedRequestV1.
func (c *Core) AttendedTransfer(ctx context.Context, req events.TransfersAttendedRequestV1) (string, error) {
	if req.LegID == req.OtherLegID {
		return "", events.NewError(events.ErrBadRequest, "leg_id and other_leg_id are the same leg")
	}
	v, ok := c.legIDs.Load(req.OtherLegID)
	if !ok {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", req.OtherLegID)
	}
	a2 := v.(*leg)
	// what the other leg's call knows: its peer, its dialog, its GRUU
	type other struct {
		peer    *leg
		replace string
	}
	oc := make(chan other, 1)
	if !c.postLeg(a2, func(cl2 *call) {
		o := other{}
		if a2.live(cl2) && cl2.mayControl(req.Controller) == nil && a2.state == legConfirmed {
			o.peer = a2.peer
			rp := a2.dlg.callID + ";to-tag=" + a2.dlg.localTag + ";from-tag=" + a2.dlg.remoteTag
			o.replace = "<" + a2.contact.Address.String() + "?Replaces=" + url.QueryEscape(rp) + ">"
		}
		oc <- o
	}) {
		return "", events.NewError(events.ErrUnknownLeg, "no leg %q", req.OtherLegID)
	}
	var o other
	select {
	case o = <-oc:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if o.peer == nil {
		return "", events.NewError(events.ErrConflict, "leg %s is not answered, not yours, or talks to nobody", req.OtherLegID)
	}
	id := newTransferID()
	err := c.withLeg(ctx, req.LegID, req.Controller, func(cl *call, a1 *leg, reply func(error)) {
		p1 := a1.peer
		switch {
		case cl.state != stConnected || a1.state != legConfirmed || p1 == nil || !p1.live(cl):
			reply(events.NewError(events.ErrConflict, "leg %s is not answered or talks to nobody", a1.id))
			return
		case cl.xfer != nil || cl.outRefer != nil:
			reply(events.NewError(events.ErrConflict, "a transfer is in progress on call %s", cl.id))
			return
		}
		if req.Mode == events.TransferRefer {
			cl.sendRefer(id, p1, o.replace, req.TargetDialog, reply)
			return
		}
		started := time.Now()
		cl.emit(events.TypeTransferRequestedV1, a1.id, &events.TransferRequestedV1{TransferID: id, TargetLegID: p1.id, ReferTo: o.peer.id, Kind: "command"})
		c.bridgeLegs(p1, o.peer, coreController, func(_ string, err error) {
			cl.post(func() {
				if err != nil {
					c.metrics.transfers.WithLabelValues("failed").Inc()
					cl.emit(events.TypeTransferFailedV1, a1.id, &events.TransferFailedV1{TransferID: id, Code: 500, Reason: err.Error()})
					reply(err)
					return
				}
				c.metrics.transfers.WithLabelValues("completed").Inc()
				cl.emit(events.TypeTransferCompletedV1, a1.id, &events.TransferCompletedV1{TransferID: id, NewLegID: o.peer.id, ElapsedMS: time.Since(started).Milliseconds()})
				for _, l := range []*leg{a1, a2} {
					c.postLeg(l, func(lc *call) { lc.hangupLeg(l, "transferred") })
				}
				reply(nil)
			})
		})
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// outRefer is a REFER Tandem sent to a leg's party (transfer commands in
// refer mode); the party's NOTIFYs report the transfer as events.
type outRefer struct {
	id   string
	leg  *leg
	ood  *dialog // the REFER's own dialog (Target-Dialog), nil in-dialog
	call *call
}

// sendRefer asks l's party to call referTo (a Refer-To value): inside l's
// dialog, or out of dialog to its Contact with Target-Dialog. reply gets
// the party's answer to the REFER.
func (cl *call) sendRefer(id string, l *leg, referTo string, targetDialog bool, reply func(error)) {
	c := cl.core
	o := &outRefer{id: id, leg: l, call: cl}
	var req *sipx.Request
	if targetDialog {
		d := dialog{
			callID: newCallID() + "@tandem", localTag: sipx.GenerateTag(),
			localURI: *l.dlg.localURI.Clone(), remoteURI: *l.dlg.remoteURI.Clone(),
			remoteTarget: *l.dlg.remoteTarget.Clone(), transport: l.dlg.transport,
		}
		o.ood = &d
		req = d.request(sipx.REFER)
		req.AppendHeader(sipx.NewHeader("Target-Dialog",
			l.dlg.callID+";local-tag="+l.dlg.localTag+";remote-tag="+l.dlg.remoteTag))
		req.AppendHeader(sipx.NewHeader("Require", "tdialog"))
		c.referOut.Store(d.key(), o)
	} else {
		req = l.dlg.request(sipx.REFER)
	}
	req.AppendHeader(l.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Refer-To", referTo))
	req.AppendHeader(sipx.NewHeader("Referred-By", "<"+l.dlg.localURI.String()+">"))
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		cl.dropOutRefer(o)
		reply(events.NewError(events.ErrInternal, "REFER to leg %s: %v", l.id, err))
		return
	}
	cl.outRefer = o
	go cl.readFinal(tx, func(res *sipx.Response) {
		if res.StatusCode >= 300 {
			cl.dropOutRefer(o)
			reply(events.NewError(events.ErrConflict, "leg %s answered the REFER with %d %s", l.id, res.StatusCode, res.Reason))
			return
		}
		if o.ood != nil {
			o.ood.confirmUAC(res)
		}
		c.metrics.transfers.WithLabelValues("referred").Inc()
		cl.emit(events.TypeTransferRequestedV1, l.id, &events.TransferRequestedV1{
			TransferID: id, TargetLegID: l.id, ReferTo: sanitize(referTo), Kind: "refer_out", NoSubscription: false,
		})
		reply(nil)
	}, func() {
		cl.dropOutRefer(o)
		reply(events.NewError(events.ErrConflict, "leg %s did not answer the REFER", l.id))
	})
}

// dropOutRefer forgets a REFER we sent.
func (cl *call) dropOutRefer(o *outRefer) {
	if cl.outRefer == o {
		cl.outRefer = nil
	}
	if o.ood != nil {
		cl.core.referOut.Delete(o.ood.key())
	}
}

// onReferNotify serves a NOTIFY of the refer subscription of a REFER we
// sent: its sipfrag becomes a transfer event; a terminated one ends it.
func (cl *call) onReferNotify(o *outRefer, in *inbound) {
	c := cl.core
	if cl.outRefer != o || !strings.EqualFold(headerValue(in.req, "Event"), "refer") {
		c.reject(in, 481, "Subscription Does Not Exist")
		return
	}
	in.send(c.response(in.req, 200, "OK", nil))
	code := sipfragCode(in.req.Body())
	final := strings.HasPrefix(strings.ToLower(headerValue(in.req, "Subscription-State")), "terminated")
	l := o.leg
	switch {
	case code >= 100 && code < 200:
		cl.emit(events.TypeTransferProgressV1, l.id, &events.TransferProgressV1{TransferID: o.id, Code: code})
	case code >= 200 && code < 300:
		c.metrics.transfers.WithLabelValues("completed").Inc()
		cl.emit(events.TypeTransferCompletedV1, l.id, &events.TransferCompletedV1{TransferID: o.id})
		final = true
	case code >= 300:
		c.metrics.transfers.WithLabelValues("failed").Inc()
		cl.emit(events.TypeTransferFailedV1, l.id, &events.TransferFailedV1{TransferID: o.id, Code: code, Reason: "refused by the target"})
		final = true
	}
	if final {
		cl.dropOutRefer(o)
	}
}

// sipfragCode reads the status code of a message/sipfrag body
// ("SIP/2.0 180 Ringing"), 0 when it has none.
func sipfragCode(body []byte) int {
	line, _, _ := strings.Cut(string(body), "\n")
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "SIP/") {
		return 0
	}
	n := 0
	for _, r := range f[1] {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	if n < 100 || n > 699 {
		return 0
	}
	return n
}

func headerValue(req *sipx.Request, name string) string {
	if h := req.GetHeader(name); h != nil {
		return strings.TrimSpace(h.Value())
	}
	return ""
}
