package b2bua

import (
	"strings"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// sipgo hands every response it reads to its transaction on a goroutine of
// its own: a 18x followed at once by the 2xx (an auto-answering phone, an
// IVR) often reaches the INVITE transaction after the 2xx and is dropped
// there, so the caller would never hear the ringing nor the transfer's
// NOTIFY 180 be sent. The UDP guard hands us each 18x to an INVITE as it is
// read (in order, before sipgo sees it); we keep the last one of each of
// our INVITEs until its final response, and act on it before that final
// response when the transaction never delivered it.

// keepProvisional keeps the last 18x to one of our INVITEs (on the socket
// reading goroutine: a map store only).
func (c *Core) keepProvisional(res *sipx.Response) {
	id := res.CallID()
	if id == nil || !strings.HasSuffix(id.Value(), "@tandem") {
		return // not a B leg of ours
	}
	c.late18x.Store(id.Value(), res)
}

// missedProvisional returns the 18x read for leg l's INVITE that the
// transaction did not deliver, if any, and forgets it. Called with the
// final response, before acting on it.
func (c *Core) missedProvisional(l *leg, final *sipx.Response) *sipx.Response {
	v, ok := c.late18x.LoadAndDelete(l.dlg.callID)
	if !ok || l.saw18x {
		return nil
	}
	res := v.(*sipx.Response)
	if res.CSeq() == nil || final.CSeq() == nil || res.CSeq().SeqNo != final.CSeq().SeqNo {
		return nil
	}
	c.metrics.late18x.Inc()
	return res
}
