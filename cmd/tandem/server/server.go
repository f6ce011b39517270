package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/host"
)

// Server is one running node.
type Server struct {
	cfg  config.Config
	log  *slog.Logger
	reg  *prometheus.Registry
	api  *natsapi.API
	core *b2bua.Core

	plugins *host.Host

	httpSrv *http.Server
	httpLn  net.Listener
	cancel  context.CancelFunc
	served  chan struct{}

	stopMu  sync.Mutex    // guards stopped
	stopped chan struct{} // made by the first Shutdown, closed when it is done
	stopErr error         // the first Shutdown's result, set before stopped closes
}

// Start brings a node up: NATS first (events must have somewhere to go),
// then the core, the command service, the plugins and HTTP. It returns
// once every listener is bound and every plugin has had its first try at
// starting. Stop it with Shutdown.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, log: log, reg: prometheus.NewRegistry(), served: make(chan struct{})}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	plugins, natsCfg, err := newPluginHost(cfg, log.With("component", "plugins"), s.reg)
	if err != nil {
		return nil, fmt.Errorf("server: plugins: %w", err)
	}
	s.plugins = plugins
	api, err := natsapi.Start(ctx, natsCfg, cfg.Node, log.With("component", "nats"), s.reg)
	if err != nil {
		return nil, fmt.Errorf("server: nats: %w", err)
	}
	s.api = api
	core, err := b2bua.New(cfg.Config, log.With("component", "b2bua"),
		b2bua.WithEventSink(api), b2bua.WithRouteDecider(api), b2bua.WithRegisterer(s.reg), b2bua.WithNATSConn(api.Conn()))
	if err != nil {
		api.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	s.core = core
	if err := core.Start(ctx); err != nil {
		api.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if err := api.ServeCommands(cctx, core); err != nil {
		s.abort()
		return nil, fmt.Errorf("server: commands: %w", err)
	}
	if err := s.startPlugins(ctx); err != nil {
		s.abort()
		return nil, err
	}
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			s.abort()
			return nil, fmt.Errorf("server: http listen %s: %w", cfg.HTTP.Listen, err)
		}
		s.httpLn = ln
		s.httpSrv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			defer close(s.served)
			if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("server: http ended", "error", err)
			}
		}()
	} else {
		close(s.served)
	}
	log.Info("server: tandem ready", "node", cfg.Node, "sip_udp", core.UDPAddr(), "sip_tcp", core.TCPAddr(),
		"http", s.HTTPAddr(), "nats", api.ClientURL())
	return s, nil
}

func (s *Server) abort() {
	s.cancel()
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.stopPlugins(sctx)
	s.core.Shutdown(sctx)
	s.api.Close()
}

// Shutdown drains calls (b2bua.Core.Shutdown), stops the plugins, flushes
// events and stops NATS and HTTP. Only the first call does the work; later
// (or concurrent) calls wait for it, or for their ctx, and return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopMu.Lock()
	if done := s.stopped; done != nil {
		s.stopMu.Unlock()
		select {
		case <-done:
			return s.stopErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	done := make(chan struct{})
	s.stopped = done
	s.stopMu.Unlock()
	s.stopErr = s.shutdown(ctx)
	close(done)
	return s.stopErr
}

func (s *Server) shutdown(ctx context.Context) error {
	var errs []error
	if err := s.core.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("server: sip: %w", err))
	}
	if err := s.stopPlugins(ctx); err != nil {
		errs = append(errs, err)
	}
	s.cancel()
	if err := s.api.Close(); err != nil {
		errs = append(errs, fmt.Errorf("server: nats: %w", err))
	}
	if s.httpSrv != nil {
		hctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(hctx); err != nil {
			errs = append(errs, fmt.Errorf("server: http: %w", err))
		}
		<-s.served
	}
	return errors.Join(errs...)
}

// Core is the node's B2BUA.
func (s *Server) Core() *b2bua.Core { return s.core }

// NATS is the node's own NATS connection.
func (s *Server) NATS() *nats.Conn { return s.api.Conn() }

// NATSURL is the URL a client reaches the node's NATS at. When the
// embedded server requires authentication (a process plugin is
// configured) it carries the core's internal credentials, for in-process
// tools and tests: never log it.
func (s *Server) NATSURL() string { return s.api.InternalURL() }

// SIPUDPAddr is the bound SIP UDP address.
func (s *Server) SIPUDPAddr() net.Addr { return s.core.UDPAddr() }

// SIPTCPAddr is the bound SIP TCP address.
func (s *Server) SIPTCPAddr() net.Addr { return s.core.TCPAddr() }

// HTTPAddr is the bound HTTP address, "" when disabled.
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// Registry holds the node's metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }
