package sdk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Why a kept claim ended (Claim.Err), besides the core's refusals and the
// end of KeepClaim's context.
var (
	// ErrClaimReleased: Release ended the claim.
	ErrClaimReleased = errors.New("sdk: claim released")
	// ErrClaimLapsed: no renewal got through before the claim's TTL ran
	// out (the core did not answer, say). The error also wraps the last
	// failure.
	ErrClaimLapsed = errors.New("sdk: claim lapsed")
)

// Claim is a claim on a call that KeepClaim keeps alive. Its methods are
// safe for concurrent use.
type Claim struct {
	c      *Client
	callID string
	ttl    time.Duration
	stop   context.CancelFunc // ends the keeper; called by Release
	done   chan struct{}      // closed once the keeper has ended

	mu      sync.Mutex // guards the fields below
	expires time.Time
	state   claimState
	err     error // why the claim ended; nil while it is kept
}

// claimState says who sends the release at the end: the keeper when it
// ends by itself (its context, the plugin stopping), or Release.
type claimState int

const (
	claimKept      claimState = iota
	claimReleasing            // Release was called: it releases
	claimEnding               // the keeper ended by itself: it released, or the claim was lost
)

// KeepClaim claims a call for Client.Controller, as ClaimCall does with ttl
// (0 for events.DefaultClaimTTL), and keeps the claim: a goroutine owned by
// the plugin renews it about every ttl/3 until ctx ends, Release is called
// or the plugin stops, and then releases it. ctx is the claim's life, not a
// request's timeout (each command is bounded by the client's command
// timeout): a decision handler's ctx ends with the decision, so keep a
// claim from a Go function's ctx, an event handler's, or one of your own.
//
// A first claim that is refused returns its error, as ClaimCall does
// (events.ErrConflict: another controller has the call). Later, a renewal
// the core refuses (events.ErrConflict, events.ErrUnknownCall once the call
// has ended, events.ErrBadRequest) ends the claim at once; a renewal that
// fails otherwise (a timeout, a node restarting) is retried until the TTL
// of the last claim that got through has run out, and then the claim ends
// with ErrClaimLapsed. Either way Done is closed and Err says why: watch
// Done to learn that the plugin no longer controls the call.
func (c *Client) KeepClaim(ctx context.Context, callID string, ttl time.Duration) (*Claim, error) {
	if ttl == 0 {
		ttl = events.DefaultClaimTTL
	}
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("sdk: keep claim of %s: ttl %v below 1ms", callID, ttl)
	}
	ttl = ttl.Truncate(time.Millisecond) // what the command carries
	if !c.addWork() {
		return nil, ErrStopped
	}
	sent := time.Now()
	cctx, cancel := context.WithTimeout(ctx, c.opts.commandTimeout)
	expires, err := c.ClaimCall(cctx, callID, ttl)
	cancel()
	if err != nil {
		c.work.Done()
		return nil, err
	}
	kctx, stop := context.WithCancel(ctx)
	cl := &Claim{c: c, callID: callID, ttl: ttl, stop: stop, done: make(chan struct{}), expires: expires}
	go cl.keep(kctx, sent.Add(ttl))
	return cl, nil
}

// CallID is the claimed call.
func (cl *Claim) CallID() string { return cl.callID }

// Expires is when the claim lapses unless renewed, as the core said at the
// last renewal that got through.
func (cl *Claim) Expires() time.Time {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.expires
}

// Done is closed when the claim is no longer kept.
func (cl *Claim) Done() <-chan struct{} { return cl.done }

// Err is nil while the claim is kept. Once Done is closed it says why it
// ended: ErrClaimReleased (Release), the cause of KeepClaim's ctx, ErrStopped
// (the plugin stopped), the core's refusal of a renewal (an *events.Error,
// wrapped; see ErrorCode) or ErrClaimLapsed. In the first three cases the
// claim was released.
func (cl *Claim) Err() error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.err
}

// Release stops renewing the claim and releases it. It returns the core's
// refusal of the release, or ctx's error if ctx ends first. Release on a
// claim that has already ended, or a second Release, does nothing.
func (cl *Claim) Release(ctx context.Context) error {
	cl.mu.Lock()
	mine := cl.state == claimKept
	if mine {
		cl.state = claimReleasing
	}
	cl.mu.Unlock()
	cl.stop()
	select {
	case <-cl.done:
	case <-ctx.Done():
		return fmt.Errorf("sdk: release %s: %w", cl.callID, ctx.Err())
	}
	if !mine {
		return nil
	}
	return cl.c.ReleaseCall(ctx, cl.callID)
}

// keep renews the claim until it ends; deadline is when the last claim
// that got through lapses, by the local clock. It runs as the client's
// work.
func (cl *Claim) keep(ctx context.Context, deadline time.Time) {
	defer cl.c.work.Done()
	defer close(cl.done)
	logger := cl.c.log.With("call_id", cl.callID)
	every := cl.ttl / 3
	retry := max(every/4, time.Millisecond)
	t := time.NewTimer(every)
	defer t.Stop()
	var last error // the last failed renewal's, for ErrClaimLapsed
	for {
		select {
		case <-ctx.Done():
			cl.finish(cl.end(context.Cause(ctx)))
			return
		case <-cl.c.ctx.Done():
			cl.finish(cl.end(ErrStopped))
			return
		case <-t.C:
		}
		sent := time.Now()
		rdeadline := sent.Add(cl.c.opts.commandTimeout)
		if deadline.Before(rdeadline) {
			rdeadline = deadline
		}
		rctx, cancel := context.WithDeadline(ctx, rdeadline)
		expires, err := cl.c.ClaimCall(rctx, cl.callID, cl.ttl)
		cancel()
		switch {
		case err == nil:
			cl.mu.Lock()
			cl.expires = expires
			cl.mu.Unlock()
			deadline, last = sent.Add(cl.ttl), nil
			t.Reset(every)
		case ctx.Err() != nil || cl.c.ctx.Err() != nil:
			// Ending: the timer stays stopped, the select says why.
		case refusedForGood(err):
			logger.Warn("sdk: claim lost", "err", err)
			cl.lose(fmt.Errorf("sdk: claim of %s lost: %w", cl.callID, err))
			return
		case !time.Now().Before(deadline):
			if errors.Is(err, context.DeadlineExceeded) && last != nil {
				err = last // this try was cut short by the lapse itself
			}
			logger.Warn("sdk: claim lapsed", "err", err)
			cl.lose(fmt.Errorf("sdk: claim of %s: %w: %w", cl.callID, ErrClaimLapsed, err))
			return
		default:
			last = err
			logger.Debug("sdk: claim renewal failed; retrying", "err", err)
			t.Reset(min(retry, time.Until(deadline)))
		}
	}
}

// end ends a claim whose keeper was stopped for why: unless Release is
// doing it, it releases the claim. It returns the claim's Err.
func (cl *Claim) end(why error) error {
	cl.mu.Lock()
	mine := cl.state == claimKept
	if mine {
		cl.state = claimEnding
	}
	cl.mu.Unlock()
	if !mine {
		return ErrClaimReleased
	}
	// ctx has ended, or the plugin is stopping: the release gets a context
	// of its own and is sent even while the plugin stops.
	ctx, cancel := context.WithTimeout(context.Background(), cl.c.opts.commandTimeout)
	defer cancel()
	req := events.CallsReleaseRequestV1{Controller: cl.c.Controller(), CallID: cl.callID}
	if _, err := send(ctx, cl.c, events.CommandSubject(CallsRelease.Verb), CallsRelease, req); err != nil {
		cl.c.log.Warn("sdk: release of a kept claim failed", "call_id", cl.callID, "err", err)
	}
	return why
}

// lose ends a claim the core no longer grants.
func (cl *Claim) lose(err error) {
	cl.mu.Lock()
	if cl.state == claimKept {
		cl.state = claimEnding
	}
	cl.mu.Unlock()
	cl.finish(err)
}

func (cl *Claim) finish(err error) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.err = err
}

// refusedForGood reports whether err is a refusal of the core that a retry
// would get again.
func refusedForGood(err error) bool {
	code, ok := ErrorCode(err)
	return ok && (code == events.ErrConflict || code == events.ErrUnknownCall || code == events.ErrBadRequest)
}
