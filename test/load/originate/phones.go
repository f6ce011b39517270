package main

import (
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// The handlers below are the two phones. They answer every request as a
// well-behaved phone would, at once (B after its answer delay), and report
// it to its call's goroutine, which judges whether the flow allows it. A
// new INVITE finds its call by its Request-URI user (a-<n>, b-<n>: the
// URIs of the command); requests in a dialog by Call-ID.

// answerSDP is what a phone puts in its 200 to an INVITE carrying offer:
// an offer of its own (sendrecv, version ver) when there is none, else an
// answer with the offer's direction mirrored (inactive stays inactive).
func answerSDP(u *loadkit.UA, offer []byte, ver int) []byte {
	dir := "sendrecv"
	switch o := string(offer); {
	case strings.Contains(o, "a=inactive"):
		dir = "inactive"
	case strings.Contains(o, "a=sendonly"):
		dir = "recvonly"
	case strings.Contains(o, "a=recvonly"):
		dir = "sendonly"
	}
	return u.SDP(ver, dir)
}

// onA serves A: the INVITE of the originated call, the re-INVITE that
// bridges it to B (flow IV), ACKs, BYE, and requests the flow does not
// have.
func (r *run) onA(req *sip.Request, tx sip.ServerTransaction) {
	at := time.Now()
	if req.IsInvite() && loadkit.ToTag(req) == "" {
		x := loadkit.NewCall[*mailbox](&r.users, &r.aCalls, req.Recipient.User, req, tx)
		if x == nil {
			return
		}
		tag := sip.GenerateTagN(12)
		req.To().Params.Add("tag", tag)
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.a.Contact(x.aUser))
		loadkit.SetSDP(res, answerSDP(r.a, req.Body(), 1))
		// reported first: the ACK can overtake this goroutine
		x.push(event{kind: evInvite, role: "A", req: req, tag: tag, at: at, answered: time.Now()})
		_ = r.a.Respond(tx, req, res)
		return
	}
	x := loadkit.Lookup[*mailbox](&r.aCalls, req)
	if x == nil {
		if !req.IsAck() {
			loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.INVITE:
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.a.Contact(x.aUser))
		loadkit.SetSDP(res, answerSDP(r.a, req.Body(), 2))
		x.push(event{kind: evReinvite, role: "A", req: req, at: at, answered: time.Now()})
		_ = r.a.Respond(tx, req, res)
	case sip.ACK:
		x.push(event{kind: evAck, role: "A", req: req, at: at})
	default:
		r.inDialog("A", x, req, tx, at)
	}
}

// onB serves B: the INVITE of the originated call, which it answers (180
// first and its 200 -answer-delay later when that is set), its ACK, BYE.
func (r *run) onB(req *sip.Request, tx sip.ServerTransaction) {
	at := time.Now()
	if req.IsInvite() && loadkit.ToTag(req) == "" {
		x := loadkit.NewCall[*mailbox](&r.users, &r.bCalls, req.Recipient.User, req, tx)
		if x == nil {
			return
		}
		tag := sip.GenerateTagN(12)
		req.To().Params.Add("tag", tag)
		if d := r.cfg.answerDelay; d > 0 {
			ring := sip.NewResponseFromRequest(req, 180, "Ringing", nil)
			ring.AppendHeader(r.b.Contact(x.bUser))
			_ = tx.Respond(ring)
			var once sync.Once
			gone := make(chan struct{})
			if !tx.OnCancel(func(*sip.Request) { once.Do(func() { close(gone) }) }) {
				once.Do(func() { close(gone) })
			}
			select {
			case <-time.After(d):
			case <-gone:
			case <-tx.Done():
			}
			select {
			case <-gone:
				x.push(event{kind: evOther, role: "B", method: sip.CANCEL, req: req, at: time.Now()})
				return
			default:
			}
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(r.b.Contact(x.bUser))
		loadkit.SetSDP(res, answerSDP(r.b, req.Body(), 1))
		x.push(event{kind: evInvite, role: "B", req: req, tag: tag, at: at, answered: time.Now()})
		_ = r.b.Respond(tx, req, res)
		return
	}
	x := loadkit.Lookup[*mailbox](&r.bCalls, req)
	if x == nil {
		if !req.IsAck() {
			loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.ACK:
		x.push(event{kind: evAck, role: "B", req: req, at: at})
	default:
		r.inDialog("B", x, req, tx, at)
	}
}

// inDialog answers the other requests in a dialog: BYE (200), and
// anything else the flow does not have (200 to be a good peer, reported).
func (r *run) inDialog(role string, x *mailbox, req *sip.Request, tx sip.ServerTransaction, at time.Time) {
	switch req.Method {
	case sip.BYE:
		loadkit.Reply(tx, req, 200, "OK")
		x.push(event{kind: evBye, role: role, req: req, at: at})
	case sip.CANCEL:
		// a CANCEL that matched no INVITE transaction
		loadkit.Reply(tx, req, 481, "Call/Transaction Does Not Exist")
		x.push(event{kind: evOther, role: role, method: req.Method, req: req, at: at})
	default:
		u := r.a
		if role == "B" {
			u = r.b
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if req.IsInvite() {
			res.AppendHeader(u.Contact(role))
			loadkit.SetSDP(res, answerSDP(u, req.Body(), 3))
			_ = u.Respond(tx, req, res)
		} else {
			_ = tx.Respond(res)
		}
		x.push(event{kind: evOther, role: role, method: req.Method, req: req, at: at})
	}
}
