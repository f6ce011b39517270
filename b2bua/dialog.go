package b2bua

import (
	"strconv"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// dialog is the state of one SIP dialog (RFC 3261 §12), kept apart from the
// usage that runs in it (inviteUsage). Only the owning call's executor touches it.
type dialog struct {
	callID    string
	localTag  string
	remoteTag string

	localURI      sipx.Uri
	localDisplay  string
	remoteURI     sipx.Uri
	remoteDisplay string

	localSeq     uint32
	remoteSeq    uint32
	remoteSeqSet bool

	routeSet     []sipx.Uri // in the order requests use them
	remoteTarget sipx.Uri
	transport    string // "UDP" or "TCP"
}

// key is the index key of the dialog on our side: Call-ID and our tag.
func (d *dialog) key() string { return dialogKey(d.callID, d.localTag) }

func dialogKey(callID, localTag string) string { return callID + "|" + localTag }

// request builds an in-dialog request (RFC 3261 §12.2.1.1) without Via;
// CSeq advances for everything but ACK and CANCEL.
func (d *dialog) request(method sipx.RequestMethod) *sipx.Request {
	if method != sipx.ACK && method != sipx.CANCEL {
		d.localSeq++
	}
	return d.requestSeq(method, d.localSeq)
}

// requestSeq builds an in-dialog request with a given CSeq number (ACK).
func (d *dialog) requestSeq(method sipx.RequestMethod, seq uint32) *sipx.Request {
	ruri := d.remoteTarget
	req := sipx.NewRequest(method, *ruri.Clone())
	for _, r := range d.routeSet {
		req.AppendHeader(&sipx.RouteHeader{Address: *r.Clone()})
	}
	from := &sipx.FromHeader{DisplayName: d.localDisplay, Address: *d.localURI.Clone()}
	from.Params.Add("tag", d.localTag)
	req.AppendHeader(from)
	to := &sipx.ToHeader{DisplayName: d.remoteDisplay, Address: *d.remoteURI.Clone()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	req.AppendHeader(to)
	cid := sipx.CallIDHeader(d.callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sipx.CSeqHeader{SeqNo: seq, MethodName: method})
	mf := sipx.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	if d.transport != "" {
		req.SetTransport(d.transport)
	}
	req.SetBody(nil) // Content-Length: 0 until a body is set
	return req
}

// acceptRemoteSeq checks an in-dialog request's CSeq (RFC 3261 §12.2.2):
// lower than the last one is out of order (500). ACK and CANCEL carry the
// number of the request they belong to and are not checked.
func (d *dialog) acceptRemoteSeq(method string, seq uint32) bool {
	if method == "ACK" || method == "CANCEL" {
		return true
	}
	if d.remoteSeqSet && seq < d.remoteSeq {
		return false
	}
	d.remoteSeq, d.remoteSeqSet = seq, true
	return true
}

// uasDialog builds our side of a dialog from an INVITE we received: the route
// set is its Record-Route in order, the remote target its Contact.
func uasDialog(req *sipx.Request, localTag string) dialog {
	d := dialog{
		callID:    req.CallID().Value(),
		localTag:  localTag,
		transport: req.Transport(),
	}
	if f := req.From(); f != nil {
		d.remoteURI = *f.Address.Clone()
		d.remoteDisplay = f.DisplayName
		d.remoteTag, _ = f.Params.Get("tag")
	}
	if t := req.To(); t != nil {
		d.localURI = *t.Address.Clone()
		d.localDisplay = t.DisplayName
	}
	if c := req.CSeq(); c != nil {
		d.remoteSeq, d.remoteSeqSet = c.SeqNo, true
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if u, ok := headerURI(h); ok {
			d.routeSet = append(d.routeSet, u)
		}
	}
	if c := req.Contact(); c != nil {
		d.remoteTarget = *c.Address.Clone()
	} else if f := req.From(); f != nil {
		d.remoteTarget = *f.Address.Clone()
	}
	return d
}

// confirmUAC completes a dialog we started from a response that establishes
// it (18x with a tag, 2xx): remote tag, route set reversed, remote target.
func (d *dialog) confirmUAC(res *sipx.Response) {
	if t := res.To(); t != nil {
		if tag, ok := t.Params.Get("tag"); ok {
			d.remoteTag = tag
		}
	}
	rr := res.GetHeaders("Record-Route")
	d.routeSet = d.routeSet[:0]
	for i := len(rr) - 1; i >= 0; i-- {
		if u, ok := headerURI(rr[i]); ok {
			d.routeSet = append(d.routeSet, u)
		}
	}
	d.updateTarget(res.Contact())
}

// updateTarget applies a target refresh (only ever on 2xx, DESIGN.md §3).
func (d *dialog) updateTarget(c *sipx.ContactHeader) {
	if c != nil && c.Address.Host != "" {
		d.remoteTarget = *c.Address.Clone()
	}
}

// headerURI returns the URI of a Route or Record-Route header (sipgo
// splits comma-separated values into one header each).
func headerURI(h sipx.Header) (sipx.Uri, bool) {
	switch v := h.(type) {
	case *sipx.RecordRouteHeader:
		return *v.Address.Clone(), true
	case *sipx.RouteHeader:
		return *v.Address.Clone(), true
	}
	return sipx.Uri{}, false
}

// seqString formats a CSeq number for logs.
func seqString(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
