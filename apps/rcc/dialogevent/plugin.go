package dialogevent

import (
	"context"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Name is the app's plugin name, and its name in Tandem's registry of
// built-in apps.
const Name = "dialog-event"

// Plugin is the dialog event package as a plugin: in-process as Tandem's
// built-in app "dialog-event", or as a process with
// sdk.Serve(dialogevent.Plugin).
var Plugin = sdk.Plugin{Name: Name, Start: start}

// nodeEvents is the subject filter of the events of no call, among them
// the subscriptions' (created, refreshed, ended) of every node.
const nodeEvents = events.EventPrefix + ".*.node.>"

// notifyTimeout bounds the wait for one NOTIFY's answer: beyond a
// transaction's 32 s (Timer F), so that the next NOTIFY never leaves while
// the core still waits for this one. The core's own command timeout may end
// the wait sooner.
const notifyTimeout = 40 * time.Second

// start reads the configuration, follows the call and subscription events
// and answers the SUBSCRIBE decision. The events come first, so that no
// subscription is accepted before the app follows the calls.
func start(_ context.Context, c *sdk.Client) error {
	cfg, err := ParseConfig(c.RawConfig())
	if err != nil {
		return err
	}
	allow, err := cfg.compile()
	if err != nil {
		return err
	}
	send := func(ctx context.Context, id string, hdrs []events.HeaderV1, body []byte) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
		defer cancel()
		code, _, err := c.SendRequest(ctx, id, "NOTIFY", hdrs, ContentType, body)
		return code, err
	}
	spawn := func(fn func(context.Context)) bool {
		return c.Go(func(ctx context.Context) error { fn(ctx); return nil }) == nil
	}
	a := newApp(c.Log(), allow, cfg.MaxExpires, send, spawn)
	if _, err := c.Subscribe(a.onCallEvent, sdk.OnGap(a.onGap)); err != nil {
		return err
	}
	subs := sdk.NewEventMux()
	sdk.On(subs, a.onRefreshed)
	sdk.On(subs, a.onEnded)
	if _, err := c.Subscribe(subs.HandleEvent, sdk.ForSubject(nodeEvents)); err != nil {
		return err
	}
	if _, err := c.HandleSubscribe(a.decide); err != nil {
		return err
	}
	c.Log().Info("dialogevent: serving the dialog event package", "watched", len(allow), "max_expires", cfg.MaxExpires)
	return nil
}
