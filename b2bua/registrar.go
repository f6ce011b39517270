package b2bua

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// startRegistrar opens the location store and starts the expiry sweep when
// the registrar is enabled.
func (c *Core) startRegistrar(ctx context.Context) error {
	if !c.cfg.Registrar.Enabled {
		return nil
	}
	store, err := registrar.OpenStore(ctx, c.cfg.Registrar, c.nc, c.log.With("component", "registrar"))
	if err != nil {
		return fmt.Errorf("b2bua: registrar store: %w", err)
	}
	r, err := registrar.New(c.cfg.Registrar, store, c.minter, c.log.With("component", "registrar"),
		registrar.WithEventSink(c.sink), registrar.WithRegisterer(c.reg))
	if err != nil {
		store.Close()
		return fmt.Errorf("b2bua: registrar: %w", err)
	}
	c.registrar, c.regStore = r, store
	rctx, cancel := context.WithCancel(context.Background())
	c.regStop, c.regDone = cancel, make(chan struct{})
	go func() {
		defer close(c.regDone)
		if err := r.Run(rctx); err != nil && !errors.Is(err, context.Canceled) {
			c.log.Error("b2bua: registrar sweep ended", "error", err)
		}
	}()
	return nil
}

// stopRegistrar stops the sweep and closes the store.
func (c *Core) stopRegistrar() {
	if c.registrar == nil {
		return
	}
	c.regStop()
	<-c.regDone
	if err := c.regStore.Close(); err != nil {
		c.log.Warn("b2bua: registrar store close", "error", err)
	}
}

// onRegister serves REGISTER (in or out of a dialog: REGISTER never is in
// one of ours).
func (c *Core) onRegister(req *sipx.Request, tx sipx.ServerTransaction) {
	c.metrics.requests.WithLabelValues("REGISTER").Inc()
	in := newInbound(req, tx)
	if c.registrar == nil {
		c.reject(in, 405, "Method Not Allowed")
		return
	}
	// Require is the registrar's to judge (420 with Unsupported).
	if code, reason := checkRequest(req); code != 0 && code != 420 {
		c.reject(in, code, reason)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	res := c.registrar.Process(ctx, req, time.Now())
	cancel()
	if res.Err != nil {
		if res.Code >= 500 {
			c.log.Warn("b2bua: REGISTER failed", "aor", res.AOR, "code", res.Code, "error", res.Err)
		} else {
			c.log.Debug("b2bua: REGISTER refused", "aor", res.AOR, "code", res.Code, "error", res.Err)
		}
	}
	out := c.response(req, res.Code, res.Reason, nil)
	res.Apply(out)
	if err := in.send(out); err != nil {
		c.log.Debug("b2bua: REGISTER response failed", "error", err)
	}
}

// resolveGRUU routes a Request-URI carrying gr: a registrar GRUU goes to
// exactly its instance, a leg GRUU to that leg; neither ever forks nor falls
// back to other routes (RFC 5627). ok is false for a URI without gr or
// someone else's GRUU.
func (c *Core) resolveGRUU(ctx context.Context, ruri sipx.Uri) (RouteResult, bool) {
	if !ruri.UriParams.Has("gr") {
		return RouteResult{}, false
	}
	if gruu.Kind(ruri.User) == 'l' {
		// One of our legs: until transfer and Replaces/Join land (later
		// issues), an INVITE to a live leg is refused; a dead one is 404.
		if c.liveLeg(ruri.User) {
			return RouteResult{Action: "reject", Code: 403, Reason: "Leg GRUU Not Routable Yet", By: "gruu"}, true
		}
		return RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "gruu"}, true
	}
	if c.registrar == nil {
		return RouteResult{}, false
	}
	t, res, done := c.resolve(ctx, ruri)
	switch {
	case done:
		return res, true
	case t.Kind == registrar.TargetGRUU && len(t.Bindings) == 1:
		return RouteResult{Action: "forward", Target: t.Bindings[0].Contact, By: "registrar"}, true
	}
	return RouteResult{}, false
}

// resolveAOR routes a Request-URI that is a registered AOR to its contacts
// (all at once, or one after another in q-value order). ok is false when
// the registrar has nothing to say (not a served domain, no bindings and not
// authoritative).
func (c *Core) resolveAOR(ctx context.Context, ruri sipx.Uri) (RouteResult, bool) {
	if c.registrar == nil {
		return RouteResult{}, false
	}
	t, res, done := c.resolve(ctx, ruri)
	switch {
	case done:
		return res, true
	case t.Kind != registrar.TargetAOR || len(t.Bindings) == 0:
		return RouteResult{}, false
	}
	targets := make([]string, 0, len(t.Bindings))
	for _, b := range t.Bindings {
		targets = append(targets, b.Contact)
	}
	return RouteResult{Action: "forward", Target: targets[0], Forks: targets[1:],
		Serial: c.cfg.Registrar.Fork == registrar.ForkSequential, By: "registrar"}, true
}

// resolve asks the registrar where ruri goes; done with res when the answer
// is a rejection (404 for nothing there, 503 when the store failed).
func (c *Core) resolve(ctx context.Context, ruri sipx.Uri) (t registrar.Target, res RouteResult, done bool) {
	t, err := c.registrar.Resolve(ctx, ruri, time.Now())
	switch {
	case errors.Is(err, registrar.ErrNotFound):
		return t, RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "registrar"}, true
	case err != nil:
		c.log.Warn("b2bua: registrar lookup failed", "ruri", ruri.String(), "error", err)
		return t, RouteResult{Action: "reject", Code: 503, Reason: "Location Service Unavailable", By: "registrar"}, true
	}
	return t, RouteResult{}, false
}

// liveLeg reports whether a leg GRUU token names a leg of this node and
// start that has not ended.
func (c *Core) liveLeg(token string) bool {
	ref, err := c.minter.OpenLeg(token)
	if err != nil || ref.Node != c.cfg.Node || ref.Gen != c.epoch {
		return false
	}
	_, ok := c.legIDs.Load(ref.LegID)
	return ok // legIDs forgets a leg when it ends
}
