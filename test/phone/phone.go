package phone

import (
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Phone is one scripted SIP user agent: a sipgo UA, server and client on one
// UDP socket bound to 127.0.0.1 port 0.
type Phone struct {
	t    testing.TB
	name string
	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	cli  *sipgo.Client
	conn net.PacketConn
	port int

	invites chan *Incoming
	ood     chan *ServerRequest // REFERs outside any dialog, each with a new dialog
	closed  chan struct{}       // closed in t.Cleanup: handlers stop waiting
	served  chan struct{}       // closed when ServeUDP returns

	mu       sync.Mutex // guards received, dialogs and reg
	received []*sip.Request
	dialogs  map[string]*Dialog // by Call-ID and our tag
	reg      Registration
}

// New starts a phone named name (the user part of its From and Contact). It
// is closed in t.Cleanup.
func New(t testing.TB, name string) *Phone {
	t.Helper()
	log := testLogger(t, name)
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(name),
		sipgo.WithUserAgentHostname("127.0.0.1"),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(log),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {}),
		),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
	)
	if err != nil {
		t.Fatalf("phone %s: ua: %v", name, err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		t.Fatalf("phone %s: server: %v", name, err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log))
	if err != nil {
		t.Fatalf("phone %s: client: %v", name, err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("phone %s: listen: %v", name, err)
	}
	p := &Phone{
		t: t, name: name, ua: ua, srv: srv, cli: cli, conn: conn,
		port:    conn.LocalAddr().(*net.UDPAddr).Port,
		invites: make(chan *Incoming, 16),
		ood:     make(chan *ServerRequest, 16),
		closed:  make(chan struct{}),
		served:  make(chan struct{}),
		dialogs: map[string]*Dialog{},
	}
	srv.OnNoRoute(p.onRequest)
	for _, m := range []sip.RequestMethod{sip.INVITE, sip.ACK, sip.CANCEL, sip.BYE, sip.OPTIONS, sip.INFO,
		sip.UPDATE, sip.MESSAGE, sip.SUBSCRIBE, sip.NOTIFY, sip.REFER, sip.PRACK, sip.REGISTER, sip.PUBLISH} {
		srv.OnRequest(m, p.onRequest)
	}
	go func() {
		defer close(p.served)
		_ = srv.ServeUDP(conn)
	}()
	t.Cleanup(p.close)
	// ServeUDP registers the socket for outgoing requests on its goroutine;
	// requests sent before that would try to bind the port again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := ua.TransportLayer().GetConnection("udp", p.Addr()); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("phone %s: socket not served", name)
		}
		time.Sleep(time.Millisecond)
	}
	return p
}

func (p *Phone) close() {
	close(p.closed)
	_ = p.ua.Close()
	_ = p.conn.Close()
	select {
	case <-p.served:
	case <-time.After(5 * time.Second):
		p.t.Errorf("phone %s: serve loop did not stop", p.name)
	}
}

// Name is the phone's name.
func (p *Phone) Name() string { return p.name }

// Addr is the phone's host:port.
func (p *Phone) Addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// Port is the phone's UDP port.
func (p *Phone) Port() int { return p.port }

// URI is sip:user@127.0.0.1:port, a URI that reaches this phone.
func (p *Phone) URI(user string) string { return "sip:" + user + "@" + p.Addr() }

// Received returns every request the phone received so far, in arrival
// order (ACK and CANCEL included).
func (p *Phone) Received() []*sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*sip.Request(nil), p.received...)
}

// NextInvite waits up to timeout for a new incoming call; the test fails if
// none comes.
func (p *Phone) NextInvite(timeout time.Duration) *Incoming {
	p.t.Helper()
	select {
	case inc := <-p.invites:
		return inc
	case <-time.After(timeout):
		p.t.Fatalf("phone %s: no INVITE within %v", p.name, timeout)
		return nil
	}
}

// Invites is the channel NextInvite reads, for tests that select.
func (p *Phone) Invites() <-chan *Incoming { return p.invites }

func (p *Phone) record(req *sip.Request) {
	p.mu.Lock()
	p.received = append(p.received, req)
	p.mu.Unlock()
}

func (p *Phone) addDialog(d *Dialog) {
	p.mu.Lock()
	p.dialogs[d.callID+"|"+d.localTag] = d
	p.mu.Unlock()
}

func (p *Phone) dialog(callID, localTag string) *Dialog {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dialogs[callID+"|"+localTag]
}

// onRequest serves every request. sipgo ends the server transaction when
// it returns, so it waits for the test's answer (or the phone's end).
func (p *Phone) onRequest(req *sip.Request, tx sip.ServerTransaction) {
	p.record(req)
	if req.CallID() == nil || req.To() == nil || req.CSeq() == nil {
		p.respond(tx, req, 400)
		return
	}
	toTag, _ := req.To().Params.Get("tag")
	switch {
	case req.IsInvite() && toTag == "":
		p.onInvite(req, tx)
		return
	case req.Method == sip.REFER && toTag == "":
		p.onOutOfDialog(req, tx)
		return
	case req.IsCancel():
		// A CANCEL matching a pending INVITE never gets here (sipgo answers it).
		p.respond(tx, req, 481)
		return
	case toTag == "":
		if req.Method == sip.OPTIONS {
			p.respond(tx, req, 200)
		} else if !req.IsAck() {
			p.respond(tx, req, 405)
		}
		return
	}
	d := p.dialog(req.CallID().Value(), toTag)
	if d == nil {
		if !req.IsAck() {
			p.respond(tx, req, 481)
		}
		return
	}
	sr := &ServerRequest{Method: req.Method, Req: req, d: d, answered: make(chan struct{})}
	if !req.IsAck() {
		sr.tx = tx
	}
	if !d.push(sr) {
		if sr.tx != nil {
			p.respond(tx, req, 500)
		}
		return
	}
	if sr.tx == nil {
		return
	}
	select {
	case <-sr.answered:
	case <-tx.Done():
	case <-p.closed:
	}
}

// onInvite starts an incoming call and waits until it is finally answered.
func (p *Phone) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	inc := newIncoming(p, req, tx)
	// 100 at once, as a UAS should: it also stops sipgo's own 100 timer,
	// which would read the INVITE's To header while we set its tag.
	_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
	p.addDialog(inc.Dialog)
	if !tx.OnCancel(func(cancel *sip.Request) { inc.onCancel(cancel) }) {
		inc.markFinal() // cancelled (or ended) before we could listen
	}
	select {
	case p.invites <- inc:
	default:
		p.t.Errorf("phone %s: too many unread INVITEs", p.name)
		_ = inc.respond(486, "", nil)
		return
	}
	select {
	case <-inc.final:
	case <-tx.Done():
	case <-p.closed:
	}
}

func (p *Phone) respond(tx sip.ServerTransaction, req *sip.Request, code int) {
	res := sip.NewResponseFromRequest(req, code, reasonPhrase(code), nil)
	if err := tx.Respond(res); err != nil {
		p.t.Logf("phone %s: respond %d: %v", p.name, code, err)
	}
}

// noBuild sends a request exactly as built.
func noBuild(*sipgo.Client, *sip.Request) error { return nil }

// prepare adds the phone's Via and binds the request to its socket.
func (p *Phone) prepare(req *sip.Request) {
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "127.0.0.1", Port: p.port}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	req.PrependHeader(via)
	req.SetTransport("UDP")
	req.Laddr = sip.Addr{IP: net.IPv4(127, 0, 0, 1), Port: p.port, Hostname: "127.0.0.1"}
}

// contact is the phone's Contact header.
func (p *Phone) contact() *sip.ContactHeader {
	return &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: p.name, Host: "127.0.0.1", Port: p.port}}
}

// testLogger discards sipgo's logs unless TANDEM_TEST_LOG=1.
func testLogger(t testing.TB, name string) *slog.Logger {
	if os.Getenv("TANDEM_TEST_LOG") != "1" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})).With("phone", name)
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	defer func() { _ = recover() }() // a log line after the test ended
	w.t.Log(string(b))
	return len(b), nil
}

// reasonPhrase is the phrase the phone puts on a status code.
func reasonPhrase(code int) string {
	if r, ok := map[int]string{
		100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 183: "Session Progress",
		200: "OK", 202: "Accepted", 301: "Moved Permanently", 302: "Moved Temporarily",
		400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
		408: "Request Timeout", 480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
		486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
		500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable", 603: "Decline",
	}[code]; ok {
		return r
	}
	return "Status " + strconv.Itoa(code)
}
