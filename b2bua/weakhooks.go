package b2bua

import (
	"time"
	"weak"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// Hooks outlive their calls. On UDP sipgo keeps an INVITE transaction for
// 64×T1 (32 s) after its 2xx to absorb retransmissions (RFC 6026 Timers L
// and M), and with it the hooks we gave it; a stopped timer stays in the
// runtime's timer heap, with its function, until its deadline comes up or
// the runtime sweeps its stopped timers (when they are a quarter of the
// heap), so a stopped max_call_duration timer can outlive its call by hours.
// A hook or timer function that held its call or leg would keep the whole
// ended call (legs, dialogs, SDP, requests) in memory that long: at 300
// calls/s about 9,600 ended calls, a quarter of a gigabyte for the garbage
// collector to mark again and again. So these hold calls and legs weakly:
// while a call lives the core's indexes keep it and the hook acts; once it
// has ended and been collected, a late retransmission or a stale timer
// finds nothing to do. For the same reason no request or response we send
// points into a leg (its Contact is a copy, see leg.contact).

// resendACKOn2xx re-sends l's ACK when tx, the INVITE that l's ACK
// acknowledges, sees its 2xx again.
func (c *Core) resendACKOn2xx(tx sipx.ClientTransaction, l *leg) {
	w := weak.Make(l)
	tx.OnRetransmission(func(res *sipx.Response) {
		if res.StatusCode < 200 || res.StatusCode >= 300 {
			return
		}
		if l := w.Value(); l != nil {
			c.postLeg(l, func(cl *call) { cl.resendACK(l) })
		}
	})
}

// onCancel posts cl.onCancel when the caller CANCELs tx, cl's inbound
// INVITE. It reports false if the CANCEL came first (see sipx).
func onCancel(tx sipx.ServerTransaction, cl *call) bool {
	w := weak.Make(cl)
	return tx.OnCancel(func(*sipx.Request) {
		if cl := w.Value(); cl != nil {
			cl.post(cl.onCancel)
		}
	})
}

// afterFunc runs f on cl's executor after d, if cl is still in memory (f
// itself sees whether it has ended). f gets the call as its argument and
// must not capture it.
func (cl *call) afterFunc(d time.Duration, f func(cl *call)) *time.Timer {
	w := weak.Make(cl)
	return time.AfterFunc(d, func() {
		if cl := w.Value(); cl != nil {
			cl.post(func() { f(cl) })
		}
	})
}

// afterFuncLeg runs f on the executor of the call that owns l after d, if
// l is still in memory; f must not capture l or its call.
func (c *Core) afterFuncLeg(d time.Duration, l *leg, f func(cl *call, l *leg)) *time.Timer {
	w := weak.Make(l)
	return time.AfterFunc(d, func() {
		if l := w.Value(); l != nil {
			c.postLeg(l, func(cl *call) { f(cl, l) })
		}
	})
}
