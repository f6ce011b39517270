package integration

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// shutdown runs the node's Shutdown in the background; the returned
// channel yields its error.
func shutdown(n *harness.Node) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- n.Server.Shutdown(ctx)
	}()
	return done
}

// draining waits until the core refuses new calls (Shutdown began).
func draining(t *testing.T, n *harness.Node) {
	t.Helper()
	waitFor(t, "core draining", wait, func() bool { return !n.Server.Core().Ready() })
}

// While draining, a new INVITE gets 503 with Retry-After, the call in
// progress goes on and ends normally, and then Shutdown returns. The
// harness shuts the node down a second time in its cleanup: harmless.
func TestShutdownGraceful(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.DrainTimeout = 20 * time.Second; c.RetryAfter = 7 }))
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())

	done := shutdown(n)
	draining(t, n)
	res := a.Invite(target(n, "bob")).Expect(503, wait)
	if header(res, "Retry-After") != "7" {
		t.Errorf("503 Retry-After %q, want 7", header(res, "Retry-After"))
	}

	// The call in progress is untouched: a re-INVITE and the hang-up work.
	reinvite(t, c.Dialog, in.Dialog, a.SDP(phone.SendOnly), b.SDP(phone.RecvOnly))
	hangup(t, c, in)
	if _, end := ended(t, n, id); end.HungUpBy != events.SideA {
		t.Errorf("call ended %+v, want by a", end)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Shutdown did not return once the last call ended")
	}
	if err := n.Server.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

// When the drain timeout passes with a call up, both parties get BYE and
// Shutdown returns.
func TestShutdownDrainTimeout(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.DrainTimeout = 300 * time.Millisecond }))
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())

	done := shutdown(n)
	c.ExpectRequest(sip.BYE, wait).OK(nil)
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	if _, end := ended(t, n, id); end.HungUpBy != "core" || end.Reason != "shutdown" {
		t.Errorf("call ended %+v, want by core for shutdown", end)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(2 * wait):
		t.Fatal("Shutdown did not return")
	}
}

// Calls whose callee never answers at all (not even 100) cannot end before
// their INVITE times out (Timer B, 32 s); Shutdown's wait for them after
// the drain timeout is bounded all the same, for all of them together.
func TestShutdownBoundedWithDeadCallee(t *testing.T) {
	t.Parallel()
	dead := phone.Raw(t) // reads nothing, answers nothing
	n := harness.Start(t,
		harness.WithRoutes(b2bua.Route{User: "^(.*)$", Target: "sip:$1@" + dead.Addr()}),
		harness.WithConfig(func(c *config.Config) { c.DrainTimeout = 100 * time.Millisecond }))
	a := phone.New(t, "alice")
	var calls []*phone.Call
	for range 3 {
		c := a.Invite(target(n, "nobody"))
		c.Expect(100, wait)
		calls = append(calls, c)
	}
	for _, c := range calls {
		callID(t, n, c.CallID()) // every call exists before Shutdown
	}

	start := time.Now()
	done := shutdown(n)
	for _, c := range calls {
		c.Expect(503, wait)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		t.Logf("Shutdown returned after %v", time.Since(start))
	case <-time.After(20 * time.Second): // well before Timer B
		t.Fatal("Shutdown waits for each stuck call in turn")
	}
}
