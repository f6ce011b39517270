package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// eventKind is what happened to a transfer: a response to one of its
// requests, or a request one of the phones received in its dialogs.
type eventKind int

const (
	evResponse eventKind = iota // res to our request method
	evTxError                   // our request's transaction ended without a final response
	evInvite                    // a new INVITE reached B or C (answered by the handler)
	evAnswered                  // C sent its 200
	evCancel                    // C's INVITE was cancelled
	evReinvite                  // A got a re-INVITE (answered 200 by the handler)
	evAck
	evNotify
	evBye
	evOther
)

// event is reported by the phones' handlers and client transactions to
// the transfer's goroutine, which alone keeps the transfer's state.
type event struct {
	kind   eventKind
	role   string // "A", "B" or "C" for requests received
	method sip.RequestMethod
	req    *sip.Request
	res    *sip.Response
	tag    string // our To-tag on a new INVITE
	err    error
	at     time.Time
}

// toSink reports a phone's request's responses, and the end of its
// transaction without a final one, to sink as events.
func toSink(sink func(event)) func(sip.RequestMethod, *sip.Response, error, time.Time) {
	return func(method sip.RequestMethod, res *sip.Response, err error, at time.Time) {
		if res != nil {
			sink(event{kind: evResponse, method: method, res: res, at: at})
			return
		}
		sink(event{kind: evTxError, method: method, err: err, at: at})
	}
}

// Outcomes of a transfer.
const (
	outCompleted = "completed"
	outFailed    = "failed"
	outStuck     = "stuck"
)

// xfer is one call A→B transferred by B to C, then hung up by A. Its
// fields are owned by its goroutine (run.transfer); handlers only push
// events on ev.
type xfer struct {
	n    int
	user string // A's From user, which Tandem carries to B and C: a-<n>
	ev   chan event

	// results
	outcome string
	stage   string // where it failed or got stuck
	err     error
	setup   time.Duration // A's INVITE sent -> A got 200
	total   time.Duration // B's REFER sent -> A got the re-INVITE
	before  time.Duration // B's REFER sent -> C got the INVITE
	after   time.Duration // C sent 200 -> A got the re-INVITE
	target  time.Duration // C got the INVITE -> C sent 200 (the target's answer time)
	referRT time.Duration // B's REFER sent -> its 2xx

	// state
	inviteRes  *sip.Response
	inviteAt   time.Time
	bInv       *sip.Request
	bTag       string
	bAcked     bool
	referSent  bool
	referAt    time.Time
	referRes   *sip.Response
	cInv       *sip.Request
	cInvAt     time.Time
	cAnsAt     time.Time
	cAcked     bool
	reinv      *sip.Request
	reinvAt    time.Time
	aReAcked   bool
	notifies   []int
	notifyDone bool
	no180      bool // the subscription reported no 180
	bBye       bool
	byeSent    bool
	byeRes     *sip.Response
	cBye       bool
}

func newXfer(n int) *xfer {
	return &xfer{n: n, user: "a-" + strconv.Itoa(n), ev: make(chan event, 64)}
}

// push reports an event; it never blocks a handler (a transfer that has
// finished no longer reads, and a full queue drops).
func (x *xfer) push(e event) {
	select {
	case x.ev <- e:
	default:
	}
}

// errStuck marks a transfer that was still waiting at its deadline.
var errStuck = errors.New("not finished in time")

// until applies events until cond holds. An event the flow does not allow
// is an error; the context's end is errStuck.
func (x *xfer) until(ctx context.Context, r *run, stage string, cond func() bool) error {
	x.stage = stage
	for !cond() {
		select {
		case e := <-x.ev:
			if err := x.apply(r, e); err != nil {
				return err
			}
		case <-ctx.Done():
			return errStuck
		}
	}
	return nil
}

// hold waits d, still applying events.
func (x *xfer) hold(ctx context.Context, r *run, d time.Duration) error {
	x.stage = "hold"
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case e := <-x.ev:
			if err := x.apply(r, e); err != nil {
				return err
			}
		case <-t.C:
			return nil
		case <-ctx.Done():
			return errStuck
		}
	}
}

// apply records an event in the transfer's state; it returns an error for
// anything the blind transfer flow does not have.
func (x *xfer) apply(r *run, e event) error {
	switch e.kind {
	case evResponse:
		if e.res.StatusCode < 200 {
			return nil
		}
		switch e.method {
		case sip.INVITE:
			x.inviteRes = e.res
			x.setup = e.at.Sub(x.inviteAt)
		case sip.REFER:
			x.referRes = e.res
			x.referRT = e.at.Sub(x.referAt)
		case sip.BYE:
			x.byeRes = e.res
		}
	case evTxError:
		return fmt.Errorf("%s: no final response: %v", e.method, e.err)
	case evInvite:
		switch e.role {
		case "B":
			if x.bInv != nil {
				return errors.New("a second INVITE reached B")
			}
			x.bInv, x.bTag = e.req, e.tag
		case "C":
			if x.cInv != nil {
				return errors.New("a second INVITE reached C")
			}
			if !x.referSent {
				return errors.New("C called before the REFER")
			}
			if len(e.req.Body()) != 0 {
				return errors.New("the INVITE to C carries an offer")
			}
			x.cInv, x.cInvAt = e.req, e.at
		}
	case evAnswered:
		x.cAnsAt = e.at
	case evCancel:
		return errors.New("Tandem cancelled the INVITE to C")
	case evReinvite:
		if x.reinv != nil {
			return errors.New("a second re-INVITE reached A")
		}
		if !x.referSent {
			return errors.New("A re-INVITEd before the REFER")
		}
		if !strings.Contains(string(e.req.Body()), r.c.MediaLine()) {
			return fmt.Errorf("the re-INVITE of A does not carry C's offer:\n%s", e.req.Body())
		}
		x.reinv, x.reinvAt = e.req, e.at
	case evAck:
		switch e.role {
		case "A":
			if x.reinv != nil {
				x.aReAcked = true
			}
		case "B":
			x.bAcked = true
		case "C":
			if !strings.Contains(string(e.req.Body()), r.a.MediaLine()) {
				return fmt.Errorf("C's ACK does not carry A's answer:\n%s", e.req.Body())
			}
			x.cAcked = true
		}
	case evNotify:
		if !r.cfg.subscription {
			return errors.New("NOTIFY to B despite Refer-Sub: false")
		}
		code := sipfragCode(e.req.Body())
		x.notifies = append(x.notifies, code)
		st := ""
		if h := e.req.GetHeader("Subscription-State"); h != nil {
			st = h.Value()
		}
		if strings.HasPrefix(strings.TrimSpace(st), "terminated") {
			if code != 200 {
				return fmt.Errorf("the transfer failed: final NOTIFY %d", code)
			}
			x.notifyDone = true
		}
	case evBye:
		switch e.role {
		case "A":
			return errors.New("Tandem hung up A")
		case "B":
			if !x.referSent {
				return errors.New("Tandem hung up B before the REFER")
			}
			x.bBye = true
		case "C":
			if !x.byeSent {
				return errors.New("Tandem hung up C before A did")
			}
			x.cBye = true
		}
	case evOther:
		return fmt.Errorf("unexpected %s to %s", e.method, e.role)
	}
	return nil
}

// sipfragCode is the status code of a message/sipfrag body (0 if none).
func sipfragCode(body []byte) int {
	f := strings.Fields(string(body))
	if len(f) < 2 || !strings.HasPrefix(f[0], "SIP/") {
		return 0
	}
	c, _ := strconv.Atoi(f[1])
	return c
}

// transfer plays one transfer to its end (completed or failed) or to
// ctx's end (stuck).
func (r *run) transfer(ctx context.Context, x *xfer) {
	a := &loadkit.Dialog{
		CallID:    fmt.Sprintf("xfer-%d-%s@a", x.n, sip.GenerateTagN(10)),
		LocalTag:  sip.GenerateTagN(12),
		LocalURI:  sip.Uri{Scheme: "sip", User: x.user, Host: "127.0.0.1"},
		RemoteURI: sip.Uri{Scheme: "sip", User: "b", Host: r.targetHost, Port: r.targetPort},
	}
	a.RemoteTarget = a.RemoteURI
	err := r.script(ctx, x, a)
	switch {
	case err == nil:
		x.outcome = outCompleted
	case errors.Is(err, errStuck):
		x.outcome, x.err = outStuck, err
	default:
		x.outcome, x.err = outFailed, err
		// hang up what is left, so the failure does not leave a call
		// behind in Tandem (the active-call check at the end is about
		// calls Tandem keeps by itself)
		if x.inviteRes != nil && x.inviteRes.StatusCode < 300 && !x.byeSent {
			_ = r.a.Request(a.Build(sip.BYE, 0), toSink(func(event) {}), nil)
		}
	}
}

// script is the call flow of one blind transfer.
func (r *run) script(ctx context.Context, x *xfer, a *loadkit.Dialog) error {
	r.aCalls.Store(a.CallID, x)
	r.users.Store(x.user, x)

	// A calls B through Tandem; B answers at once.
	inv := a.Build(sip.INVITE, 0)
	inv.AppendHeader(r.a.Contact(x.user))
	inv.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY, REFER"))
	loadkit.SetSDP(inv, r.a.SDP(1, "sendrecv"))
	var aAck loadkit.AckHolder
	x.inviteAt = time.Now()
	if err := r.a.Request(inv, toSink(x.push), &aAck); err != nil {
		return fmt.Errorf("A's INVITE: %w", err)
	}
	if err := x.until(ctx, r, "A's INVITE", func() bool { return x.inviteRes != nil }); err != nil {
		return err
	}
	if c := x.inviteRes.StatusCode; c != 200 {
		return fmt.Errorf("A's INVITE answered %d %s", c, x.inviteRes.Reason)
	}
	a.RemoteTag, _ = x.inviteRes.To().Params.Get("tag")
	if c := x.inviteRes.Contact(); c != nil {
		a.RemoteTarget = *c.Address.Clone()
	}
	ack := a.Build(sip.ACK, inv.CSeq().SeqNo)
	aAck.Set(ack)
	if err := r.a.Write(ack); err != nil {
		return fmt.Errorf("A's ACK: %w", err)
	}
	if err := x.until(ctx, r, "B's ACK", func() bool { return x.bInv != nil && x.bAcked }); err != nil {
		return err
	}

	// B transfers A to C.
	b := loadkit.UASDialog(x.bInv, x.bTag)
	refer := b.Build(sip.REFER, 0)
	refer.AppendHeader(r.b.Contact("b"))
	refer.AppendHeader(sip.NewHeader("Refer-To", fmt.Sprintf("<sip:c@127.0.0.1:%d>", r.c.Port)))
	refer.AppendHeader(sip.NewHeader("Referred-By", "<sip:b@127.0.0.1>"))
	if !r.cfg.subscription {
		refer.AppendHeader(sip.NewHeader("Refer-Sub", "false"))
	}
	x.referSent, x.referAt = true, time.Now()
	if err := r.b.Request(refer, toSink(x.push), nil); err != nil {
		return fmt.Errorf("B's REFER: %w", err)
	}
	if err := x.until(ctx, r, "the REFER's answer", func() bool { return x.referRes != nil }); err != nil {
		return err
	}
	if r.cfg.subscription {
		if c := x.referRes.StatusCode; c != 202 {
			return fmt.Errorf("REFER answered %d %s, want 202", c, x.referRes.Reason)
		}
	} else {
		rs := ""
		if h := x.referRes.GetHeader("Refer-Sub"); h != nil {
			rs = h.Value()
		}
		if c := x.referRes.StatusCode; c != 200 || rs != "false" {
			return fmt.Errorf("REFER answered %d %s with Refer-Sub %q, want 200 with Refer-Sub: false", c, x.referRes.Reason, rs)
		}
	}
	if err := x.until(ctx, r, "the transfer", func() bool {
		return x.reinv != nil && x.aReAcked && x.cAcked && x.bBye && (!r.cfg.subscription || x.notifyDone)
	}); err != nil {
		return err
	}
	x.total = x.reinvAt.Sub(x.referAt)
	x.before = x.cInvAt.Sub(x.referAt)
	x.after = x.reinvAt.Sub(x.cAnsAt)
	x.target = x.cAnsAt.Sub(x.cInvAt)
	if r.cfg.subscription {
		if !notifySequence(x.notifies) {
			return fmt.Errorf("NOTIFY sipfrags %v, want 100, (180,) 200", x.notifies)
		}
		x.no180 = !slices.Contains(x.notifies, 180)
	}

	// A and C talk, then A hangs up.
	if c := x.reinv.Contact(); c != nil {
		a.RemoteTarget = *c.Address.Clone()
	}
	if err := x.hold(ctx, r, r.cfg.hold); err != nil {
		return err
	}
	x.byeSent = true
	if err := r.a.Request(a.Build(sip.BYE, 0), toSink(x.push), nil); err != nil {
		return fmt.Errorf("A's BYE: %w", err)
	}
	if err := x.until(ctx, r, "the hang-up", func() bool { return x.byeRes != nil && x.cBye }); err != nil {
		return err
	}
	if c := x.byeRes.StatusCode; c != 200 {
		return fmt.Errorf("A's BYE answered %d %s", c, x.byeRes.Reason)
	}
	return nil
}

// notifySequence: the refer subscription reported 100, maybe 180, and 200
// (the terminal one, checked when it came), each once. NOTIFYs are
// separate transactions, whose handlers may run in either order, so order
// is not checked. The 180 is optional (RFC 3515 does not require a NOTIFY
// per provisional response); its absence is counted in the report.
func notifySequence(codes []int) bool {
	c := slices.Clone(codes)
	slices.Sort(c)
	return slices.Equal(c, []int{100, 180, 200}) || slices.Equal(c, []int{100, 200})
}
