package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandem-sip/tandem/plugins/internal/pluginpb"
	"github.com/tandem-sip/tandem/plugins/internal/wire"
)

// Serve runs p as a plugin process; call it from main:
//
//	func main() { sdk.Serve(myPlugin) }
//
// The host that launched the executable (plugins.list in Tandem's
// configuration, kind process) talks to it over go-plugin's gRPC with
// mutual TLS: it hands over the NATS URL, the plugin's own credentials,
// its name and configuration; Serve connects to NATS, starts p exactly as
// Start would in-process, and serves until the host stops it. Logs go to
// stderr as JSON, which the host logs as its own. Serve never returns: the
// process exits 0 when the host stopped it, and 1 when p failed (its Go
// function returned an error, its connection closed...), so that the host
// restarts it, or when the executable was not started by a host.
func Serve(p Plugin, opts ...Option) {
	stderr := os.Stderr // go-plugin redirects os.Stderr once serving
	s := &server{p: p, opts: opts, stderr: stderr, stopped: make(chan struct{})}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins:         wire.Plugins(s),
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: "go-plugin", Level: hclog.Warn, Output: stderr, JSONFormat: true,
		}),
	})
	// The host closed the connection (go-plugin's Kill): stop if Stop did
	// not come first.
	ctx, cancel := context.WithTimeout(context.Background(), DefaultStopTimeout)
	defer cancel()
	if err := s.stop(ctx); err != nil {
		s.logger().Error("sdk: stop", "err", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// server is the plugin process's side of pluginpb.
type server struct {
	pluginpb.UnimplementedPluginServer
	p      Plugin
	opts   []Option
	stderr io.Writer

	mu      sync.Mutex // guards log, inst, nc
	log     *slog.Logger
	inst    *Instance
	nc      *nats.Conn
	stopped chan struct{} // closed by stop
	stopErr error
	once    sync.Once
}

func (s *server) logger() *slog.Logger {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		s.log = slog.New(NewProcessLogHandler(s.stderr, slog.LevelInfo))
	}
	return s.log
}

// Start connects to NATS and starts the plugin.
func (s *server) Start(ctx context.Context, req *pluginpb.StartRequest) (*pluginpb.StartResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst != nil || s.nc != nil {
		return nil, status.Error(codes.FailedPrecondition, "sdk: plugin already started")
	}
	select {
	case <-s.stopped:
		return nil, status.Error(codes.FailedPrecondition, "sdk: plugin stopped")
	default:
	}
	s.log = slog.New(NewProcessLogHandler(s.stderr, parseLevel(req.GetLogLevel())))
	log := s.log.With("plugin", req.GetName())

	nopts := []nats.Option{
		nats.Name("tandem-plugin " + req.GetName()),
		nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Error("sdk: nats", "subject", subj, "err", err)
		}),
	}
	if dl, ok := ctx.Deadline(); ok {
		nopts = append(nopts, nats.Timeout(time.Until(dl)))
	}
	if u := req.GetNatsUser(); u != "" {
		nopts = append(nopts, nats.UserInfo(u, req.GetNatsPassword()))
	}
	if f := req.GetNatsCredentialsFile(); f != "" {
		nopts = append(nopts, nats.UserCredentials(f))
	}
	if p := req.GetInboxPrefix(); p != "" {
		nopts = append(nopts, nats.CustomInboxPrefix(p))
	}
	nc, err := nats.Connect(req.GetNatsUrl(), nopts...)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "sdk: connect to nats: %v", err)
	}
	opts := append([]Option{
		WithName(req.GetName()),
		WithNode(req.GetNode()),
		WithConfig(req.GetConfig()),
		WithLogger(s.log),
	}, s.opts...)
	inst, err := Start(ctx, nc, s.p, opts...)
	if err != nil {
		nc.Close()
		return nil, status.Errorf(codes.Aborted, "%v", err)
	}
	s.nc, s.inst = nc, inst
	go s.exitOnFailure(inst, log)
	return &pluginpb.StartResponse{}, nil
}

// exitOnFailure ends the process when the plugin fails by itself, so that
// the host notices at once (its Wait call fails) and restarts it.
func (s *server) exitOnFailure(inst *Instance, log *slog.Logger) {
	select {
	case <-inst.Done():
	case <-s.stopped:
		return
	}
	if err := inst.Err(); err != nil {
		select {
		case <-s.stopped:
			return
		default:
		}
		log.Error("sdk: plugin failed; exiting", "err", err)
		os.Exit(1)
	}
}

// Wait returns after Stop; it fails when the process ends.
func (s *server) Wait(ctx context.Context, _ *pluginpb.WaitRequest) (*pluginpb.WaitResponse, error) {
	select {
	case <-s.stopped:
		return &pluginpb.WaitResponse{}, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// Stop stops the plugin and closes its connection.
func (s *server) Stop(ctx context.Context, _ *pluginpb.StopRequest) (*pluginpb.StopResponse, error) {
	if err := s.stop(ctx); err != nil {
		return &pluginpb.StopResponse{Error: err.Error()}, nil
	}
	return &pluginpb.StopResponse{}, nil
}

func (s *server) stop(ctx context.Context) error {
	s.once.Do(func() {
		s.mu.Lock()
		inst, nc := s.inst, s.nc
		s.mu.Unlock()
		var errs []error
		if inst != nil {
			errs = append(errs, inst.Stop(ctx))
		}
		if nc != nil {
			// Drain flushes what the plugin published last.
			if err := nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
				errs = append(errs, fmt.Errorf("sdk: nats drain: %w", err))
				nc.Close()
			}
		}
		s.stopErr = errors.Join(errs...)
		close(s.stopped)
	})
	<-s.stopped
	return s.stopErr
}
