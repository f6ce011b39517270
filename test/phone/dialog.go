package phone

import (
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Dialog is the phone's side of one SIP dialog: the requests it received in
// it, in order, and the state it needs to send requests in it.
type Dialog struct {
	p    *Phone
	reqs chan *ServerRequest

	mu           sync.Mutex // guards the fields below
	callID       string
	localTag     string
	remoteTag    string
	localURI     sip.Uri
	remoteURI    sip.Uri
	remoteTarget sip.Uri
	routeSet     []sip.Uri
	localSeq     uint32
}

func newDialog(p *Phone) *Dialog {
	return &Dialog{p: p, reqs: make(chan *ServerRequest, 64)}
}

// CallID is the dialog's SIP Call-ID.
func (d *Dialog) CallID() string { return d.callID }

// LocalTag is the phone's tag in the dialog.
func (d *Dialog) LocalTag() string { return d.localTag }

// RemoteTag is the peer's tag ("" until known).
func (d *Dialog) RemoteTag() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.remoteTag
}

// RemoteTarget is the peer's Contact URI.
func (d *Dialog) RemoteTarget() sip.Uri {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.remoteTarget
}

func (d *Dialog) push(r *ServerRequest) bool {
	select {
	case d.reqs <- r:
		return true
	default:
		d.p.t.Errorf("phone %s: too many unread requests in dialog %s", d.p.name, d.callID)
		return false
	}
}

// Requests is the queue NextRequest reads, for tests that select.
func (d *Dialog) Requests() <-chan *ServerRequest { return d.reqs }

// NextRequest waits up to timeout for the next request received in the
// dialog; the test fails if none comes.
func (d *Dialog) NextRequest(timeout time.Duration) *ServerRequest {
	d.p.t.Helper()
	select {
	case r := <-d.reqs:
		return r
	case <-time.After(timeout):
		d.p.t.Fatalf("phone %s: no request in dialog %s within %v", d.p.name, d.callID, timeout)
		return nil
	}
}

// ExpectRequest is NextRequest that fails the test unless the request is a
// method.
func (d *Dialog) ExpectRequest(method sip.RequestMethod, timeout time.Duration) *ServerRequest {
	d.p.t.Helper()
	r := d.NextRequest(timeout)
	if r.Method != method {
		d.p.t.Fatalf("phone %s: got %s in dialog, want %s:\n%s", d.p.name, r.Method, method, r.Req)
	}
	return r
}

// NoRequest fails the test if a request is waiting in the dialog now.
func (d *Dialog) NoRequest() {
	d.p.t.Helper()
	select {
	case r := <-d.reqs:
		d.p.t.Fatalf("phone %s: unexpected %s in dialog:\n%s", d.p.name, r.Method, r.Req)
	default:
	}
}

// build makes an in-dialog request (RFC 3261 §12.2.1.1) without Via.
func (d *Dialog) build(method sip.RequestMethod, seq uint32) *sip.Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	if seq == 0 {
		d.localSeq++
		seq = d.localSeq
	}
	req := sip.NewRequest(method, *d.remoteTarget.Clone())
	for _, r := range d.routeSet {
		req.AppendHeader(&sip.RouteHeader{Address: *r.Clone()})
	}
	from := &sip.FromHeader{Address: *d.localURI.Clone()}
	from.Params.Add("tag", d.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: *d.remoteURI.Clone()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(d.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	switch method {
	case sip.INVITE, sip.UPDATE, sip.SUBSCRIBE, sip.NOTIFY, sip.REFER:
		req.AppendHeader(d.p.contact())
	}
	req.SetBody(nil)
	return req
}

// Request sends method in the dialog with body (SDP unless a Content-Type
// header is given) and extra headers, which replace the built ones of the
// same name (Max-Forwards, say).
func (d *Dialog) Request(method sip.RequestMethod, body []byte, hdrs ...sip.Header) *ClientTx {
	d.p.t.Helper()
	req := d.build(method, 0)
	for _, h := range hdrs {
		req.RemoveHeader(h.Name())
	}
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	setBody(req, body)
	return d.p.start(req, d)
}

// Bye sends BYE in the dialog.
func (d *Dialog) Bye() *ClientTx {
	d.p.t.Helper()
	return d.Request(sip.BYE, nil)
}

// Reinvite sends a re-INVITE with sdp as the offer (nil: no offer).
func (d *Dialog) Reinvite(sdp []byte) *ClientTx {
	d.p.t.Helper()
	return d.Request(sip.INVITE, sdp)
}

// ackFor builds the ACK of a 2xx to the INVITE with CSeq seq.
func (d *Dialog) ackFor(seq uint32, body []byte) *sip.Request {
	ack := d.build(sip.ACK, seq)
	setBody(ack, body)
	return ack
}

// fromResponse updates the dialog from a response to a request we sent:
// the remote tag and route set come from the first response that has a
// To-tag (INVITE only); 2xx to a target refresh updates the remote target.
func (d *Dialog) fromResponse(req *sip.Request, res *sip.Response) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tag := ""
	if to := res.To(); to != nil {
		tag, _ = to.Params.Get("tag")
	}
	if req.IsInvite() && res.StatusCode > 100 && res.StatusCode < 300 && tag != "" && (d.remoteTag == "" || res.StatusCode >= 200) {
		if d.remoteTag == "" {
			rr := res.GetHeaders("Record-Route")
			d.routeSet = d.routeSet[:0]
			for i := len(rr) - 1; i >= 0; i-- {
				if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
					d.routeSet = append(d.routeSet, *h.Address.Clone())
				}
			}
		}
		d.remoteTag = tag
		if c := res.Contact(); c != nil {
			d.remoteTarget = *c.Address.Clone()
		}
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 && (req.IsInvite() || req.Method == sip.UPDATE) {
		if c := res.Contact(); c != nil {
			d.remoteTarget = *c.Address.Clone()
		}
	}
}

// ServerRequest is a request the phone received in a dialog. The test
// answers it with Respond (ACK and CANCEL take no answer: sipgo answered
// the CANCEL).
type ServerRequest struct {
	Method sip.RequestMethod
	Req    *sip.Request

	d        *Dialog
	tx       sip.ServerTransaction // nil for ACK and CANCEL
	once     sync.Once
	answered chan struct{}
}

// Body is the request's body.
func (r *ServerRequest) Body() []byte { return r.Req.Body() }

// Respond answers the request with code, body (SDP unless a Content-Type
// header is given) and extra headers. A 2xx to INVITE or UPDATE carries the
// phone's Contact. Only the first final response counts.
func (r *ServerRequest) Respond(code int, body []byte, hdrs ...sip.Header) {
	p := r.d.p
	p.t.Helper()
	if r.tx == nil {
		p.t.Fatalf("phone %s: %s takes no response", p.name, r.Method)
	}
	res := sip.NewResponseFromRequest(r.Req, code, reasonPhrase(code), nil)
	if code >= 200 && code < 300 && (r.Req.IsInvite() || r.Method == sip.UPDATE) {
		res.AppendHeader(p.contact())
		if c := r.Req.Contact(); c != nil {
			r.d.mu.Lock()
			r.d.remoteTarget = *c.Address.Clone()
			r.d.mu.Unlock()
		}
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	setBody(res, body)
	if err := r.tx.Respond(res); err != nil {
		p.t.Errorf("phone %s: respond %d to %s: %v", p.name, code, r.Method, err)
	}
	if code >= 200 {
		r.once.Do(func() { close(r.answered) })
	}
}

// OK answers 200 with body.
func (r *ServerRequest) OK(body []byte) { r.d.p.t.Helper(); r.Respond(200, body) }

// message is a request or a response.
type message interface {
	GetHeader(string) sip.Header
	AppendHeader(sip.Header)
	SetBody([]byte)
}

// setBody sets body, with Content-Type application/sdp unless one is set.
func setBody(m message, body []byte) {
	if len(body) > 0 && m.GetHeader("Content-Type") == nil {
		ct := sip.ContentTypeHeader("application/sdp")
		m.AppendHeader(&ct)
	}
	m.SetBody(body)
}

// ToTag is the To-tag of a request or response ("" without one).
func ToTag(m interface{ To() *sip.ToHeader }) string {
	if to := m.To(); to != nil {
		tag, _ := to.Params.Get("tag")
		return tag
	}
	return ""
}

// FromTag is the From-tag of a request or response ("" without one).
func FromTag(m interface{ From() *sip.FromHeader }) string {
	if f := m.From(); f != nil {
		tag, _ := f.Params.Get("tag")
		return tag
	}
	return ""
}
