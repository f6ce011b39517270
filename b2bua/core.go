package b2bua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
	"github.com/tandem-sip/tandem/b2bua/internal/sipguard"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// EventSink receives the core's events, in order per call. Publish is called
// from a call's executor and must not block.
type EventSink interface {
	Publish(ev events.Event)
}

// RouteDecider answers the routing decision (a plugin over NATS). Route must
// return by ctx's deadline; an error or a RouteDefault answer makes the core
// use its static routes.
type RouteDecider interface {
	Route(ctx context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error)
}

// Option configures a Core.
type Option func(*Core)

// WithEventSink sets where events go (default: nowhere).
func WithEventSink(s EventSink) Option { return func(c *Core) { c.sink = s } }

// WithRouteDecider sets who is asked to route new calls.
func WithRouteDecider(d RouteDecider) Option { return func(c *Core) { c.decider = d } }

// WithRegisterer registers the core's metrics (default: not registered).
func WithRegisterer(r prometheus.Registerer) Option { return func(c *Core) { c.reg = r } }

// WithNATSConn gives the core a NATS connection for what it keeps in
// JetStream itself (registrar bindings with registrar.store: jetstream).
func WithNATSConn(nc *nats.Conn) Option { return func(c *Core) { c.nc = nc } }

// WithUDPWrapper replaces the malformed-input guard wrapped around the UDP
// socket (tests only).
func WithUDPWrapper(w func(net.PacketConn) net.PacketConn) Option {
	return func(c *Core) { c.wrapUDP = w }
}

// Core is the back-to-back user agent. Lock order: none is held while
// calling into a call; calls own their state (one serial executor each).
type Core struct {
	cfg     Config
	log     *slog.Logger
	stack   *sipx.Stack
	sink    EventSink
	decider RouteDecider
	reg     prometheus.Registerer
	wrapUDP func(net.PacketConn) net.PacketConn
	routes  []compiledRoute
	headers headerPolicy
	metrics *metrics
	nc      *nats.Conn

	minter    *gruu.Minter // mints our legs' Contacts and the registrar's GRUUs
	epoch     uint32       // this start's generation in leg GRUUs
	registrar *registrar.Registrar
	regStore  registrar.Store
	regStop   context.CancelFunc
	regDone   chan struct{}

	legs        sync.Map // dialogKey -> *leg
	legIDs      sync.Map // leg id -> *leg, while the leg lives
	byes        sync.Map // dialogKey -> struct{}: dialogs we sent BYE on, for 32 s (a crossing BYE gets 200)
	late18x     sync.Map // B-leg SIP Call-ID -> *sipx.Response: the last 18x read (late18x.go)
	phoneRefers sync.Map // dialogKey -> *phoneRefer: click-to-dial REFERs
	referOut    sync.Map // dialogKey -> *outRefer: the dialogs of REFERs we sent out of dialog

	mix       *mixer.Engine // the conference mixer (rooms.go)
	mixCancel context.CancelFunc
	mixDone   chan struct{}
	roomsMu   sync.Mutex
	rooms     map[string]*room
	subs      sync.Map // dialogKey -> *regSub
	calls     sync.Map // call id -> *call
	outgoing  sync.Map // B-leg SIP Call-ID -> R-URI sent, for loop detection
	active    atomic.Int64
	draining  atomic.Bool
	idle      chan struct{} // signalled when the last call ends while draining
	idleOnce  sync.Once

	plugSubs   sync.Map // dialogKey -> *plugSub, a subscription a plugin serves (plugsub.go)
	plugSubIDs sync.Map // subscription id -> *plugSub, from before the SUBSCRIBE decision until it ends
}

type nopSink struct{}

func (nopSink) Publish(events.Event) {}

// New builds a core from a validated configuration.
func New(cfg Config, log *slog.Logger, opts ...Option) (*Core, error) {
	c := &Core{cfg: cfg, log: log, sink: nopSink{}, idle: make(chan struct{})}
	for _, o := range opts {
		o(c)
	}
	var err error
	if c.routes, err = compileRoutes(cfg.Routes); err != nil {
		return nil, err
	}
	c.headers = newHeaderPolicy(cfg.Headers.Allow)
	if c.minter, err = gruu.NewMinterFromConfig(cfg.GRUU, log); err != nil {
		return nil, fmt.Errorf("b2bua: gruu: %w", err)
	}
	c.epoch = rand.Uint32()
	if c.metrics, err = newMetrics(c.reg, c.active.Load); err != nil {
		return nil, fmt.Errorf("b2bua: metrics: %w", err)
	}
	if c.wrapUDP == nil {
		c.wrapUDP = func(pc net.PacketConn) net.PacketConn {
			return sipguard.NewPacketConn(pc, func(reason string, from net.Addr) {
				c.metrics.malformed.Inc()
				c.log.Warn("b2bua: malformed SIP rejected", "from", from.String(), "reason", reason)
			}, sipguard.WithProvisional(c.keepProvisional))
		}
	}
	c.stack, err = sipx.New(sipx.Config{
		Listen:        cfg.SIP.Listen,
		UDP:           cfg.SIP.UDP,
		TCP:           cfg.SIP.TCP,
		Advertise:     cfg.SIP.Advertise,
		UDPReadBuffer: cfg.SIP.UDPReadBuffer,
		UserAgent:     cfg.SIP.UserAgent,
		WrapUDP:       c.wrapUDP,
	}, log)
	if err != nil {
		return nil, fmt.Errorf("b2bua: %w", err)
	}
	if c.mix, err = mixer.NewEngine(cfg.Mixer, log.With("component", "mixer")); err != nil {
		return nil, fmt.Errorf("b2bua: mixer: %w", err)
	}
	c.rooms = map[string]*room{}
	c.registerHandlers()
	return c, nil
}

// Start binds the SIP sockets and serves them; it returns once bound.
func (c *Core) Start(ctx context.Context) error {
	if err := c.startRegistrar(ctx); err != nil {
		return err
	}
	if err := c.stack.Listen(); err != nil {
		return fmt.Errorf("b2bua: %w", err)
	}
	c.log.Info("b2bua: sip listening", "udp", c.stack.UDPAddr(), "tcp", c.stack.TCPAddr(),
		"advertise", fmt.Sprintf("%s:%d", c.stack.Host(), c.stack.Port()))
	return nil
}

// UDPAddr is the bound SIP UDP address (nil without UDP).
func (c *Core) UDPAddr() net.Addr { return c.stack.UDPAddr() }

// TCPAddr is the bound SIP TCP address (nil without TCP).
func (c *Core) TCPAddr() net.Addr { return c.stack.TCPAddr() }

// ActiveCalls is the number of calls in progress.
func (c *Core) ActiveCalls() int { return int(c.active.Load()) }

// Ready reports whether the core takes new calls.
func (c *Core) Ready() bool { return !c.draining.Load() }

func (c *Core) registerHandlers() {
	c.stack.Handle(sipx.INVITE, c.onInvite)
	c.stack.Handle(sipx.ACK, c.onAck)
	c.stack.Handle(sipx.CANCEL, c.onStrayCancel)
	c.stack.Handle(sipx.REGISTER, c.onRegister)
	for _, m := range []sipx.RequestMethod{sipx.BYE, sipx.UPDATE, sipx.INFO, sipx.MESSAGE, sipx.OPTIONS,
		sipx.SUBSCRIBE, sipx.NOTIFY, sipx.REFER, sipx.PRACK, sipx.PUBLISH} {
		c.stack.Handle(m, c.onRequest)
	}
	c.stack.HandleDefault(c.onRequest)
	c.stack.OnStrayResponse(c.onStrayResponse)
}

// errDraining is returned by commands while shutting down.
var errDraining = errors.New("b2bua: shutting down")
