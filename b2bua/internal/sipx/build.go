package sipx

import "github.com/emiago/sipgo/sip"

// NewCancel builds the CANCEL of an INVITE we sent (RFC 3261 §9.1): same
// Request-URI, top Via, From, To, Call-ID, Route and CSeq number. Send it
// with RequestSameBranch.
func NewCancel(inv *Request) *Request {
	req := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	if v := inv.Via(); v != nil {
		req.AppendHeader(v.Clone())
	}
	for _, r := range inv.GetHeaders("Route") {
		req.AppendHeader(sip.HeaderClone(r))
	}
	if h := inv.From(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	if h := inv.To(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	if h := inv.CallID(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	if h := inv.CSeq(); h != nil {
		req.AppendHeader(&sip.CSeqHeader{SeqNo: h.SeqNo, MethodName: sip.CANCEL})
	}
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.SetTransport(inv.Transport())
	req.SetDestination(inv.Destination())
	req.Laddr = inv.Laddr
	return req
}

// ToTag returns the To tag of a message's To header, "" when absent.
func ToTag(to *ToHeader) string {
	if to == nil {
		return ""
	}
	t, _ := to.Params.Get("tag")
	return t
}

// FromTag returns the From tag, "" when absent.
func FromTag(from *FromHeader) string {
	if from == nil {
		return ""
	}
	t, _ := from.Params.Get("tag")
	return t
}
