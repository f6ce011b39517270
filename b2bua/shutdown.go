package b2bua

import (
	"context"
	"time"
)

// Shutdown drains the core: new INVITEs get 503 with Retry-After at once;
// calls in progress continue until they end or the drain timeout (or ctx)
// expires; then every remaining call is hung up (BYE to answered legs) and
// the SIP stack is closed once those calls have finished.
func (c *Core) Shutdown(ctx context.Context) error {
	c.draining.Store(true)
	if c.active.Load() == 0 {
		c.idleOnce.Do(func() { close(c.idle) })
	}
	c.log.Info("b2bua: draining", "calls", c.active.Load(), "timeout", c.cfg.DrainTimeout)
	timer := time.NewTimer(c.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-c.idle:
	case <-timer.C:
	case <-ctx.Done():
	}
	if n := c.active.Load(); n > 0 {
		c.log.Warn("b2bua: drain timeout, hanging up remaining calls", "calls", n)
		var waits []chan struct{}
		c.calls.Range(func(_, v any) bool {
			cl := v.(*call)
			if cl.post(func() { _ = cl.hangup("core", 503, "shutdown") }) {
				waits = append(waits, cl.done)
			}
			return true
		})
		// Give the BYEs and CANCELs a moment to leave; never wait unbounded.
		// The bound is for all of them: once it fires, stop waiting.
		bound := time.NewTimer(5 * time.Second)
		defer bound.Stop()
	wait:
		for _, w := range waits {
			select {
			case <-w:
			case <-bound.C:
				break wait
			}
		}
	}
	// reg event subscriptions end with a terminal NOTIFY (deactivated: the
	// watcher may subscribe again, RFC 6665 §4.1.3), sent before SIP stops.
	c.subs.Range(func(_, v any) bool {
		s := v.(*regSub)
		s.ex.post(func() { s.end("deactivated") })
		return true
	})
	c.dropPlugSubs() // plugin subscriptions end with the node (event ended, why shutdown)
	c.stopMixer()
	err := c.stack.Close()
	c.stopRegistrar()
	return err
}
