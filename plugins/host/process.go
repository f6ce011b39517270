package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandem-sip/tandem/plugins/internal/pluginpb"
	"github.com/tandem-sip/tandem/plugins/internal/wire"
)

// processLauncher launches the plugin's executable with go-plugin: gRPC
// over a Unix socket with AutoMTLS, the executable's SHA-256 checked first
// when one is configured. The NATS URL and the plugin's credentials go over
// that channel (never in its arguments or environment).
func (h *Host) processLauncher(p PluginConfig, log *slog.Logger) (launcher, error) {
	config, err := configJSON(p.Config)
	if err != nil {
		return nil, fmt.Errorf("host: plugin %s: %w", p.Name, err)
	}
	var checksum []byte
	if p.SHA256 != "" {
		if checksum, err = hex.DecodeString(p.SHA256); err != nil {
			return nil, fmt.Errorf("host: plugin %s: sha256: %w", p.Name, err)
		}
	}
	level := "info"
	if h.log.Enabled(context.Background(), slog.LevelDebug) {
		level = "debug"
	}
	hlog := newHCLogger(log)
	return func(ctx context.Context) (instance, error) {
		cmd := exec.Command(p.Path, p.Args...)
		dieWithParent(cmd)
		cc := &plugin.ClientConfig{
			HandshakeConfig:  wire.Handshake,
			Plugins:          wire.Plugins(nil),
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
			AutoMTLS:         true,
			StartTimeout:     h.cfg.StartTimeout,
			Logger:           hlog,
		}
		if checksum != nil {
			cc.SecureConfig = &plugin.SecureConfig{Checksum: checksum, Hash: sha256.New()}
		}
		client := plugin.NewClient(cc)
		pi := &processInstance{client: client, cmd: cmd, exited: make(chan struct{})}
		rpc, err := client.Client()
		if err != nil {
			client.Kill()
			return nil, fmt.Errorf("host: launch %s: %w", p.Path, err)
		}
		raw, err := rpc.Dispense(wire.PluginName)
		if err != nil {
			client.Kill()
			return nil, fmt.Errorf("host: launch %s: %w", p.Path, err)
		}
		pc, ok := raw.(pluginpb.PluginClient)
		if !ok {
			client.Kill()
			return nil, fmt.Errorf("host: launch %s: unexpected plugin type %T", p.Path, raw)
		}
		pi.rpc, pi.pc = rpc, pc
		req := &pluginpb.StartRequest{
			Name: p.Name, Node: h.node, NatsUrl: h.nats.URL, Config: config, LogLevel: level,
		}
		if g, ok := h.grants[p.Name]; ok && !h.nats.External {
			req.NatsUser, req.NatsPassword, req.InboxPrefix = g.User, g.Password, g.InboxPrefix
		}
		if h.nats.External {
			req.NatsCredentialsFile = p.CredentialsFile
		}
		if _, err := pc.Start(ctx, req); err != nil {
			pi.kill()
			return nil, fmt.Errorf("host: start %s: %s", p.Name, status.Convert(err).Message())
		}
		wctx, cancel := context.WithCancel(context.Background())
		pi.cancelWait = cancel
		go pi.wait(wctx)
		return pi, nil
	}, nil
}

// processInstance is a running plugin process.
type processInstance struct {
	client     *plugin.Client
	cmd        *exec.Cmd
	rpc        plugin.ClientProtocol
	pc         pluginpb.PluginClient
	cancelWait context.CancelFunc

	exited   chan struct{} // closed when the Wait call returns
	waitErr  error         // set before exited is closed
	killOnce sync.Once
}

// wait holds a Wait call open: it fails as soon as the process is gone.
func (p *processInstance) wait(ctx context.Context) {
	defer close(p.exited)
	_, err := p.pc.Wait(ctx, &pluginpb.WaitRequest{})
	switch {
	case err == nil:
		p.waitErr = errors.New("stopped")
	case status.Code(err) == codes.Unavailable, status.Code(err) == codes.Canceled:
		// go-plugin logs the exit status ("plugin process exited").
		p.waitErr = errors.New("process exited")
	default:
		p.waitErr = fmt.Errorf("wait: %w", err)
	}
}

func (p *processInstance) done() <-chan struct{} { return p.exited }
func (p *processInstance) cause() error          { return p.waitErr }

// ping is go-plugin's Ping (the gRPC health service), bounded by ctx.
func (p *processInstance) ping(ctx context.Context) error {
	res := make(chan error, 1)
	go func() { res <- p.rpc.Ping() }() // ends at the latest when kill closes the connection
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop asks the plugin to stop, then ends the process (go-plugin's Kill:
// a graceful shutdown, forced after two seconds).
func (p *processInstance) stop(ctx context.Context) error {
	res, err := p.pc.Stop(ctx, &pluginpb.StopRequest{})
	if err != nil {
		return fmt.Errorf("stop: %s", status.Convert(err).Message())
	}
	p.killOnce.Do(func() {
		p.client.Kill()
		p.cancelWait()
	})
	if res.GetError() != "" {
		return errors.New(res.GetError())
	}
	return nil
}

// kill ends the process at once and cleans up after it.
func (p *processInstance) kill() {
	p.killOnce.Do(func() {
		if p.cmd.Process != nil {
			_ = p.cmd.Process.Kill()
		}
		p.client.Kill()
		if p.cancelWait != nil {
			p.cancelWait()
		}
	})
}

func (p *processInstance) pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}
