package sdk_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// keepTTL is short so that renewals come quickly; nothing waits for it.
const keepTTL = 150 * time.Millisecond

// KeepClaim renews the claim (every ttl/3) until it ends; each way it can
// end closes Done, sets Err and releases the claim, except when the core
// no longer grants it.
func TestKeepClaim(t *testing.T) {
	for _, tt := range []struct {
		name string
		// end ends the claim; cancel cancels KeepClaim's ctx, stop stops
		// the plugin.
		end         func(t *testing.T, c *controlCore, cl *sdk.Claim, cancel, stop func())
		want        error            // errors.Is(Err, want), when not nil
		wantCode    events.ErrorCode // ErrorCode(Err), when not 0
		wantRelease bool
	}{
		{"Release", func(t *testing.T, _ *controlCore, cl *sdk.Claim, _, _ func()) {
			if err := cl.Release(t.Context()); err != nil {
				t.Errorf("Release: %v", err)
			}
			if err := cl.Release(t.Context()); err != nil {
				t.Errorf("second Release: %v", err)
			}
		}, sdk.ErrClaimReleased, 0, true},
		{"ctx cancelled", func(_ *testing.T, _ *controlCore, _ *sdk.Claim, cancel, _ func()) { cancel() }, context.Canceled, 0, true},
		{"plugin stopped", func(_ *testing.T, _ *controlCore, _ *sdk.Claim, _, stop func()) { stop() }, sdk.ErrStopped, 0, true},
		{"taken by another controller", func(_ *testing.T, c *controlCore, _ *sdk.Claim, _, _ func()) {
			c.mu.Lock()
			c.owner = "thief"
			c.mu.Unlock()
		}, nil, events.ErrConflict, false},
		{"call ended", func(_ *testing.T, c *controlCore, _ *sdk.Claim, _, _ func()) {
			c.mu.Lock()
			c.claimErr = events.NewError(events.ErrUnknownCall, "no call c1")
			c.mu.Unlock()
		}, nil, events.ErrUnknownCall, false},
		{"lapsed", func(_ *testing.T, c *controlCore, _ *sdk.Claim, _, _ func()) {
			c.mu.Lock()
			c.claimErr = events.NewError(events.ErrInternal, "database on fire")
			c.mu.Unlock()
		}, sdk.ErrClaimLapsed, events.ErrInternal, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := startControlCore(t)
			c.claims = make(chan string, 64)
			inst := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil }))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			cl, err := inst.Client().KeepClaim(ctx, "c1", keepTTL)
			if err != nil {
				t.Fatalf("KeepClaim: %v", err)
			}
			if cl.CallID() != "c1" || !cl.Expires().Equal(c.now.Add(keepTTL)) || cl.Err() != nil {
				t.Errorf("claim %s expires %v, err %v", cl.CallID(), cl.Expires(), cl.Err())
			}
			for range 3 { // the claim and two renewals
				if who := recv(t, c.claims, "claim"); who != "ivr" {
					t.Fatalf("claimed by %s", who)
				}
			}
			select {
			case <-cl.Done():
				t.Fatalf("claim ended while renewed: %v", cl.Err())
			default:
			}

			tt.end(t, c, cl, cancel, func() {
				if err := inst.Stop(t.Context()); err != nil {
					t.Errorf("Stop: %v", err)
				}
			})
			recv(t, cl.Done(), "end of the claim")
			err = cl.Err()
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Err() = %v, want %v", err, tt.want)
			}
			if code, _ := sdk.ErrorCode(err); code != tt.wantCode {
				t.Errorf("Err() = %v: code %v, want %v", err, code, tt.wantCode)
			}
			calls := c.calls()
			if released := slices.Contains(calls, "release c1 ivr"); released != tt.wantRelease {
				t.Errorf("released: %v, want %v (core calls %q)", released, tt.wantRelease, calls)
			}
			if n := len(calls); n > 0 && calls[n-1] == "release c1 ivr" && slices.Index(calls, "release c1 ivr") != n-1 {
				t.Errorf("released more than once: %q", calls)
			}
		})
	}
}

// A first claim that is refused returns the refusal and keeps nothing.
func TestKeepClaimRefused(t *testing.T) {
	c := startControlCore(t)
	cl := start(t, c.core, plugin("ivr", func(context.Context, *sdk.Client) error { return nil })).Client()
	if _, err := cl.KeepClaim(t.Context(), "c9", 0); !isCode(err, events.ErrUnknownCall) {
		t.Errorf("KeepClaim(c9): %v, want unknown_call", err)
	}
	if _, err := cl.KeepClaim(t.Context(), "c1", time.Microsecond); err == nil {
		t.Error("KeepClaim with a TTL below 1ms succeeded")
	}
	if got := c.calls(); !slices.Equal(got, []string{"claim c9 ivr 30s"}) {
		t.Errorf("core calls %q", got)
	}
}
