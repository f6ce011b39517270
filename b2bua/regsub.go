package b2bua

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// reg event subscription limits (RFC 3680 §5.1 suggests 3761 s).
const (
	regSubDefault = 3761 * time.Second
	regSubMin     = 60 * time.Second
	regSubMax     = 2 * regSubDefault
)

// regSub is a dialog carrying one usage: a subscription to the reg event
// of one AOR, Tandem the notifier (RFC 3680, RFC 5628). It is its own
// dialog, never shared with a call (RFC 5057). Its state is owned by its
// serial executor.
type regSub struct {
	core     *Core
	id       string
	ex       serial
	dlg      dialog
	contact  sipx.ContactHeader
	notifier *registrar.RegEventSubscription
	expires  time.Time
	timer    *time.Timer
	unwatch  func()
	ended    bool
}

// onRegSubscribe serves an out-of-dialog SUBSCRIBE for the reg event.
func (c *Core) onRegSubscribe(in *inbound) {
	req := in.req
	now := time.Now()
	aor, err := registrar.CanonicalAOR(req.Recipient)
	if err != nil || !c.registrar.ServesDomain(req.Recipient.Host) {
		c.reject(in, 404, "Not Found")
		return
	}
	ar := c.registrar.Authenticate(req, now)
	if ar.Code != 0 {
		res := c.response(req, ar.Code, ar.Reason, nil)
		for _, h := range ar.Headers {
			res.AppendHeader(h)
		}
		in.send(res)
		return
	}
	if !c.registrar.MayWatch(ar.User, aor) {
		c.reject(in, 403, "Forbidden")
		return
	}
	d, code := subExpiry(req)
	if code != 0 {
		res := c.response(req, 423, "Interval Too Brief", nil)
		res.AppendHeader(sipx.NewHeader("Min-Expires", strconv.Itoa(int(regSubMin/time.Second))))
		in.send(res)
		return
	}
	s := &regSub{core: c, id: newCallID(), notifier: c.registrar.NewRegEventSubscription(aor)}
	tag := sipx.GenerateTag()
	req.To().Params.Add("tag", tag)
	s.dlg = uasDialog(req, tag)
	s.contact = c.contactFor(s.id, s.id+"-s", req.Transport())
	c.subs.Store(s.dlg.key(), s)
	s.ex.post(func() {
		s.answer(in, d)
		if d == 0 {
			s.end("") // a fetch: one NOTIFY (terminated), then it is over
			return
		}
		s.unwatch = c.regStore.Watch(func(ch registrar.Change) {
			if ch.AOR == aor {
				s.ex.post(func() { s.notifyChange(ch) })
			}
		})
	})
	in.wait()
}

// subExpiry reads the duration asked for: the Expires header, else the
// default; shortened to the maximum; 423 (code) below the minimum but 0.
func subExpiry(req *sipx.Request) (time.Duration, int) {
	d := regSubDefault
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
		if err != nil {
			return 0, 400
		}
		d = time.Duration(n) * time.Second
	}
	if d != 0 && d < regSubMin {
		return 0, 423
	}
	return min(d, regSubMax), 0
}

// answer accepts a SUBSCRIBE (initial or refresh) for d and sends the full
// state (RFC 6665 §4.2.1: every accepted SUBSCRIBE is followed by a
// NOTIFY).
func (s *regSub) answer(in *inbound, d time.Duration) {
	c := s.core
	res := c.response(in.req, 200, "OK", nil)
	res.AppendHeader(s.contact.Clone())
	res.AppendHeader(sipx.NewHeader("Expires", strconv.Itoa(int(d/time.Second))))
	in.send(res)
	s.expires = time.Now().Add(d)
	if s.timer != nil {
		s.timer.Stop()
	}
	if d > 0 {
		s.timer = time.AfterFunc(d, func() { s.ex.post(func() { s.end("timeout") }) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	rec, err := c.regStore.Get(ctx, s.notifier.AOR())
	cancel()
	if err != nil {
		c.log.Warn("b2bua: reg event: store", "aor", s.notifier.AOR(), "error", err)
		return
	}
	body, err := s.notifier.Full(rec, time.Now())
	if err != nil {
		c.log.Warn("b2bua: reg event: document", "aor", s.notifier.AOR(), "error", err)
		return
	}
	state := "active;expires=" + strconv.Itoa(int(d/time.Second))
	if d == 0 {
		state = "terminated;reason=timeout"
	}
	s.notify(state, body)
}

// notifyChange sends the partial state of a change of the AOR.
func (s *regSub) notifyChange(ch registrar.Change) {
	if s.ended {
		return
	}
	body, err := s.notifier.Partial(ch, time.Now())
	if err != nil || body == nil {
		return
	}
	left := int(time.Until(s.expires) / time.Second)
	s.notify("active;expires="+strconv.Itoa(max(left, 0)), body)
}

// notify sends one NOTIFY; a failure that destroys the subscription (481,
// a timeout… RFC 5057 §5.1) ends it.
func (s *regSub) notify(state string, body []byte) {
	c := s.core
	req := s.dlg.request(sipx.NOTIFY)
	req.AppendHeader(s.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Event", "reg"))
	req.AppendHeader(sipx.NewHeader("Subscription-State", state))
	if len(body) > 0 {
		req.AppendHeader(sipx.NewHeader("Content-Type", registrar.RegInfoContentType))
		req.SetBody(body)
	}
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		c.log.Warn("b2bua: reg event NOTIFY failed", "aor", s.notifier.AOR(), "error", err)
		s.end("")
		return
	}
	go func() {
		code := CodeTimeout
		select {
		case res := <-finalOf(tx):
			if res != nil {
				code = res.StatusCode
			}
		case <-tx.Done():
		}
		if code >= 300 || code == CodeTimeout {
			if scope := Classify("NOTIFY", code); scope != ScopeTransaction {
				s.ex.post(func() { s.end("") })
			}
		}
	}()
}

// finalOf delivers a client transaction's final response.
func finalOf(tx sipx.ClientTransaction) <-chan *sipx.Response {
	out := make(chan *sipx.Response, 1)
	go func() {
		for {
			select {
			case res := <-tx.Responses():
				if res.StatusCode >= 200 {
					out <- res
					return
				}
			case <-tx.Done():
				close(out)
				return
			}
		}
	}()
	return out
}

// end terminates the subscription; with a reason, a terminal NOTIFY says
// so first.
func (s *regSub) end(reason string) {
	if s.ended {
		return
	}
	if reason != "" {
		s.notify("terminated;reason="+reason, nil)
	}
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.unwatch != nil {
		s.unwatch()
	}
	s.core.subs.Delete(s.dlg.key())
	s.ex.close()
}

// onSubDialog serves a request inside a subscription dialog: a refresh or
// an unsubscribe; anything else would add a usage (603) or does not
// belong here.
func (s *regSub) onSubDialog(in *inbound) {
	c := s.core
	if s.ended {
		c.reject(in, 481, "Subscription Does Not Exist")
		return
	}
	if !s.dlg.acceptRemoteSeq(string(in.req.Method), in.req.CSeq().SeqNo) {
		c.reject(in, 500, "CSeq Out of Order")
		return
	}
	switch in.req.Method {
	case sipx.SUBSCRIBE:
		d, code := subExpiry(in.req)
		if code != 0 {
			c.reject(in, code, "")
			return
		}
		s.answer(in, d)
		if d == 0 {
			s.end("") // answer's NOTIFY said terminated
		}
	case sipx.INVITE, sipx.REFER:
		c.reject(in, 603, "Decline") // a second usage in this dialog, RFC 5057 §5
	default:
		c.reject(in, 405, "Method Not Allowed")
	}
}

// String names the subscription in logs.
func (s *regSub) String() string { return fmt.Sprintf("reg-sub %s %s", s.id, s.notifier.AOR()) }
