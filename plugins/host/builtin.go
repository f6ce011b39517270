package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// builtinLauncher runs a built-in app in this process, on a connection of
// its own: as its own user with its grant when the server requires
// authentication, so that a built-in has exactly the power a process
// plugin would have.
func (h *Host) builtinLauncher(p PluginConfig, log *slog.Logger) (launcher, error) {
	app, ok := h.builtins[p.app()]
	if !ok {
		return nil, fmt.Errorf("host: plugin %s: no built-in app %q", p.Name, p.app())
	}
	config, err := configJSON(p.Config)
	if err != nil {
		return nil, fmt.Errorf("host: plugin %s: %w", p.Name, err)
	}
	return func(ctx context.Context) (instance, error) {
		opts := []nats.Option{nats.Name("tandem-builtin " + p.Name)}
		if g, ok := h.grants[p.Name]; ok && !h.nats.External {
			opts = append(opts, nats.UserInfo(g.User, g.Password), nats.CustomInboxPrefix(g.InboxPrefix))
		}
		if h.nats.External && p.CredentialsFile != "" {
			opts = append(opts, nats.UserCredentials(p.CredentialsFile))
		}
		nc, err := h.nats.Connect(opts...)
		if err != nil {
			return nil, fmt.Errorf("host: plugin %s: connect: %w", p.Name, err)
		}
		inst, err := sdk.Start(ctx, nc, app,
			sdk.WithName(p.Name), sdk.WithNode(h.node), sdk.WithConfig(config), sdk.WithLogger(log))
		if err != nil {
			nc.Close()
			return nil, err
		}
		return &builtinInstance{nc: nc, inst: inst}, nil
	}, nil
}

// builtinInstance is a running built-in app.
type builtinInstance struct {
	nc   *nats.Conn
	inst *sdk.Instance
}

func (b *builtinInstance) done() <-chan struct{} { return b.inst.Done() }

func (b *builtinInstance) cause() error {
	if err := b.inst.Err(); err != nil {
		return err
	}
	return errors.New("stopped")
}

// ping is a round trip to the NATS server on the plugin's connection.
func (b *builtinInstance) ping(ctx context.Context) error { return b.nc.FlushWithContext(ctx) }

func (b *builtinInstance) stop(ctx context.Context) error {
	err := b.inst.Stop(ctx)
	if derr := b.nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
		b.nc.Close()
	}
	return err
}

func (b *builtinInstance) kill() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stop without waiting for handlers
	_ = b.inst.Stop(ctx)
	b.nc.Close()
}

func (b *builtinInstance) pid() int { return 0 }
