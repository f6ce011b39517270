package conference

import (
	"context"
	"fmt"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Name is the app's plugin name, and its name in Tandem's registry of
// built-in apps.
const Name = "conference"

// Plugin is the conference app as a plugin: in-process as Tandem's
// built-in app "conference", or as a process with
// sdk.Serve(conference.Plugin).
var Plugin = sdk.Plugin{Name: Name, Start: start}

// start reads the configuration, follows the call and subscription
// events, answers the route and subscribe decisions and serves the app's
// commands. Events are subscribed to first, so that no call the app parks
// is parked before it listens.
func start(_ context.Context, c *sdk.Client) error {
	cfg, err := ParseConfig(c.RawConfig())
	if err != nil {
		return err
	}
	s, err := cfg.compile()
	if err != nil {
		return err
	}
	spawn := func(fn func(context.Context)) bool {
		return c.Go(func(ctx context.Context) error { fn(ctx); return nil }) == nil
	}
	a := newApp(s, sdkCore{c: c, ctl: c.Controller(), nc: c.Conn()}, c.Log(), c.Node(), c.Controller(), spawn)
	if _, err := c.Subscribe(a.callEvents().HandleEvent); err != nil {
		return err
	}
	if _, err := c.Subscribe(a.nodeEventsMux().HandleEvent, sdk.ForSubject(nodeEvents)); err != nil {
		return err
	}
	if _, err := c.HandleRoute(a.route); err != nil {
		return err
	}
	if _, err := c.HandleSubscribe(a.decideSubscribe); err != nil {
		return err
	}
	sub, err := newCommands(a).serve(c.Conn(), c.Name())
	if err != nil {
		return fmt.Errorf("conference: serve commands: %w", err)
	}
	// The SDK drains what it subscribed; the commands are the app's to.
	if err := c.Go(func(ctx context.Context) error {
		<-ctx.Done()
		if err := sub.Drain(); err != nil {
			_ = sub.Unsubscribe()
		}
		return nil
	}); err != nil {
		_ = sub.Unsubscribe()
		return err
	}
	c.Log().Info("conference: serving", "rooms", len(s.rooms), "domain", s.domain, "adhoc_prefix", s.adhoc.prefix)
	return nil
}
