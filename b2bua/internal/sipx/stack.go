package sipx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Config configures the stack.
type Config struct {
	Listen        string // host:port; port 0 picks one (UDP and TCP share it)
	UDP, TCP      bool
	Advertise     string // host:port for Via and Contact; defaults to the bound address
	UDPReadBuffer int
	UserAgent     string
	// WrapUDP, when set, wraps the UDP socket before sipgo reads from it
	// (the malformed-input guard).
	WrapUDP func(net.PacketConn) net.PacketConn
}

// Handler serves one request. It runs on its own goroutine; the server
// transaction ends when it returns, so a handler must not return before its
// final response is sent.
type Handler func(req *Request, tx ServerTransaction)

// Stack is the SIP user agent: listeners, server and client.
type Stack struct {
	cfg Config
	log *slog.Logger
	ua  *sipgo.UserAgent
	srv *sipgo.Server
	cli *sipgo.Client

	udp      net.PacketConn
	tcp      net.Listener
	udpLaddr sip.Addr
	host     string
	port     int

	wg sync.WaitGroup

	stray atomic.Pointer[func(*Response)]
}

// sipgo refuses to send a UDP request larger than 1300 bytes (RFC 3261
// §18.1.1 wants TCP then, which sipgo does not switch to). A NOTIFY with a
// few registrations, or an INVITE with a rich SDP, is larger; rather than
// fail, Tandem sends such requests over UDP anyway (IP fragments them).
// Switching to TCP when the peer supports it is left to do. The setting is
// process-global in sipgo, hence set before anything runs.
//
// Timer M (RFC 6026 §8.4) is how long an INVITE client transaction stays
// Accepted after its first 2xx, passing retransmitted 2xx up; sipgo's is
// 64×T1, 32 s, and holds the INVITE and its 2xx in memory all that time
// (at 300 calls/s, three INVITEs a call, the bulk of the heap). Here the
// transaction only covers the 2xx that race our ACK; a 2xx retransmitted
// later matches no transaction and goes to OnStrayResponse, where the core
// sends the ACK again as RFC 3261 §13.2.2.4 has the UA core do.
func init() {
	sip.UDPMTUSize = 65535
	sip.Timer_M = AcceptedLinger
}

// AcceptedLinger is Timer M: T1.
const AcceptedLinger = 500 * time.Millisecond

// New builds a stack; Listen binds it.
func New(cfg Config, log *slog.Logger) (*Stack, error) {
	if !cfg.UDP && !cfg.TCP {
		return nil, errors.New("sipx: neither udp nor tcp enabled")
	}
	s := &Stack{cfg: cfg, log: log}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(log.With("sip", "transaction")),
			// Stray responses (retransmissions after a transaction ended,
			// answers to nothing we sent) go to OnStrayResponse's function.
			sip.WithTransactionLayerUnhandledResponseHandler(func(r *sip.Response) { s.onStray(r) }),
		),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log.With("sip", "transport"))),
	)
	if err != nil {
		return nil, fmt.Errorf("sipx: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log.With("sip", "server")))
	if err != nil {
		return nil, fmt.Errorf("sipx: server: %w", err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log.With("sip", "client")))
	if err != nil {
		return nil, fmt.Errorf("sipx: client: %w", err)
	}
	s.ua, s.srv, s.cli = ua, srv, cli
	return s, nil
}

// OnStrayResponse sets f to get every response that matches no
// transaction: a 2xx retransmitted after its INVITE transaction ended (see
// AcceptedLinger), or an answer to nothing we sent. Without f they are
// dropped. f runs on the transport's goroutine and must not block.
func (s *Stack) OnStrayResponse(f func(*Response)) { s.stray.Store(&f) }

func (s *Stack) onStray(r *Response) {
	if f := s.stray.Load(); f != nil {
		(*f)(r)
		return
	}
	s.log.Debug("sipx: response matches no transaction, dropped", "response", r.Short())
}

// Handle registers the handler of a method. Call before Listen.
func (s *Stack) Handle(m RequestMethod, h Handler) {
	s.srv.OnRequest(m, func(req *sip.Request, tx sip.ServerTransaction) { h(req, tx) })
}

// HandleDefault registers the handler of every method without its own.
func (s *Stack) HandleDefault(h Handler) {
	s.srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) { h(req, tx) })
}

// Listen binds the sockets and serves them in the background. It returns
// once they are bound. With port 0, UDP and TCP get the same free port: the
// kernel picks one for UDP and TCP takes it too, trying again with another
// port when TCP's is taken.
func (s *Stack) Listen() error {
	host, portStr, err := net.SplitHostPort(s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("sipx: listen %q: %w", s.cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("sipx: listen port %q: %w", portStr, err)
	}
	tries := 1
	if port == 0 && s.cfg.UDP && s.cfg.TCP {
		tries = 20
	}
	for i := 1; ; i++ {
		err = s.bind(host, port)
		if err == nil || i == tries || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	if err != nil {
		return err
	}
	s.serve()
	return nil
}

// bind opens the sockets on host:port.
func (s *Stack) bind(host string, port int) error {
	if s.cfg.UDP {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("sipx: listen udp: %w", err)
		}
		if uc, ok := pc.(*net.UDPConn); ok && s.cfg.UDPReadBuffer > 0 {
			if err := uc.SetReadBuffer(s.cfg.UDPReadBuffer); err != nil {
				s.log.Warn("sipx: cannot set udp read buffer", "bytes", s.cfg.UDPReadBuffer, "error", err)
			}
			_ = uc.SetWriteBuffer(s.cfg.UDPReadBuffer)
		}
		port = pc.LocalAddr().(*net.UDPAddr).Port
		s.udp = pc
		la := pc.LocalAddr().(*net.UDPAddr)
		s.udpLaddr = sip.Addr{IP: la.IP, Port: la.Port, Hostname: la.IP.String()}
	}
	if s.cfg.TCP {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if s.udp != nil {
				s.udp.Close()
				s.udp = nil
			}
			return fmt.Errorf("sipx: listen tcp: %w", err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		s.tcp = l
	}
	s.host, s.port = host, port
	if s.cfg.Advertise != "" {
		ah, ap, err := net.SplitHostPort(s.cfg.Advertise)
		if err != nil {
			return fmt.Errorf("sipx: advertise %q: %w", s.cfg.Advertise, err)
		}
		s.host = ah
		if p, err := strconv.Atoi(ap); err == nil {
			s.port = p
		}
	}
	if s.host == "" || s.host == "0.0.0.0" || s.host == "::" {
		s.host = "127.0.0.1"
	}
	return nil
}

// serve starts sipgo on the bound sockets.
func (s *Stack) serve() {
	if s.udp != nil {
		pc := s.udp
		if s.cfg.WrapUDP != nil {
			pc = s.cfg.WrapUDP(pc)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.srv.ServeUDP(pc); err != nil {
				s.log.Error("sipx: udp serve ended", "error", err)
			}
		}()
	}
	if s.tcp != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.srv.ServeTCP(s.tcp); err != nil && !errors.Is(err, net.ErrClosed) {
				s.log.Error("sipx: tcp serve ended", "error", err)
			}
		}()
	}
}

// Host and Port are the advertised address.
func (s *Stack) Host() string { return s.host }

// Port is the advertised port.
func (s *Stack) Port() int { return s.port }

// UDPAddr is the bound UDP address, nil without UDP.
func (s *Stack) UDPAddr() net.Addr {
	if s.udp == nil {
		return nil
	}
	return s.udp.LocalAddr()
}

// TCPAddr is the bound TCP address, nil without TCP.
func (s *Stack) TCPAddr() net.Addr {
	if s.tcp == nil {
		return nil
	}
	return s.tcp.Addr()
}

// UserAgent is the configured User-Agent / Server value.
func (s *Stack) UserAgent() string { return s.cfg.UserAgent }

// prepare adds our Via and picks the socket for req.
func (s *Stack) prepare(req *Request, branch string) {
	tp := req.Transport()
	via := &sip.ViaHeader{
		ProtocolName:    "SIP",
		ProtocolVersion: "2.0",
		Transport:       tp,
		Host:            s.host,
		Port:            s.port,
	}
	via.Params.Add("branch", branch)
	via.Params.Add("rport", "")
	req.PrependHeader(via)
	if tp == "UDP" && s.udp != nil {
		s.udpLaddr.Copy(&req.Laddr)
	}
}

func noBuild(*sipgo.Client, *sip.Request) error { return nil }

// Request sends a request built by the caller (without Via) in a new client
// transaction. The caller must drain tx.Responses() until tx.Done().
func (s *Stack) Request(ctx context.Context, req *Request) (ClientTransaction, error) {
	s.prepare(req, GenerateBranch())
	tx, err := s.cli.TransactionRequest(ctx, req, noBuild)
	if err != nil {
		return nil, fmt.Errorf("sipx: send %s: %w", req.Method, err)
	}
	return tx, nil
}

// RequestSameBranch sends req (a CANCEL) reusing the top Via of orig.
func (s *Stack) RequestSameBranch(ctx context.Context, req *Request) (ClientTransaction, error) {
	tx, err := s.cli.TransactionRequest(ctx, req, noBuild)
	if err != nil {
		return nil, fmt.Errorf("sipx: send %s: %w", req.Method, err)
	}
	return tx, nil
}

// WriteACK sends an ACK for a 2xx outside any transaction.
func (s *Stack) WriteACK(req *Request) error {
	if req.Via() == nil {
		s.prepare(req, GenerateBranch())
	}
	if err := s.cli.WriteRequest(req, noBuild); err != nil {
		return fmt.Errorf("sipx: write ACK: %w", err)
	}
	return nil
}

// WriteResponse sends a response statelessly (for ACK-less answers).
func (s *Stack) WriteResponse(res *Response) error {
	return s.srv.WriteResponse(res)
}

// Close stops listening and ends every transaction.
func (s *Stack) Close() error {
	var errs []error
	if s.udp != nil {
		errs = append(errs, s.udp.Close())
	}
	if s.tcp != nil {
		errs = append(errs, s.tcp.Close())
	}
	errs = append(errs, s.ua.Close())
	s.wg.Wait()
	return errors.Join(errs...)
}
