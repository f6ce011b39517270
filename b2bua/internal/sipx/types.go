package sipx

import "github.com/emiago/sipgo/sip"

// Aliases of sipgo's message types, so that the core never imports sipgo.
type (
	Request           = sip.Request
	Response          = sip.Response
	Uri               = sip.Uri
	Header            = sip.Header
	HeaderParams      = sip.HeaderParams
	ServerTransaction = sip.ServerTransaction
	ClientTransaction = sip.ClientTransaction
	RequestMethod     = sip.RequestMethod
	ContactHeader     = sip.ContactHeader
	FromHeader        = sip.FromHeader
	ToHeader          = sip.ToHeader
	CSeqHeader        = sip.CSeqHeader
	ViaHeader         = sip.ViaHeader
	CallIDHeader      = sip.CallIDHeader
	MaxForwardsHeader = sip.MaxForwardsHeader
	RouteHeader       = sip.RouteHeader
	RecordRouteHeader = sip.RecordRouteHeader
)

// Methods.
const (
	INVITE    = sip.INVITE
	ACK       = sip.ACK
	CANCEL    = sip.CANCEL
	BYE       = sip.BYE
	REGISTER  = sip.REGISTER
	OPTIONS   = sip.OPTIONS
	SUBSCRIBE = sip.SUBSCRIBE
	NOTIFY    = sip.NOTIFY
	REFER     = sip.REFER
	INFO      = sip.INFO
	MESSAGE   = sip.MESSAGE
	PRACK     = sip.PRACK
	UPDATE    = sip.UPDATE
	PUBLISH   = sip.PUBLISH
)

// ErrTransactionTimeout is the error of a client transaction that timed out.
var ErrTransactionTimeout = sip.ErrTransactionTimeout

// ParseURI parses a SIP URI.
func ParseURI(s string) (Uri, error) {
	var u Uri
	err := sip.ParseUri(s, &u)
	return u, err
}

// NewHeader makes a generic header.
func NewHeader(name, value string) Header { return sip.NewHeader(name, value) }

// NewRequest makes an empty request.
func NewRequest(method RequestMethod, ruri Uri) *Request { return sip.NewRequest(method, ruri) }

// NewResponseFromRequest builds a response copying Via, From, To, Call-ID
// and CSeq from req.
func NewResponseFromRequest(req *Request, code int, reason string, body []byte) *Response {
	return sip.NewResponseFromRequest(req, code, reason, body)
}

// CloneHeader deep-copies a header.
func CloneHeader(h Header) Header { return sip.HeaderClone(h) }

// GenerateTag returns a random tag.
func GenerateTag() string { return sip.GenerateTagN(16) }

// GenerateBranch returns a random RFC 3261 branch.
func GenerateBranch() string { return sip.GenerateBranchN(16) }
