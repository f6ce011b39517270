package main

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// The handlers below are the three phones. They answer every request as a
// well-behaved phone would, at once (C after its answer delay), and report
// it to its transfer's goroutine, which judges whether the flow allows it.
// A new INVITE finds its transfer by its From user (A's, which Tandem
// carries to B and C); requests in a dialog by Call-ID.

// onA serves A: the re-INVITE that bridges it to C, ACKs, and requests
// the flow does not have.
func (r *run) onA(req *sip.Request, tx sip.ServerTransaction) {
	at := time.Now()
	x := loadkit.Lookup[*xfer](&r.aCalls, req)
	if x == nil {
		if !req.IsAck() {
			loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.INVITE:
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.a.Contact(x.user))
		loadkit.SetSDP(res, r.a.SDP(1, "sendrecv"))
		// reported first: the ACK can overtake this goroutine
		x.push(event{kind: evReinvite, role: "A", req: req, at: at})
		_ = r.a.Respond(tx, req, res)
	case sip.ACK:
		x.push(event{kind: evAck, role: "A", req: req, at: at})
	default:
		r.inDialog("A", x, req, tx, at)
	}
}

// onB serves B: the call from A, which it answers at once, and then
// NOTIFYs and the BYE that ends its part.
func (r *run) onB(req *sip.Request, tx sip.ServerTransaction) {
	at := time.Now()
	if req.IsInvite() && loadkit.ToTag(req) == "" {
		x := loadkit.NewCall[*xfer](&r.users, &r.bCalls, fromUser(req), req, tx)
		if x == nil {
			return
		}
		tag := sip.GenerateTagN(12)
		req.To().Params.Add("tag", tag)
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.b.Contact("b"))
		loadkit.SetSDP(res, r.b.SDP(1, "sendrecv"))
		x.push(event{kind: evInvite, role: "B", req: req, tag: tag, at: at})
		_ = r.b.Respond(tx, req, res)
		return
	}
	x := loadkit.Lookup[*xfer](&r.bCalls, req)
	if x == nil {
		if !req.IsAck() {
			loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.ACK:
		x.push(event{kind: evAck, role: "B", req: req, at: at})
	case sip.NOTIFY:
		loadkit.Reply(tx, req, 200, "OK")
		x.push(event{kind: evNotify, role: "B", req: req, at: at})
	default:
		r.inDialog("B", x, req, tx, at)
	}
}

// onC serves C, the transfer target: it rings, answers with an offer
// after the answer delay, takes the ACK with A's answer, then A's BYE.
func (r *run) onC(req *sip.Request, tx sip.ServerTransaction) {
	at := time.Now()
	if req.IsInvite() && loadkit.ToTag(req) == "" {
		x := loadkit.NewCall[*xfer](&r.users, &r.cCalls, fromUser(req), req, tx)
		if x == nil {
			return
		}
		tag := sip.GenerateTagN(12)
		req.To().Params.Add("tag", tag)
		var cancelled atomic.Bool
		gone := make(chan struct{})
		var once sync.Once
		if !tx.OnCancel(func(*sip.Request) {
			cancelled.Store(true)
			once.Do(func() { close(gone) })
		}) {
			cancelled.Store(true)
		}
		x.push(event{kind: evInvite, role: "C", req: req, tag: tag, at: at})
		ring := sip.NewResponseFromRequest(req, 180, "Ringing", nil)
		ring.AppendHeader(r.c.Contact("c"))
		_ = tx.Respond(ring)
		if d := r.cfg.answerDelay; d > 0 {
			select {
			case <-time.After(d):
			case <-gone:
			case <-tx.Done():
			}
		}
		if cancelled.Load() {
			x.push(event{kind: evCancel, role: "C", req: req, at: time.Now()})
			return
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.c.Contact("c"))
		loadkit.SetSDP(res, r.c.SDP(1, "sendrecv"))
		x.push(event{kind: evAnswered, role: "C", at: time.Now()})
		_ = r.c.Respond(tx, req, res)
		return
	}
	x := loadkit.Lookup[*xfer](&r.cCalls, req)
	if x == nil {
		if !req.IsAck() {
			loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.ACK:
		x.push(event{kind: evAck, role: "C", req: req, at: at})
	default:
		r.inDialog("C", x, req, tx, at)
	}
}

// inDialog answers the other requests in a dialog: BYE (200), and
// anything else the flow does not have (200 to be a good peer, reported).
func (r *run) inDialog(role string, x *xfer, req *sip.Request, tx sip.ServerTransaction, at time.Time) {
	switch req.Method {
	case sip.BYE:
		loadkit.Reply(tx, req, 200, "OK")
		x.push(event{kind: evBye, role: role, req: req, at: at})
	case sip.CANCEL:
		// a CANCEL that matched no INVITE transaction
		loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		x.push(event{kind: evOther, role: role, method: req.Method, req: req, at: at})
	default:
		u := map[string]*loadkit.UA{"A": r.a, "B": r.b, "C": r.c}[role]
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if req.IsInvite() {
			res.AppendHeader(u.Contact(role))
			loadkit.SetSDP(res, u.SDP(1, "sendrecv"))
			_ = u.Respond(tx, req, res)
		} else {
			_ = tx.Respond(res)
		}
		x.push(event{kind: evOther, role: role, method: req.Method, req: req, at: at})
	}
}

// fromUser is the user of req's From, which for a new INVITE names its
// transfer (A's, which Tandem carries to B and C); "" without a From.
func fromUser(req *sip.Request) string {
	if f := req.From(); f != nil {
		return f.Address.User
	}
	return ""
}
