package b2bua

import (
	"strings"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// neverCopied are the headers that make up a dialog's or transaction's
// identity; they are never copied across the bridge, whatever the allow
// list says.
var neverCopied = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true,
	"call-id": true, "i": true, "cseq": true, "contact": true, "m": true,
	"route": true, "record-route": true, "max-forwards": true,
	"content-length": true, "l": true, "content-type": true, "c": true,
}

// neverRelayed are headers a party may not pass to another through Tandem,
// whatever the allow list says: Answer-Mode and Priv-Answer-Mode (RFC 5373)
// would let any caller make a phone answer by itself ("bug my phone").
// Controllers may set them on the legs they originate.
var neverRelayed = map[string]bool{"answer-mode": true, "priv-answer-mode": true}

// headerPolicy decides what crosses from one leg to the other.
type headerPolicy struct {
	allow map[string]bool // lower-case names
}

func newHeaderPolicy(names []string) headerPolicy {
	p := headerPolicy{allow: make(map[string]bool, len(names))}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !neverCopied[n] && !neverRelayed[n] {
			p.allow[n] = true
		}
	}
	return p
}

// headerSource is a request or a response.
type headerSource interface {
	Headers() []sipx.Header
}

// relayedResponse is a response whose headers may cross to the other leg.
type relayedResponse interface {
	headerSource
	GetHeader(name string) sipx.Header
}

// headerSink is a request or a response.
type headerSink interface {
	AppendHeader(sipx.Header)
}

// copyAllowed copies the allowed headers of src to dst, sanitised.
func (p headerPolicy) copyAllowed(dst headerSink, src headerSource) {
	if len(p.allow) == 0 {
		return
	}
	for _, h := range src.Headers() {
		if p.allow[strings.ToLower(h.Name())] {
			dst.AppendHeader(sipx.NewHeader(sanitize(h.Name()), sanitize(h.Value())))
		}
	}
}

// sanitize removes what could split or end a header line: CR, LF and NUL
// (no CRLF injection through copied values or reason phrases).
func sanitize(s string) string {
	if strings.IndexFunc(s, isLineBreak) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isLineBreak(r) {
			return -1
		}
		return r
	}, s)
}

func isLineBreak(r rune) bool { return r == '\r' || r == '\n' || r == 0 }
