package phone

import (
	"context"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Call is a call the phone placed: the INVITE's transaction (read its
// responses with Next, Expect or Final, then Ack a 2xx) and its dialog.
type Call struct {
	*Dialog
	*ClientTx
}

// InviteOption changes the INVITE a call starts with.
type InviteOption func(*sip.Request)

// WithBody sets the INVITE's offer (default: the phone's sendrecv SDP).
// WithBody(nil) sends no offer.
func WithBody(body []byte) InviteOption {
	return func(r *sip.Request) {
		r.RemoveHeader("Content-Type")
		setBody(r, body)
	}
}

// WithHeader adds a header to the INVITE.
func WithHeader(name, value string) InviteOption {
	return func(r *sip.Request) { r.AppendHeader(sip.NewHeader(name, value)) }
}

// WithMaxForwards sets the INVITE's Max-Forwards.
func WithMaxForwards(n uint32) InviteOption {
	return func(r *sip.Request) {
		mf := sip.MaxForwardsHeader(n)
		r.ReplaceHeader(&mf)
	}
}

// WithFrom sets the user part of the From URI (default: the phone's name).
func WithFrom(user string) InviteOption {
	return func(r *sip.Request) { r.From().Address.User = user }
}

// Invite places a call to target, a SIP URI whose host:port is where the
// INVITE goes (the node). From is sip:<name>@127.0.0.1 with a fresh tag; the
// Contact is the phone's.
// Via sends the INVITE to addr (host:port) whatever its Request-URI says,
// like a phone with an outbound proxy.
func Via(addr string) InviteOption {
	return func(r *sip.Request) { r.SetDestination(addr) }
}

func (p *Phone) Invite(target string, opts ...InviteOption) *Call {
	p.t.Helper()
	var ruri sip.Uri
	if err := sip.ParseUri(target, &ruri); err != nil {
		p.t.Fatalf("phone %s: target %q: %v", p.name, target, err)
	}
	d := newDialog(p)
	d.callID = sip.GenerateTagN(20) + "@" + p.name
	d.localTag = sip.GenerateTagN(12)
	d.localURI = sip.Uri{Scheme: "sip", User: p.name, Host: "127.0.0.1"}
	d.remoteURI = sip.Uri{Scheme: ruri.Scheme, User: ruri.User, Host: ruri.Host, Port: ruri.Port}
	d.remoteTarget = ruri
	req := d.build(sip.INVITE, 0)
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, MESSAGE"))
	setBody(req, p.SDP(SendRecv))
	for _, o := range opts {
		o(req)
	}
	d.localURI = req.From().Address // WithFrom
	p.addDialog(d)
	return &Call{Dialog: d, ClientTx: p.start(req, d)}
}

// ClientTx is a request the phone sent: its responses arrive in order on a
// buffered queue (sipgo's own channel is drained at once).
type ClientTx struct {
	Req *sip.Request

	p     *Phone
	d     *Dialog // nil outside a dialog
	tx    sip.ClientTransaction
	resps chan *sip.Response
	ended chan struct{} // closed when the reader stops

	mu    sync.Mutex // guards final, ack, err
	final *sip.Response
	ack   *sip.Request // sent for a 2xx; re-sent on retransmissions
	err   error        // why the transaction ended without final
}

// start sends req in a new client transaction.
func (p *Phone) start(req *sip.Request, d *Dialog) *ClientTx {
	p.t.Helper()
	p.prepare(req)
	tx, err := p.cli.TransactionRequest(context.Background(), req, noBuild)
	if err != nil {
		p.t.Fatalf("phone %s: send %s: %v", p.name, req.Method, err)
	}
	c := &ClientTx{Req: req, p: p, d: d, tx: tx, resps: make(chan *sip.Response, 32), ended: make(chan struct{})}
	if req.IsInvite() {
		tx.OnRetransmission(func(res *sip.Response) {
			c.mu.Lock()
			ack := c.ack
			c.mu.Unlock()
			if ack != nil && res.StatusCode < 300 {
				_ = p.cli.WriteRequest(ack, noBuild)
			}
		})
	}
	go c.read()
	return c
}

// read drains the transaction's responses into the queue until the final.
func (c *ClientTx) read() {
	defer close(c.ended)
	for {
		select {
		case res := <-c.tx.Responses():
			if c.d != nil {
				c.d.fromResponse(c.Req, res)
			}
			if res.StatusCode >= 200 {
				c.mu.Lock()
				c.final = res
				c.mu.Unlock()
			}
			c.resps <- res
			if res.StatusCode >= 200 {
				return
			}
		case <-c.tx.Done():
			c.mu.Lock()
			c.err = c.tx.Err()
			c.mu.Unlock()
			return
		case <-c.p.closed:
			return
		}
	}
}

// Next waits up to timeout for the next response (100 Trying included); the
// test fails if none comes.
func (c *ClientTx) Next(timeout time.Duration) *sip.Response {
	c.p.t.Helper()
	select {
	case res := <-c.resps:
		return res
	default:
	}
	select {
	case res := <-c.resps:
		return res
	case <-c.ended:
		select {
		case res := <-c.resps:
			return res
		default:
		}
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		c.p.t.Fatalf("phone %s: %s transaction ended without more responses: %v", c.p.name, c.Req.Method, err)
	case <-time.After(timeout):
		c.p.t.Fatalf("phone %s: no response to %s within %v", c.p.name, c.Req.Method, timeout)
	}
	return nil
}

// Expect reads the next response other than 100 Trying (unless code is 100)
// and fails the test unless its status is code.
func (c *ClientTx) Expect(code int, timeout time.Duration) *sip.Response {
	c.p.t.Helper()
	for {
		res := c.Next(timeout)
		if res.StatusCode == 100 && code != 100 {
			continue
		}
		if res.StatusCode != code {
			c.p.t.Fatalf("phone %s: %s got %d %s, want %d:\n%s", c.p.name, c.Req.Method, res.StatusCode, res.Reason, code, res)
		}
		return res
	}
}

// Final skips provisional responses and returns the final one.
func (c *ClientTx) Final(timeout time.Duration) *sip.Response {
	c.p.t.Helper()
	for {
		if res := c.Next(timeout); res.StatusCode >= 200 {
			return res
		}
	}
}

// Ack acknowledges the 2xx this INVITE got (sipgo acknowledges other
// finals itself).
func (c *ClientTx) Ack() { c.p.t.Helper(); c.AckWithBody(nil) }

// AckWithBody is Ack carrying an answer (late offer).
func (c *ClientTx) AckWithBody(body []byte) {
	c.p.t.Helper()
	c.mu.Lock()
	final := c.final
	c.mu.Unlock()
	if final == nil || final.StatusCode >= 300 || c.d == nil {
		c.p.t.Fatalf("phone %s: Ack without a 2xx to an INVITE", c.p.name)
	}
	ack := c.d.ackFor(c.Req.CSeq().SeqNo, body)
	c.p.prepare(ack)
	c.mu.Lock()
	c.ack = ack
	c.mu.Unlock()
	if err := c.p.cli.WriteRequest(ack, noBuild); err != nil {
		c.p.t.Fatalf("phone %s: ACK: %v", c.p.name, err)
	}
}

// Cancel sends CANCEL for this INVITE (RFC 3261 §9.1) and returns the
// CANCEL's own transaction.
func (c *ClientTx) Cancel() *ClientTx {
	c.p.t.Helper()
	inv := c.Req
	req := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	req.AppendHeader(sip.HeaderClone(inv.Via()))
	for _, r := range inv.GetHeaders("Route") {
		req.AppendHeader(sip.HeaderClone(r))
	}
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(inv.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.SetBody(nil)
	req.SetTransport("UDP")
	req.Laddr = inv.Laddr
	tx, err := c.p.cli.TransactionRequest(context.Background(), req, noBuild)
	if err != nil {
		c.p.t.Fatalf("phone %s: CANCEL: %v", c.p.name, err)
	}
	cc := &ClientTx{Req: req, p: c.p, tx: tx, resps: make(chan *sip.Response, 8), ended: make(chan struct{})}
	go cc.read()
	return cc
}
