// Command blocklist is a Tandem plugin: it rejects calls from blocked
// callers and logs every call that ends.
package main

import (
	"context"
	"slices"
	"strings"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Config is the plugin's configuration, from Tandem's plugins.list.
type Config struct {
	Blocked []string `json:"blocked"` // caller URIs, e.g. "sip:spam@example.com"
}

func start(_ context.Context, c *sdk.Client) error {
	var cfg Config
	if err := c.Config(&cfg); err != nil {
		return err
	}
	// Answer the routing decision: reject blocked callers, let the core
	// route everyone else with its own routes.
	if _, err := c.HandleRoute(func(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
		if slices.Contains(cfg.Blocked, strings.ToLower(req.From)) {
			return events.RouteDecisionV1{Action: events.RouteReject, Code: 403, Reason: "Blocked"}, nil
		}
		return events.RouteDecisionV1{Action: events.RouteDefault}, nil
	}); err != nil {
		return err
	}
	// Watch events, typed.
	mux := sdk.NewEventMux()
	sdk.On(mux, func(_ context.Context, ev *events.CallEndedV1) {
		c.Log().Info("call ended", "call_id", ev.CallID, "code", ev.Code, "hung_up_by", ev.HungUpBy)
	})
	_, err := c.Subscribe(mux.HandleEvent)
	return err
}

func main() {
	sdk.Serve(sdk.Plugin{Name: "blocklist", Start: start})
}
