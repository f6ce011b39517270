package b2bua

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// Subscriptions a plugin serves: the SUBSCRIBE decision.
//
// An out-of-dialog SUBSCRIBE whose event package is not reg (reg is the
// registrar's, regsub.go) is asked on events.DecideSubscribe when the
// core's RouteDecider is also a SubscribeDecider, within RouteDeadline.
// Before asking, the core assigns the subscription an id ("s" and 16 hex
// digits) and sends it as the request's LegID, so the plugin can NOTIFY
// the moment it has accepted: NOTIFYs that come before the core has acted
// on the answer wait for it.
//
//   - No decider, no answer in time, an invalid answer or "default": 489
//     Bad Event, as without plugins. "reject": the decision's code and
//     reason. A SUBSCRIBE without an Event header is never asked (489);
//     a bad Expires gets 400; while the node drains, 503.
//   - "accept": 200 OK with a To-tag, our Contact (a GRUU minted for the
//     subscription) and Expires: the smallest of what was asked (3600 s
//     when the SUBSCRIBE says nothing), the decision's Expires (when not
//     0) and plugSubMax (3600 s). The subscription is its own dialog with
//     one SUBSCRIBE usage (DESIGN.md §3); INVITE or REFER in it, or a
//     SUBSCRIBE of another event package, get 603; other methods 405.
//     Event tandem.subscription.v1.created follows.
//   - The plugin sends NOTIFYs with legs.request (Core.SendRequest) naming
//     the subscription id; only NOTIFY is allowed. The core fills in the
//     dialog's headers and Contact; the plugin gives Subscription-State,
//     the body and its Content-Type. When it leaves them out the core adds
//     Event (the SUBSCRIBE's) and Subscription-State ("active;expires=<seconds
//     left>"). RFC 6665 wants a NOTIFY right after every accepted SUBSCRIBE,
//     refreshes included: that NOTIFY is the plugin's.
//   - A refresh (in-dialog SUBSCRIBE) gets 200 and event refreshed; the
//     decision's Expires still caps it. The subscriber's Contact becomes the
//     remote target.
//   - It ends (event tandem.subscription.v1.ended, with a reason) when:
//     it expires: the core sends a body-less NOTIFY
//     "terminated;reason=timeout" (expired); the plugin's NOTIFY says
//     terminated (terminated); a NOTIFY fails in a way that destroys the
//     usage or the dialog (RFC 5057 §5.1 through Classify: 481, 408, a
//     timeout...; failed, with the code), and no further NOTIFY is sent; the
//     node shuts down (shutdown): nothing is sent, a terminal NOTIFY is not
//     the core's business for a plugin's package (the subscriber's own
//     expiry ends it on its side). A request in its dialog then gets 481, a
//     NOTIFY command ErrUnknownLeg.
//   - Unsubscribe (in-dialog SUBSCRIBE with Expires: 0) and fetch (the first
//     SUBSCRIBE with Expires: 0): 200 with Expires: 0, then event refreshed
//     (or created) with expires 0. The subscription stays for one last
//     NOTIFY from the plugin, for plugSubCloseGrace (2 s); that NOTIFY ends
//     it whatever its Subscription-State says (the core says
//     "terminated;reason=timeout" when the plugin says nothing). Without one
//     in time, the core sends a body-less "terminated;reason=timeout". The
//     ended event says unsubscribed (or expired, for a fetch).
//
// A plugSub's state is owned by its serial executor; the core finds it by
// dialog (plugSubs) and by id (plugSubIDs) while it lives.

// SubscribeDecider answers the SUBSCRIBE decision: whether a plugin takes a
// new SUBSCRIBE of an event package the core does not serve itself. The
// core looks for it on its RouteDecider by type assertion (natsapi.API is
// both). Subscribe is called on the SUBSCRIBE's handler goroutine and must
// return by ctx's deadline; an error or an ActionDefault answer makes the
// core answer as it does without plugins (489 Bad Event).
type SubscribeDecider interface {
	Subscribe(ctx context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error)
}

// Plugin subscription limits.
const (
	// plugSubDefault is the expiry of a SUBSCRIBE without Expires (RFC 6665
	// §4.1.2.1 leaves the default to the package; we pick one for all).
	plugSubDefault = time.Hour
	// plugSubMax caps every expiry granted.
	plugSubMax = time.Hour
	// plugSubCloseGrace is how long an unsubscribed or fetched
	// subscription waits for the plugin's last NOTIFY.
	plugSubCloseGrace = 2 * time.Second
)

// plugSubState is where a plugin subscription is in its life.
type plugSubState int

const (
	psPending plugSubState = iota // the plugin is being asked
	psActive                      // accepted, until its expiry
	psClosing                     // expires 0: waiting for the last NOTIFY
	psEnded
)

// plugSub is a dialog carrying one SUBSCRIBE usage for an event package a
// plugin serves, Tandem the notifier. Every field but core, id, log and ex
// is owned by ex.
type plugSub struct {
	core *Core
	id   string
	log  *slog.Logger
	ex   serial

	state   plugSubState
	pkg     string // the event package
	event   string // the SUBSCRIBE's Event header value, repeated on NOTIFYs
	dlg     dialog
	contact sipx.ContactHeader
	// maxExpires caps every grant: plugSubMax, or less if the plugin said so.
	maxExpires time.Duration
	expires    time.Time
	timer      *time.Timer
	gen        uint64 // counts the timers set; a stale timer's closure sees a newer gen
	// closeReason is the ended reason once a closing subscription ends.
	closeReason string
	// waiting are NOTIFYs the plugin sent while pending.
	waiting []func()
	seq     uint64 // the subscription's event counter
}

func newSubID() string { return fmt.Sprintf("s%016x", rand.Uint64()) }

// onPlugSubscribe serves an out-of-dialog SUBSCRIBE for a package a plugin
// may serve. false: nobody took it (no decider, package reg or none, no
// answer, default); the caller answers as without plugins.
func (c *Core) onPlugSubscribe(in *inbound) bool {
	dec, ok := c.decider.(SubscribeDecider)
	if !ok {
		return false
	}
	req := in.req
	event := eventHeader(req)
	pkg := eventPackage(event)
	if pkg == "" || strings.EqualFold(pkg, "reg") {
		return false
	}
	asked, ok := askedExpiry(req)
	if !ok {
		c.reject(in, 400, "Bad Expires")
		return true
	}
	if c.draining.Load() {
		c.reject(in, 503, "Shutting Down")
		return true
	}
	s := &plugSub{core: c, id: newSubID(), pkg: pkg, event: event, maxExpires: plugSubMax}
	s.log = c.log.With("sub_id", s.id, "event", pkg)
	c.plugSubIDs.Store(s.id, s)

	sr := events.SubscribeRequestV1{
		Event:      pkg,
		RequestURI: req.Recipient.String(),
		From:       req.From().Address.String(),
		To:         req.To().Address.String(),
		Source:     req.Source(),
		Expires:    int(asked / time.Second),
		Accept:     headerValues(req, "Accept"),
	}
	sr.Type, sr.Node, sr.LegID, sr.Time = events.TypeSubscribeRequestV1, c.cfg.Node, s.id, time.Now().UTC()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RouteDeadline)
	d, err := dec.Subscribe(ctx, sr)
	cancel()
	switch {
	case err != nil:
		s.log.Debug("b2bua: no subscribe decision from plugins", "error", err)
	case d.Action == events.ActionReject:
		s.ex.post(s.abandon)
		c.reject(in, d.Code, d.Reason)
		return true
	case d.Action == events.ActionAccept:
		if !s.ex.post(func() { s.accept(in, asked, d.Expires) }) {
			c.reject(in, 503, "Shutting Down") // ended while asking
			return true
		}
		in.wait()
		return true
	}
	s.ex.post(s.abandon)
	return false
}

// abandon forgets a subscription nobody accepted; NOTIFYs that waited for
// it fail.
func (s *plugSub) abandon() {
	if s.state != psPending {
		return
	}
	s.state = psEnded
	s.core.plugSubIDs.Delete(s.id)
	s.ex.close()
	s.flushWaiting()
}

// flushWaiting runs the NOTIFYs that came while pending, now that the
// subscription is active (they are sent) or over (they fail).
func (s *plugSub) flushWaiting() {
	w := s.waiting
	s.waiting = nil
	for _, f := range w {
		f()
	}
}

// accept answers the SUBSCRIBE 200, granting at most asked, and at most
// capSecs seconds for the subscription's whole life when not 0.
func (s *plugSub) accept(in *inbound, asked time.Duration, capSecs int) {
	c := s.core
	if s.state != psPending {
		c.reject(in, 503, "Shutting Down")
		return
	}
	if capSecs > 0 {
		s.maxExpires = min(s.maxExpires, time.Duration(capSecs)*time.Second)
	}
	req := in.req
	granted := min(asked, s.maxExpires)
	tag := sipx.GenerateTag()
	req.To().Params.Add("tag", tag)
	s.dlg = uasDialog(req, tag)
	s.contact = c.contactFor(s.id, s.id, req.Transport())
	c.plugSubs.Store(s.dlg.key(), s)
	s.answer(in, granted)
	s.emit(events.TypeSubscriptionCreatedV1, &events.SubscriptionCreatedV1{
		Event:      s.pkg,
		RequestURI: req.Recipient.String(),
		From:       req.From().Address.String(),
		To:         req.To().Address.String(),
		SIPCallID:  s.dlg.callID,
		Expires:    int(granted / time.Second),
	})
	s.setExpiry(granted, events.SubscriptionExpired)
	s.flushWaiting()
}

// answer sends 200 to a SUBSCRIBE, granting d.
func (s *plugSub) answer(in *inbound, d time.Duration) {
	res := s.core.response(in.req, 200, "OK", nil)
	res.AppendHeader(s.contact.Clone())
	res.AppendHeader(sipx.NewHeader("Expires", strconv.Itoa(int(d/time.Second))))
	if err := in.send(res); err != nil {
		s.log.Debug("b2bua: SUBSCRIBE response failed", "error", err)
	}
}

// setExpiry starts the subscription's clock: d, or with d 0 the close
// grace, after which it ends with closeReason.
func (s *plugSub) setExpiry(d time.Duration, closeReason string) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.gen++
	gen := s.gen
	wait := d
	if d == 0 {
		s.state, s.closeReason = psClosing, closeReason
		wait = plugSubCloseGrace
	} else {
		s.state = psActive
	}
	s.expires = time.Now().Add(d)
	s.timer = time.AfterFunc(wait, func() {
		s.ex.post(func() {
			if s.gen == gen {
				s.expire()
			}
		})
	})
}

// expire: the subscription's time is up (or the close grace passed
// without the plugin's last NOTIFY). The subscriber hears it from us.
func (s *plugSub) expire() {
	reason := events.SubscriptionExpired
	switch s.state {
	case psClosing:
		reason = s.closeReason
	case psActive:
	default:
		return
	}
	s.sendTerminal()
	s.end(reason, 0)
}

// sendTerminal sends a body-less NOTIFY "terminated;reason=timeout" and
// does not wait for its answer.
func (s *plugSub) sendTerminal() {
	req := s.dlg.request(sipx.NOTIFY)
	req.AppendHeader(s.contact.Clone())
	req.AppendHeader(sipx.NewHeader("Event", s.event))
	req.AppendHeader(sipx.NewHeader("Subscription-State", "terminated;reason=timeout"))
	tx, err := s.core.stack.Request(context.Background(), req)
	if err != nil {
		s.log.Debug("b2bua: terminal NOTIFY failed", "error", err)
		return
	}
	finalOf(tx) // drains the responses
}

// end terminates the subscription (without a NOTIFY) and announces it.
func (s *plugSub) end(reason string, code int) {
	if s.state == psEnded {
		return
	}
	pending := s.state == psPending
	s.state = psEnded
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
	}
	c := s.core
	c.plugSubIDs.Delete(s.id)
	if !pending {
		c.plugSubs.Delete(s.dlg.key())
		s.emit(events.TypeSubscriptionEndedV1, &events.SubscriptionEndedV1{Event: s.pkg, Reason: reason, Code: code})
	}
	s.ex.close()
	s.flushWaiting()
	s.log.Debug("b2bua: subscription ended", "reason", reason, "code", code)
}

// dropPlugSubs ends every plugin subscription, reason shutdown, without a
// NOTIFY. Shutdown is to call it before SIP stops (shutdown.go); without
// that call a subscription outlives a shutdown until its timer fires
// against the closed stack.
func (c *Core) dropPlugSubs() {
	c.plugSubIDs.Range(func(_, v any) bool {
		s := v.(*plugSub)
		s.ex.post(func() { s.end(events.SubscriptionShutdown, 0) })
		return true
	})
}

// onSubDialog serves a request inside the subscription's dialog: a refresh
// or an unsubscribe; a new usage gets 603.
func (s *plugSub) onSubDialog(in *inbound) {
	c := s.core
	if s.state == psEnded || s.state == psPending {
		c.reject(in, 481, "Subscription Does Not Exist")
		return
	}
	if !s.dlg.acceptRemoteSeq(string(in.req.Method), in.req.CSeq().SeqNo) {
		c.reject(in, 500, "CSeq Out of Order")
		return
	}
	switch in.req.Method {
	case sipx.SUBSCRIBE:
		if !sameSubscription(s.event, eventHeader(in.req)) {
			c.reject(in, 603, "Decline") // another subscription in this dialog, RFC 5057 §5
			return
		}
		if s.state == psClosing {
			c.reject(in, 481, "Subscription Does Not Exist")
			return
		}
		asked, ok := askedExpiry(in.req)
		if !ok {
			c.reject(in, 400, "Bad Expires")
			return
		}
		granted := min(asked, s.maxExpires)
		if ct := in.req.Contact(); ct != nil {
			s.dlg.remoteTarget = *ct.Address.Clone() // a target refresh, answered 2xx
		}
		s.answer(in, granted)
		s.emit(events.TypeSubscriptionRefreshedV1, &events.SubscriptionRefreshedV1{Event: s.pkg, Expires: int(granted / time.Second)})
		s.setExpiry(granted, events.SubscriptionUnsubscribed)
	case sipx.INVITE, sipx.REFER:
		c.reject(in, 603, "Decline") // a second usage in this dialog, RFC 5057 §5
	default:
		c.reject(in, 405, "Method Not Allowed")
	}
}

// request sends a plugin's request on the subscription (Core.SendRequest
// with a subscription id): NOTIFY only. headers carry Content-Type when
// there is a body. It returns the subscriber's final code (CodeTimeout
// without one).
func (s *plugSub) request(ctx context.Context, method string, headers []events.HeaderV1, body []byte) (int, string, error) {
	if method != "NOTIFY" {
		return 0, "", events.NewError(events.ErrBadRequest, "subscription %s takes NOTIFY only, not %s", s.id, method)
	}
	type result struct {
		code   int
		reason string
		err    error
	}
	resc := make(chan result, 1)
	reply := func(code int, reason string, err error) {
		select {
		case resc <- result{code, reason, err}:
		default:
		}
	}
	if !s.ex.post(func() { s.notify(headers, body, reply) }) {
		return 0, "", events.NewError(events.ErrUnknownLeg, "no subscription %q", s.id)
	}
	select {
	case r := <-resc:
		return r.code, r.reason, r.err
	case <-ctx.Done():
		return 0, "", ctx.Err()
	}
}

// notify sends the plugin's NOTIFY (once accepted) and replies with the
// final response. A terminated Subscription-State, or any NOTIFY of a
// closing subscription, ends it as it leaves; a failure that destroys the
// usage or the dialog ends it when it comes, before the reply.
func (s *plugSub) notify(headers []events.HeaderV1, body []byte, reply func(int, string, error)) {
	switch s.state {
	case psPending:
		s.waiting = append(s.waiting, func() { s.notify(headers, body, reply) })
		return
	case psEnded:
		reply(0, "", events.NewError(events.ErrUnknownLeg, "no subscription %q", s.id))
		return
	}
	req := s.dlg.request(sipx.NOTIFY)
	req.AppendHeader(s.contact.Clone())
	hasEvent, state := false, ""
	for _, h := range headers {
		switch strings.ToLower(strings.TrimSpace(h.Name)) {
		case "event", "o":
			hasEvent = true
		case "subscription-state":
			state = h.Value
		}
		req.AppendHeader(sipx.NewHeader(sanitize(h.Name), sanitize(h.Value)))
	}
	if !hasEvent {
		req.AppendHeader(sipx.NewHeader("Event", s.event))
	}
	if state == "" {
		state = s.defaultState(time.Now())
		req.AppendHeader(sipx.NewHeader("Subscription-State", state))
	}
	if len(body) > 0 {
		req.SetBody(body)
	}
	tx, err := s.core.stack.Request(context.Background(), req)
	if err != nil {
		s.end(events.SubscriptionFailed, 408)
		reply(CodeTimeout, err.Error(), nil)
		return
	}
	switch {
	case s.state == psClosing:
		s.end(s.closeReason, 0)
	case isTerminated(state):
		s.end(events.SubscriptionTerminated, 0)
	}
	final := finalOf(tx)
	go func() {
		code, reason := CodeTimeout, "timeout"
		if res, ok := <-final; ok && res != nil {
			code, reason = res.StatusCode, res.Reason
		}
		done := func() {
			if code >= 300 || code == CodeTimeout {
				if Classify("NOTIFY", code) != ScopeTransaction {
					s.end(events.SubscriptionFailed, wireCode(code))
				}
			}
			reply(code, reason, nil)
		}
		if !s.ex.post(done) {
			reply(code, reason, nil) // already over
		}
	}()
}

// defaultState is the Subscription-State of a NOTIFY whose plugin gave
// none.
func (s *plugSub) defaultState(now time.Time) string {
	if s.state == psClosing {
		return "terminated;reason=timeout"
	}
	left := int(s.expires.Sub(now).Round(time.Second) / time.Second)
	return "active;expires=" + strconv.Itoa(max(left, 0))
}

// emit stamps a subscription event's envelope (no call; leg_id the
// subscription's id; seq its own counter) and hands it to the sink.
func (s *plugSub) emit(typ string, ev events.Event) {
	s.seq++
	env := ev.Env()
	env.Type = typ
	env.ID = fmt.Sprintf("%s-%d", s.id, s.seq)
	env.Time = time.Now().UTC()
	env.Node = s.core.cfg.Node
	env.LegID = s.id
	env.Seq = s.seq
	s.core.sink.Publish(ev)
}

// wireCode is a failure code as events carry it: 408 for a timeout.
func wireCode(code int) int {
	if code == CodeTimeout {
		return 408
	}
	return code
}

// eventHeader is a request's Event header value ("" without one).
func eventHeader(req *sipx.Request) string {
	for _, n := range []string{"Event", "o"} {
		if h := req.GetHeader(n); h != nil {
			return strings.TrimSpace(h.Value())
		}
	}
	return ""
}

// eventPackage is the package of an Event header value: "conference" of
// "conference;id=7".
func eventPackage(event string) string {
	pkg, _, _ := strings.Cut(event, ";")
	return strings.TrimSpace(pkg)
}

// eventID is the id parameter of an Event header value ("" without one).
func eventID(event string) string {
	_, params, _ := strings.Cut(event, ";")
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "id") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// sameSubscription reports whether two Event header values name the same
// subscription: the same package and id (RFC 6665 §4.1.2.2).
func sameSubscription(a, b string) bool {
	return eventPackage(a) == eventPackage(b) && eventID(a) == eventID(b)
}

// isTerminated reports whether a Subscription-State value is terminated.
func isTerminated(state string) bool {
	v, _, _ := strings.Cut(state, ";")
	return strings.EqualFold(strings.TrimSpace(v), "terminated")
}

// askedExpiry is the expiry a SUBSCRIBE asks for: its Expires, else
// plugSubDefault; false when Expires is not a number of seconds.
func askedExpiry(req *sipx.Request) (time.Duration, bool) {
	h := req.GetHeader("Expires")
	if h == nil {
		return plugSubDefault, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// headerValues joins the values of every header name of req with ", ".
func headerValues(req *sipx.Request, name string) string {
	var vs []string
	for _, h := range req.GetHeaders(name) {
		vs = append(vs, h.Value())
	}
	return strings.Join(vs, ", ")
}
