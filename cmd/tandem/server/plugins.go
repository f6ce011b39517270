package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-sip/tandem/apps/conference"
	"github.com/tandem-sip/tandem/apps/rcc"
	"github.com/tandem-sip/tandem/apps/rcc/dialogevent"
	"github.com/tandem-sip/tandem/apps/transfer"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/examples/prefixrouter/prefix"
	"github.com/tandem-sip/tandem/plugins/host"
)

// builtins are the apps a builtin plugin (plugins.list, kind builtin) can
// run in-process, by name. Declared once, here.
var builtins = host.Registry{
	"conference":   conference.Plugin,
	"dialog-event": dialogevent.Plugin,
	"prefixrouter": prefix.Plugin,
	"rcc":          rcc.Plugin,
	"transfer":     transfer.Plugin,
}

// newPluginHost prepares the plugin host of cfg. It returns the NATS
// configuration to start with: with the embedded server and a process
// plugin configured, every plugin's user is added, which turns
// authentication on.
func newPluginHost(cfg config.Config, log *slog.Logger, reg prometheus.Registerer) (*host.Host, natsapi.Config, error) {
	h, err := host.New(cfg.Plugins, cfg.Node, host.WithLogger(log), host.WithRegisterer(reg), host.WithBuiltins(builtins))
	if err != nil {
		return nil, cfg.NATS, err
	}
	nc := cfg.NATS
	if nc.URL == "" {
		users := slices.Clone(nc.Embedded.Users)
		for _, g := range h.Users() {
			users = append(users, natsapi.User{
				User: g.User, Password: natsapi.Secret(g.PasswordHash), Publish: g.Publish, Subscribe: g.Subscribe,
			})
		}
		nc.Embedded.Users = users
	}
	return h, nc, nil
}

// startPlugins launches the plugins; the core is serving by then.
func (s *Server) startPlugins(ctx context.Context) error {
	err := s.plugins.Start(ctx, host.NATS{
		URL:      s.api.ClientURL(),
		External: s.cfg.NATS.URL != "",
		Connect:  s.api.Connect,
		Conn:     s.api.Conn(),
	})
	if err != nil {
		return fmt.Errorf("server: plugins: %w", err)
	}
	return nil
}

// stopPlugins stops the plugins, after the calls have drained and before
// NATS closes.
func (s *Server) stopPlugins(ctx context.Context) error {
	if err := s.plugins.Shutdown(ctx); err != nil {
		return fmt.Errorf("server: plugins: %w", err)
	}
	return nil
}

// Plugins is the node's plugin host.
func (s *Server) Plugins() *host.Host { return s.plugins }
