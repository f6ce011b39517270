package prefix

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Config is the plugin's configuration.
type Config struct {
	// Prefixes maps a prefix of the called user to a target URI template.
	Prefixes map[string]string `json:"prefixes"`
}

// Router routes by longest prefix. It is immutable and safe for concurrent
// use.
type Router struct {
	targets map[string]string
	longest int // length of the longest prefix
}

// New checks cfg and builds its Router.
func New(cfg Config) (*Router, error) {
	r := &Router{targets: make(map[string]string, len(cfg.Prefixes))}
	var errs []error
	for p, t := range cfg.Prefixes {
		lt := strings.ToLower(t)
		if !strings.HasPrefix(lt, "sip:") && !strings.HasPrefix(lt, "sips:") {
			errs = append(errs, fmt.Errorf("prefix %q: target %q is not a sip: or sips: URI", p, t))
			continue
		}
		r.targets[p] = t
		r.longest = max(r.longest, len(p))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("prefix: %w", errors.Join(errs...))
	}
	return r, nil
}

// Target returns the target for user by its longest matching prefix.
func (r *Router) Target(user string) (string, bool) {
	for n := min(len(user), r.longest); n >= 0; n-- {
		if t, ok := r.targets[user[:n]]; ok {
			return strings.NewReplacer("$rest", user[n:], "$user", user).Replace(t), true
		}
	}
	return "", false
}

// Decide answers the routing decision: forward to the target of the longest
// matching prefix, or decline (RouteDefault) when none matches.
func (r *Router) Decide(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
	t, ok := r.Target(req.User)
	if !ok {
		return events.RouteDecisionV1{Action: events.RouteDefault}, nil
	}
	return events.RouteDecisionV1{Action: events.RouteForward, Target: t}, nil
}

// Plugin is the prefix router as a plugin.
var Plugin = sdk.Plugin{Name: "prefixrouter", Start: start}

func start(_ context.Context, c *sdk.Client) error {
	var cfg Config
	if err := c.Config(&cfg); err != nil {
		return err
	}
	r, err := New(cfg)
	if err != nil {
		return err
	}
	if _, err := c.HandleRoute(r.Decide); err != nil {
		return err
	}
	c.Log().Info("prefixrouter: routing", "prefixes", len(r.targets))
	return nil
}
