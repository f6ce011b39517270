package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// eventKind is what happened to a call: a response to one of the phones'
// requests, or a request a phone received in the call's dialogs.
type eventKind int

const (
	evResponse eventKind = iota // res to our request method
	evTxError                   // our request's transaction ended without a final response
	evInvite                    // a new INVITE reached A or B (answered by the handler)
	evReinvite                  // A got a re-INVITE (answered 200 by the handler)
	evAck
	evBye
	evOther
)

// event is reported by the phones' handlers and client transactions to
// the call's goroutine, which alone keeps the call's state.
type event struct {
	kind     eventKind
	role     string // "A" or "B": the phone that received the request, or sent the request answered
	method   sip.RequestMethod
	req      *sip.Request
	res      *sip.Response
	tag      string // our To-tag on a new INVITE
	err      error
	at       time.Time // when the handler got the request, or the response arrived
	answered time.Time // an INVITE or re-INVITE: when the phone sent its 200
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

// Outcomes of a call.
const (
	outCompleted = "completed"
	outFailed    = "failed"
	outStuck     = "stuck"
)

// mailbox is how the phones' handlers reach a call: its users and its
// event queue. They find it in the run's maps (by Request-URI user, then
// Call-ID); the call's goroutine removes it from them when the call is
// over, so that a finished call keeps only its results (9,000 calls'
// requests and queues would make the generator's own GC compete with
// Tandem for the CPUs).
type mailbox struct {
	aUser, bUser string // the Request-URI users Tandem calls: a-<n>, b-<n>
	ev           chan event
}

// push reports an event; it never blocks a handler (a call that has
// finished no longer reads, and a full queue drops).
func (m *mailbox) push(e event) {
	select {
	case m.ev <- e:
	default:
	}
}

// ocall is one originated call: the command, A's and B's legs, the
// bridge, the hang-up. Its fields are owned by its goroutine (run.call);
// handlers only push events on its mailbox.
type ocall struct {
	n            int
	aUser, bUser string
	mb           *mailbox // nil once the call is over

	// results
	outcome string
	stage   string // where it failed or got stuck
	err     error

	// the command
	cmdAt, replyAt time.Time
	replied        bool
	callID, aLegID string

	// A's leg
	aInv           *sip.Request
	aTag           string
	aInvAt, aAnsAt time.Time
	aAcked         bool
	aAckAt         time.Time
	// A's re-INVITE (flow IV)
	aRe             *sip.Request
	aReAt, aReAnsAt time.Time
	aReAcked        bool
	aReAckAt        time.Time
	// B's leg
	bInv           *sip.Request
	bTag           string
	bInvAt, bAnsAt time.Time
	bAcked         bool
	bAckAt         time.Time
	// the hang-up
	byeSent   bool
	byeAt     time.Time
	byeRes    *sip.Response
	byeResAt  time.Time
	bBye      bool
	bByeSent  bool
	bByeRes   *sip.Response
	bridgedAt time.Time // both legs bridged: B's ACK (flow IV), the later ACK (flow I)
}

func newCall(n int) *ocall {
	s := strconv.Itoa(n)
	x := &ocall{n: n, aUser: "a-" + s, bUser: "b-" + s}
	x.mb = &mailbox{aUser: x.aUser, bUser: x.bUser, ev: make(chan event, 32)}
	return x
}

// sink reports the responses to requests phone role sends.
func (x *ocall) sink(role string) func(event) {
	mb := x.mb
	return func(e event) {
		e.role = role
		mb.push(e)
	}
}

// errStuck marks a call that was still waiting at its deadline.
var errStuck = errors.New("not finished in time")

// until applies events until cond holds. An event the flow does not allow
// is an error; the context's end is errStuck.
func (x *ocall) until(ctx context.Context, r *run, stage string, cond func() bool) error {
	x.stage = stage
	for !cond() {
		select {
		case e := <-x.mb.ev:
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
func (x *ocall) hold(ctx context.Context, r *run, d time.Duration) error {
	x.stage = "hold"
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case e := <-x.mb.ev:
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

func cseq(m *sip.Request) uint32 {
	if c := m.CSeq(); c != nil {
		return c.SeqNo
	}
	return 0
}

// apply records an event in the call's state; it returns an error for
// anything the RFC 3725 flow does not have.
func (x *ocall) apply(r *run, e event) error {
	flow4 := r.cfg.flow == events.Flow4
	switch e.kind {
	case evResponse:
		if e.res.StatusCode < 200 {
			return nil
		}
		if e.method == sip.BYE {
			if e.role == "A" {
				x.byeRes, x.byeResAt = e.res, e.at
			} else {
				x.bByeRes = e.res
			}
		}
	case evTxError:
		return fmt.Errorf("%s's %s: no final response: %v", e.role, e.method, e.err)
	case evInvite:
		body := string(e.req.Body())
		switch e.role {
		case "A":
			if x.aInv != nil {
				return errors.New("a second INVITE reached A")
			}
			if flow4 && !strings.Contains(body, "a=inactive") {
				return fmt.Errorf("flow IV: A's INVITE does not carry an inactive offer:\n%s", body)
			}
			if !flow4 && body != "" {
				return errors.New("flow I: A's INVITE carries an offer")
			}
			x.aInv, x.aTag, x.aInvAt, x.aAnsAt = e.req, e.tag, e.at, e.answered
		case "B":
			if x.bInv != nil {
				return errors.New("a second INVITE reached B")
			}
			if x.aInv == nil {
				return errors.New("B called before A")
			}
			if flow4 && body != "" {
				return errors.New("flow IV: B's INVITE carries an offer")
			}
			if !flow4 && !strings.Contains(body, r.a.MediaLine()) {
				return fmt.Errorf("flow I: B's INVITE does not carry A's offer:\n%s", body)
			}
			x.bInv, x.bTag, x.bInvAt, x.bAnsAt = e.req, e.tag, e.at, e.answered
		}
	case evReinvite:
		if !flow4 {
			return errors.New("flow I: a re-INVITE reached A")
		}
		if x.aRe != nil {
			return errors.New("a second re-INVITE reached A")
		}
		if x.bInv == nil {
			return errors.New("A re-INVITEd before B was called")
		}
		if !strings.Contains(string(e.req.Body()), r.b.MediaLine()) {
			return fmt.Errorf("the re-INVITE of A does not carry B's offer:\n%s", e.req.Body())
		}
		x.aRe, x.aReAt, x.aReAnsAt = e.req, e.at, e.answered
	case evAck:
		switch e.role {
		case "A":
			switch {
			case x.aInv != nil && cseq(e.req) == cseq(x.aInv):
				if !x.aAcked {
					if !flow4 && !strings.Contains(string(e.req.Body()), r.b.MediaLine()) {
						return fmt.Errorf("flow I: A's ACK does not carry B's answer:\n%s", e.req.Body())
					}
					x.aAcked, x.aAckAt = true, e.at
				}
			case x.aRe != nil && cseq(e.req) == cseq(x.aRe):
				if !x.aReAcked {
					x.aReAcked, x.aReAckAt = true, e.at
				}
			}
		case "B":
			if !x.bAcked {
				if flow4 && !strings.Contains(string(e.req.Body()), r.a.MediaLine()) {
					return fmt.Errorf("flow IV: B's ACK does not carry A's answer:\n%s", e.req.Body())
				}
				x.bAcked, x.bAckAt = true, e.at
			}
		}
	case evBye:
		switch e.role {
		case "A":
			return errors.New("Tandem hung up A")
		case "B":
			if !x.byeSent {
				return errors.New("Tandem hung up B before A did")
			}
			if r.claimed {
				return errors.New("Tandem hung up B in a claimed call (its peer should stay up)")
			}
			x.bBye = true
		}
	case evOther:
		return fmt.Errorf("unexpected %s to %s", e.method, e.role)
	}
	return nil
}

// call plays one originated call to its end (completed or failed) or to
// ctx's end (stuck).
func (r *run) call(ctx context.Context, x *ocall) {
	script := r.script
	if r.cfg.phones == "sipp" {
		script = r.scriptSIPp
	}
	err := script(ctx, x)
	defer r.forget(x)
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
		if r.a != nil && x.aInv != nil && !x.byeSent {
			a := loadkit.UASDialog(x.aInv, x.aTag)
			_ = r.a.Request(a.Build(sip.BYE, 0), toSink(func(event) {}), nil)
		}
		if r.b != nil && r.claimed && x.bInv != nil && !x.bByeSent {
			b := loadkit.UASDialog(x.bInv, x.bTag)
			_ = r.b.Request(b.Build(sip.BYE, 0), toSink(func(event) {}), nil)
		}
	}
}

// forget removes a finished call from the phones' maps and drops what
// only its flow needed, keeping its results.
func (r *run) forget(x *ocall) {
	r.users.Delete(x.aUser)
	r.users.Delete(x.bUser)
	if x.aInv != nil {
		r.aCalls.Delete(x.aInv.CallID().Value())
	}
	if x.bInv != nil {
		r.bCalls.Delete(x.bInv.CallID().Value())
	}
	x.mb, x.aInv, x.aRe, x.bInv, x.byeRes, x.bByeRes = nil, nil, nil, nil, nil, nil
}

// script is the flow of one originated call.
func (r *run) script(ctx context.Context, x *ocall) error {
	r.users.Store(x.aUser, x.mb)
	r.users.Store(x.bUser, x.mb)
	if err := r.command(ctx, x); err != nil {
		return err
	}

	// A answers (the phone's handler does), then B, then the offer/answer
	// of the flow completes.
	if err := x.until(ctx, r, "A's INVITE", func() bool { return x.aInv != nil }); err != nil {
		return err
	}
	if r.cfg.flow == events.Flow4 {
		if err := x.until(ctx, r, "the bridge", func() bool {
			return x.aAcked && x.bInv != nil && x.aRe != nil && x.aReAcked && x.bAcked
		}); err != nil {
			return err
		}
		x.bridgedAt = x.bAckAt
	} else {
		if err := x.until(ctx, r, "the bridge", func() bool { return x.aAcked && x.bAcked }); err != nil {
			return err
		}
		x.bridgedAt = x.bAckAt
		if x.aAckAt.After(x.bridgedAt) {
			x.bridgedAt = x.aAckAt
		}
	}

	// A and B talk, then A hangs up.
	if err := x.hold(ctx, r, r.cfg.hold); err != nil {
		return err
	}
	a := loadkit.UASDialog(x.aInv, x.aTag)
	if x.aRe != nil {
		if c := x.aRe.Contact(); c != nil {
			a.RemoteTarget = *c.Address.Clone()
		}
	}
	x.byeSent, x.byeAt = true, time.Now()
	if err := r.a.Request(a.Build(sip.BYE, 0), toSink(x.sink("A")), nil); err != nil {
		return fmt.Errorf("A's BYE: %w", err)
	}
	claimed := r.claimed
	if err := x.until(ctx, r, "the hang-up", func() bool { return x.byeRes != nil && (claimed || x.bBye) }); err != nil {
		return err
	}
	if c := x.byeRes.StatusCode; c != 200 {
		return fmt.Errorf("A's BYE answered %d %s", c, x.byeRes.Reason)
	}
	if !claimed {
		return nil
	}
	// In a claimed call B stays up, alone, for the controller: it hangs up
	// by itself here.
	b := loadkit.UASDialog(x.bInv, x.bTag)
	x.bByeSent = true
	if err := r.b.Request(b.Build(sip.BYE, 0), toSink(x.sink("B")), nil); err != nil {
		return fmt.Errorf("B's BYE: %w", err)
	}
	if err := x.until(ctx, r, "B's hang-up", func() bool { return x.bByeRes != nil }); err != nil {
		return err
	}
	if c := x.bByeRes.StatusCode; c != 200 {
		return fmt.Errorf("B's BYE answered %d %s", c, x.bByeRes.Reason)
	}
	return nil
}

// command sends the call's calls.originate: Tandem replies once A's INVITE
// is sent.
func (r *run) command(ctx context.Context, x *ocall) error {
	x.stage = "the command"
	req := events.CallsOriginateRequestV1{
		Controller: r.cfg.controller,
		A:          fmt.Sprintf("sip:%s@127.0.0.1:%d", x.aUser, r.aPort),
		B:          fmt.Sprintf("sip:%s@127.0.0.1:%d", x.bUser, r.bPort),
		Flow:       r.cfg.flow,
	}
	cctx, cancel := context.WithTimeout(ctx, r.cfg.cmdTimeout)
	x.cmdAt = time.Now()
	callID, aLeg, err := r.orig.originate(cctx, req)
	x.replyAt = time.Now()
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return errStuck
		}
		return fmt.Errorf("calls.originate: %w", err)
	}
	x.replied, x.callID, x.aLegID = true, callID, aLeg
	if callID == "" || aLeg == "" {
		return fmt.Errorf("calls.originate replied call %q, A's leg %q", callID, aLeg)
	}
	return nil
}

// scriptSIPp is the flow of one originated call with -phones sipp: the
// command, then Tandem's events (SIPp plays and checks the SIP side).
func (r *run) scriptSIPp(ctx context.Context, x *ocall) error {
	if err := r.command(ctx, x); err != nil {
		return err
	}
	x.stage = "the call's end (the ended event)"
	if err := r.nats.waitEnded(ctx, x.callID); err != nil {
		return errStuck
	}
	return nil
}
