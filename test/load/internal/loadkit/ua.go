package loadkit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// UA is one loopback SIP user agent (a phone): a sipgo server and client
// sharing one UDP socket on 127.0.0.1. Requests go to Handle, which answers
// them (sipgo ends the server transaction when it returns).
type UA struct {
	Name   string
	Port   int
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	cli    *sipgo.Client
	conn   net.PacketConn
	served chan struct{} // closed when ServeUDP returns

	// Handle answers the requests; set it before any arrives.
	Handle func(req *sip.Request, tx sip.ServerTransaction)

	mu      sync.Mutex               // guards pending
	pending map[string]chan struct{} // 2xx to INVITE awaiting ACK, by Call-ID and CSeq
}

// NewUA binds 127.0.0.1:port (0: any free port) and serves it.
func NewUA(name string, port int, log *slog.Logger) (*UA, error) {
	u := &UA{Name: name, served: make(chan struct{}), pending: map[string]chan struct{}{}}
	var err error
	u.ua, err = sipgo.NewUA(
		sipgo.WithUserAgent(name),
		sipgo.WithUserAgentHostname("127.0.0.1"),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(log),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {}),
		),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
	)
	if err != nil {
		return nil, fmt.Errorf("ua %s: %w", name, err)
	}
	if u.srv, err = sipgo.NewServer(u.ua, sipgo.WithServerLogger(log)); err != nil {
		return nil, fmt.Errorf("ua %s: server: %w", name, err)
	}
	if u.cli, err = sipgo.NewClient(u.ua, sipgo.WithClientLogger(log)); err != nil {
		return nil, fmt.Errorf("ua %s: client: %w", name, err)
	}
	if u.conn, err = net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port)); err != nil {
		return nil, fmt.Errorf("ua %s: listen: %w", name, err)
	}
	if uc, ok := u.conn.(*net.UDPConn); ok {
		_ = uc.SetReadBuffer(8 << 20)
		_ = uc.SetWriteBuffer(8 << 20)
	}
	u.Port = u.conn.LocalAddr().(*net.UDPAddr).Port
	serve := func(req *sip.Request, tx sip.ServerTransaction) {
		if req.IsAck() {
			u.acked(req)
		}
		if h := u.Handle; h != nil {
			h(req, tx)
		}
	}
	u.srv.OnNoRoute(serve)
	for _, m := range []sip.RequestMethod{sip.INVITE, sip.ACK, sip.CANCEL, sip.BYE, sip.OPTIONS, sip.INFO,
		sip.UPDATE, sip.MESSAGE, sip.SUBSCRIBE, sip.NOTIFY, sip.REFER, sip.PRACK} {
		u.srv.OnRequest(m, serve)
	}
	go func() {
		defer close(u.served)
		_ = u.srv.ServeUDP(u.conn)
	}()
	// ServeUDP registers the socket for outgoing requests on its goroutine;
	// requests sent before that would try to bind the port again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := u.ua.TransportLayer().GetConnection("udp", u.Addr()); err == nil {
			return u, nil
		}
		if time.Now().After(deadline) {
			u.Close()
			return nil, fmt.Errorf("ua %s: socket not served", name)
		}
		time.Sleep(time.Millisecond)
	}
}

// Close stops the UA.
func (u *UA) Close() {
	_ = u.ua.Close()
	_ = u.conn.Close()
	select {
	case <-u.served:
	case <-time.After(5 * time.Second):
	}
}

// Addr is the UA's host:port.
func (u *UA) Addr() string { return "127.0.0.1:" + strconv.Itoa(u.Port) }

// Contact is the UA's Contact header, with user.
func (u *UA) Contact(user string) *sip.ContactHeader {
	return &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: u.Port}}
}

// SDP is the UA's session description, version ver (o= line), with
// direction dir (sendrecv, inactive); its media port names it (each UA's
// differs), so a generator can tell whose offer or answer a message
// carries.
func (u *UA) SDP(ver int, dir string) []byte {
	return []byte(fmt.Sprintf("v=0\r\n"+
		"o=%s 1 %d IN IP4 127.0.0.1\r\n"+
		"s=-\r\n"+
		"c=IN IP4 127.0.0.1\r\n"+
		"t=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\n"+
		"a=%s\r\n", u.Name, ver, u.mediaPort(), dir))
}

func (u *UA) mediaPort() int { return 20000 + u.Port%20000 }

// MediaLine is the m= line of the UA's session description, to recognise
// it in a body (Tandem rewrites the o= line, not the media).
func (u *UA) MediaLine() string { return "m=audio " + strconv.Itoa(u.mediaPort()) + " " }

func noBuild(*sipgo.Client, *sip.Request) error { return nil }

// prepare adds the UA's Via and binds the request to its socket.
func (u *UA) prepare(req *sip.Request) {
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "127.0.0.1", Port: u.Port}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	req.PrependHeader(via)
	req.SetTransport("UDP")
	req.Laddr = sip.Addr{IP: net.IPv4(127, 0, 0, 1), Port: u.Port, Hostname: "127.0.0.1"}
}

// Request sends req in a new client transaction; its responses (res), and
// the transaction's end without a final one (err), are reported to sink
// with req's method. A 2xx retransmitted to an INVITE is ACKed again with
// whatever *ack holds then.
func (u *UA) Request(req *sip.Request, sink func(method sip.RequestMethod, res *sip.Response, err error, at time.Time), ack *AckHolder) error {
	u.prepare(req)
	tx, err := u.cli.TransactionRequest(context.Background(), req, noBuild)
	if err != nil {
		return err
	}
	method := req.Method
	if ack != nil {
		tx.OnRetransmission(func(res *sip.Response) {
			if a := ack.Get(); a != nil && res.StatusCode < 300 {
				_ = u.cli.WriteRequest(a, noBuild)
			}
		})
	}
	// The transaction ends by itself (timers K and M), after the final
	// response's retransmissions.
	go func() {
		for {
			select {
			case res := <-tx.Responses():
				sink(method, res, nil, time.Now())
				if res.StatusCode >= 200 {
					return
				}
			case <-tx.Done():
				sink(method, nil, tx.Err(), time.Now())
				return
			}
		}
	}()
	return nil
}

// Write sends a request outside any transaction (ACK).
func (u *UA) Write(req *sip.Request) error {
	u.prepare(req)
	return u.cli.WriteRequest(req, noBuild)
}

// Respond sends a response; a 2xx to an INVITE is retransmitted
// (RFC 3261 §13.3.1.4) until its ACK arrives or 32 s pass.
func (u *UA) Respond(tx sip.ServerTransaction, req *sip.Request, res *sip.Response) error {
	if err := tx.Respond(res); err != nil {
		return err
	}
	if !req.IsInvite() || res.StatusCode < 200 || res.StatusCode >= 300 {
		return nil
	}
	key := req.CallID().Value() + " " + strconv.FormatUint(uint64(req.CSeq().SeqNo), 10)
	acked := make(chan struct{})
	u.mu.Lock()
	u.pending[key] = acked
	u.mu.Unlock()
	go func() {
		defer func() {
			u.mu.Lock()
			delete(u.pending, key)
			u.mu.Unlock()
		}()
		wait, end := sip.T1, time.After(64*sip.T1)
		for {
			select {
			case <-acked:
				return
			case <-end:
				return
			case <-time.After(wait):
				_ = tx.Respond(res)
				wait = min(2*wait, sip.T2)
			}
		}
	}()
	return nil
}

// acked stops the retransmissions of the 2xx an ACK acknowledges.
func (u *UA) acked(ack *sip.Request) {
	if ack.CallID() == nil || ack.CSeq() == nil {
		return
	}
	key := ack.CallID().Value() + " " + strconv.FormatUint(uint64(ack.CSeq().SeqNo), 10)
	u.mu.Lock()
	if c, ok := u.pending[key]; ok {
		close(c)
		delete(u.pending, key)
	}
	u.mu.Unlock()
}

// Reply answers req with code and no body.
func Reply(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

// AckHolder holds the ACK of an INVITE's 2xx once it is sent.
type AckHolder struct {
	mu  sync.Mutex
	ack *sip.Request
}

// Get is the ACK, nil before Set.
func (h *AckHolder) Get() *sip.Request { h.mu.Lock(); defer h.mu.Unlock(); return h.ack }

// Set records the ACK.
func (h *AckHolder) Set(r *sip.Request) { h.mu.Lock(); h.ack = r; h.mu.Unlock() }

// Dialog is one side of a SIP dialog: what in-dialog requests need.
type Dialog struct {
	CallID       string
	LocalTag     string
	RemoteTag    string
	LocalURI     sip.Uri
	RemoteURI    sip.Uri
	RemoteTarget sip.Uri
	RouteSet     []sip.Uri
	Seq          uint32
}

// UASDialog is the dialog a UAS forms with its 2xx (tag) to INVITE req.
func UASDialog(req *sip.Request, tag string) Dialog {
	d := Dialog{
		CallID: req.CallID().Value(), LocalTag: tag,
		LocalURI: *req.To().Address.Clone(), RemoteURI: *req.From().Address.Clone(),
		RemoteTarget: *req.From().Address.Clone(), Seq: 1000,
	}
	d.RemoteTag, _ = req.From().Params.Get("tag")
	if c := req.Contact(); c != nil {
		d.RemoteTarget = *c.Address.Clone()
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			d.RouteSet = append(d.RouteSet, *rr.Address.Clone())
		}
	}
	return d
}

// Build makes an in-dialog request (RFC 3261 §12.2.1.1) without Via; seq
// 0 takes the next local CSeq.
func (d *Dialog) Build(method sip.RequestMethod, seq uint32) *sip.Request {
	if seq == 0 {
		d.Seq++
		seq = d.Seq
	}
	req := sip.NewRequest(method, *d.RemoteTarget.Clone())
	for _, r := range d.RouteSet {
		req.AppendHeader(&sip.RouteHeader{Address: *r.Clone()})
	}
	from := &sip.FromHeader{Address: *d.LocalURI.Clone()}
	from.Params.Add("tag", d.LocalTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: *d.RemoteURI.Clone()}
	if d.RemoteTag != "" {
		to.Params.Add("tag", d.RemoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(d.CallID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.SetBody(nil)
	return req
}

// SetSDP sets body as application/sdp.
func SetSDP(m interface {
	AppendHeader(sip.Header)
	SetBody([]byte)
}, body []byte) {
	ct := sip.ContentTypeHeader("application/sdp")
	m.AppendHeader(&ct)
	m.SetBody(body)
}
