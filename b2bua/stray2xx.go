package b2bua

import (
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// onStrayResponse gets the responses that match no transaction (sipx). The
// one the core acts on is a 2xx to one of our INVITEs retransmitted after
// its transaction ended (sipx keeps an INVITE client transaction only
// AcceptedLinger after its 2xx): the party did not get our ACK, so the
// leg's ACK goes out again (RFC 3261 §13.2.2.4). The ACK was built for
// that 2xx, so only a 2xx of the leg's own dialog (its To-tag) with the
// CSeq we acknowledged gets it. Everything else is dropped: a 2xx from
// another fork, a late answer to a CANCELled INVITE of a leg long gone, or
// a response to nothing we sent. It runs on the transport's goroutine.
func (c *Core) onStrayResponse(res *sipx.Response) {
	cseq, id, from, to := res.CSeq(), res.CallID(), res.From(), res.To()
	if res.StatusCode < 200 || res.StatusCode >= 300 || cseq == nil || cseq.MethodName != sipx.INVITE ||
		id == nil || from == nil || to == nil {
		c.strayDropped(res, "not a 2xx to an INVITE")
		return
	}
	v, ok := c.legs.Load(dialogKey(id.Value(), sipx.FromTag(from)))
	if !ok {
		c.strayDropped(res, "no such leg")
		return
	}
	l := v.(*leg)
	seq, tag := cseq.SeqNo, sipx.ToTag(to)
	if !c.postLeg(l, func(cl *call) {
		if !l.live(cl) || l.ackSeq != seq || l.dlg.remoteTag != tag {
			c.strayDropped(res, "not the 2xx the leg acknowledged")
			return
		}
		c.metrics.stray.WithLabelValues("ack_resent").Inc()
		cl.resendACK(l)
	}) {
		c.strayDropped(res, "call ended")
	}
}

func (c *Core) strayDropped(res *sipx.Response, why string) {
	c.metrics.stray.WithLabelValues("dropped").Inc()
	var callID string
	if id := res.CallID(); id != nil {
		callID = id.Value()
	}
	c.log.Debug("b2bua: response matches no transaction, dropped", "sip_call_id", callID, "response", res.Short(), "why", why)
}
