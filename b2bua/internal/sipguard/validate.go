package sipguard

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Reject is the verdict on a request that must not be processed: the status
// code of the response to send (4xx, or 505) and its reason phrase, which
// names the problem.
type Reject struct {
	Code   int
	Reason string
}

func (r *Reject) String() string {
	if r == nil {
		return "<nil>"
	}
	return strconv.Itoa(r.Code) + " " + r.Reason
}

// Validate checks a request parsed by sip.Parser for defects the parser lets
// through and returns the response to send, or nil when the request may be
// processed. It never modifies req and does not allocate unless it rejects.
//
// Checks, in order (the first failure wins):
//
//   - SIP-Version is SIP/2.0 (case-insensitive, RFC 3261 §7.1), else 505.
//   - The method is a token (RFC 3261 §25.1).
//   - The Request-URI scheme is sip, sips or tel, else 416 (RFC 3261 §8.2.2.1,
//     RFC 4475 §3.3.2); a sip/sips Request-URI has a host and no headers
//     component (RFC 3261 §19.1.1 table 1, RFC 4475 §3.1.2.11).
//   - Via, From, To, Call-ID and CSeq are present; From, To, Call-ID, CSeq,
//     Max-Forwards, Content-Length and Content-Type appear at most once
//     (RFC 3261 §8.1.1, §7.3.1, RFC 4475 §3.3.1, §3.3.8, §3.3.9).
//     Max-Forwards may be absent (RFC 2543 peers, RFC 4475 §3.4.1).
//   - The top Via is SIP/2.0 with a transport and a host. A missing or
//     RFC 2543-style branch is fine (RFC 4475 §3.2.1).
//   - Call-ID is word ["@" word] (RFC 3261 §25.1).
//   - The CSeq method equals the request method (RFC 3261 §8.1.1.5,
//     RFC 4475 §3.1.2.17, §3.1.2.18). ACK and CANCEL are no exception: they
//     carry their own method in CSeq (§17.1.1.3, §9.1) and only their
//     sequence number is tied to the INVITE, which needs transaction state to
//     check. The comparison ignores case because sipgo upper-cases the
//     request-line method but not the CSeq method (RFC 4475 §3.1.1.2).
//   - Max-Forwards is at most 255 (RFC 3261 §20.22, RFC 4475 §3.1.2.4).
//   - Content-Length is not larger than the body (RFC 3261 §18.3,
//     RFC 4475 §3.1.2.2).
//   - A Date header ends in GMT (RFC 3261 §20.17, RFC 4475 §3.1.2.12).
//   - A wildcard Contact appears only in REGISTER (RFC 3261 §10.2.2).
//
// Some defects are lost in parsing and are left to [NewPacketConn], which
// checks the raw bytes as well: a From, To or Contact URI with a headers
// component outside angle brackets (RFC 3261 §20, RFC 4475 §3.1.2.13) parses
// exactly like one inside them, and sipgo folds "From: <a>;tag=1, <b>;tag=2"
// into one From header (RFC 4475 §3.3.8).
func Validate(req *sip.Request) *Reject {
	if req == nil {
		return &Reject{400, "Empty Request"}
	}
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") {
		return &Reject{505, "Version Not Supported"}
	}
	if !isToken(string(req.Method)) {
		return &Reject{400, "Invalid Method"}
	}
	if r := checkRequestURI(&req.Recipient); r != nil {
		return r
	}

	var (
		nVia, nFrom, nTo, nCallID, nCSeq, nMaxFwd, nCL, nCT int
		topVia                                              *sip.ViaHeader
		callID                                              *sip.CallIDHeader
		cseq                                                *sip.CSeqHeader
		maxFwd                                              *sip.MaxForwardsHeader
		cl                                                  *sip.ContentLengthHeader
		badDate, badContact                                 bool
	)
	for _, h := range req.Headers() {
		switch h := h.(type) {
		case *sip.ViaHeader:
			if nVia == 0 {
				topVia = h
			}
			nVia++
		case *sip.FromHeader:
			nFrom++
		case *sip.ToHeader:
			nTo++
		case *sip.CallIDHeader:
			callID = h
			nCallID++
		case *sip.CSeqHeader:
			cseq = h
			nCSeq++
		case *sip.MaxForwardsHeader:
			maxFwd = h
			nMaxFwd++
		case *sip.ContentLengthHeader:
			cl = h
			nCL++
		case *sip.ContentTypeHeader:
			nCT++
		case *sip.ContactHeader:
			if h.Address.Wildcard && req.Method != sip.REGISTER {
				badContact = true
			}
		case nil:
		default:
			if strings.EqualFold(h.Name(), "Date") && !validDate(h.Value()) {
				badDate = true
			}
		}
	}

	switch {
	case nVia == 0:
		return &Reject{400, "Missing Via"}
	case nFrom == 0:
		return &Reject{400, "Missing From"}
	case nTo == 0:
		return &Reject{400, "Missing To"}
	case nCallID == 0:
		return &Reject{400, "Missing Call-ID"}
	case nCSeq == 0:
		return &Reject{400, "Missing CSeq"}
	case nFrom > 1:
		return &Reject{400, "Duplicate From"}
	case nTo > 1:
		return &Reject{400, "Duplicate To"}
	case nCallID > 1:
		return &Reject{400, "Duplicate Call-ID"}
	case nCSeq > 1:
		return &Reject{400, "Duplicate CSeq"}
	case nMaxFwd > 1:
		return &Reject{400, "Duplicate Max-Forwards"}
	case nCL > 1:
		return &Reject{400, "Duplicate Content-Length"}
	case nCT > 1:
		return &Reject{400, "Duplicate Content-Type"}
	}

	if !validVia(topVia) {
		return &Reject{400, "Invalid Via"}
	}
	if !validCallID(string(*callID)) {
		return &Reject{400, "Invalid Call-ID"}
	}
	if !strings.EqualFold(strings.TrimSpace(string(cseq.MethodName)), string(req.Method)) {
		return &Reject{400, "CSeq Method Mismatch"}
	}
	if maxFwd != nil && *maxFwd > 255 {
		return &Reject{400, "Max-Forwards Out Of Range"}
	}
	if cl != nil && int64(*cl) > int64(len(req.Body())) {
		return &Reject{400, "Content-Length Exceeds Body"}
	}
	if badDate {
		return &Reject{400, "Invalid Date"}
	}
	if badContact {
		return &Reject{400, "Wildcard Contact Outside REGISTER"}
	}
	return nil
}

// supportedScheme reports whether Tandem can route a Request-URI of this
// scheme. sipgo lower-cases the scheme; an empty scheme means sip to sipgo.
func supportedScheme(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "", "sip", "sips", "tel":
		return true
	}
	return false
}

func checkRequestURI(u *sip.Uri) *Reject {
	if !supportedScheme(u.Scheme) {
		return &Reject{416, "Unsupported URI Scheme"}
	}
	if strings.EqualFold(u.Scheme, "tel") {
		if u.Raw() == "" {
			return &Reject{400, "Invalid Request-URI"}
		}
		return nil
	}
	if u.Host == "" || u.Wildcard {
		return &Reject{400, "Invalid Request-URI"}
	}
	if len(u.Headers) > 0 {
		return &Reject{400, "Headers In Request-URI"}
	}
	return nil
}

func validVia(v *sip.ViaHeader) bool {
	return v != nil &&
		strings.EqualFold(v.ProtocolName, "SIP") &&
		v.ProtocolVersion == "2.0" &&
		v.Transport != "" &&
		v.Host != ""
}

// validCallID reports whether s is word ["@" word] (RFC 3261 §25.1).
func validCallID(s string) bool {
	word, host, found := strings.Cut(s, "@")
	return isWord(word) && (!found || isWord(host))
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isTokenChar(c) {
			switch c {
			case '(', ')', '<', '>', ':', '\\', '"', '/', '[', ']', '?', '{', '}':
			default:
				return false
			}
		}
	}
	return true
}

// validDate accepts an rfc1123-date, which always ends in "GMT"
// (RFC 3261 §20.17); anything else, such as RFC 4475's "EST", is invalid.
func validDate(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) > 4 && strings.HasSuffix(s, " GMT")
}

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~':
		return true
	}
	return false
}
