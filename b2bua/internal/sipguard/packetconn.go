package sipguard

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Reject categories, the part of an onReject reason before ": ".
const (
	catMalformedRequest  = "malformed request"
	catInvalidRequest    = "invalid request"
	catUnanswerable      = "unanswerable request"
	catMalformedResponse = "malformed response"
	catNotSIP            = "not sip"
)

// maxDetailLen bounds the detail of an onReject reason.
const maxDetailLen = 160

// Option configures NewPacketConn.
type Option func(*packetConn)

// WithParser makes the wrapper parse with p. Pass the parser given to sipgo
// (sipgo.WithUserAgentParser) when it is not sip.NewParser(): the wrapper
// must accept exactly what sipgo's transport will accept. p must not be
// modified afterwards.
func WithParser(p *sip.Parser) Option {
	return func(c *packetConn) {
		if p != nil {
			c.parser = p
		}
	}
}

// WithProvisional calls f, on the reading goroutine (it must not block),
// with every 101-199 response to an INVITE the wrapper lets through. sipgo
// hands each response to its transaction on a goroutine of its own, so a
// 18x followed at once by the 2xx often reaches the transaction after the
// 2xx and is dropped there; f lets the core keep it and act on it before
// the 2xx (the late-18x work-around, see b2bua/late18x.go).
func WithProvisional(f func(res *sip.Response)) Option {
	return func(c *packetConn) { c.onProvisional = f }
}

// NewPacketConn wraps pc, the UDP socket to hand to sipgo's ServeUDP.
//
// ReadFrom reads datagrams until one may go to sipgo and returns it
// unchanged: a keep-alive (at most 4 bytes of CR and LF, or only NULs, which
// sipgo itself ignores), a response that parses with a status code from 100
// to 699 and Via, From, To, Call-ID and CSeq, or a request that parses,
// passes Validate and passes the checks only the raw bytes allow (one From
// and one To value; a URI with headers inside angle brackets). For any
// other request it writes the response built by BuildReject to the sender
// with pc.WriteTo, calls onReject, and reads on. Requests BuildReject cannot answer, malformed
// responses and non-SIP data are dropped with an onReject call. A rejected
// datagram is never returned. Read errors and deadlines are those of pc.
//
// onReject, which may be nil, runs on the reading goroutine: it must not
// block. Its reason is "category: detail" (see the package documentation).
//
// Every other method is pc's. The wrapper keeps no mutable state, so
// concurrent WriteTo calls from sipgo's goroutines are as safe as on pc.
// Set socket options such as a large receive buffer on pc before wrapping
// it: the wrapper has only the methods of net.PacketConn.
func NewPacketConn(pc net.PacketConn, onReject func(reason string, from net.Addr), opts ...Option) net.PacketConn {
	c := &packetConn{PacketConn: pc, onReject: onReject, parser: sip.NewParser()}
	for _, o := range opts {
		o(c)
	}
	return c
}

type packetConn struct {
	net.PacketConn
	onReject func(reason string, from net.Addr)
	parser   *sip.Parser // read-only; safe for concurrent use

	onProvisional func(res *sip.Response)
}

// ReadFrom implements net.PacketConn.
func (c *packetConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err != nil || n <= 0 || n > len(p) {
			return n, addr, err
		}
		if c.admit(p[:n], addr) {
			return n, addr, nil
		}
	}
}

// admit decides the fate of one datagram and, when it is refused, answers
// or drops it.
func (c *packetConn) admit(data []byte, from net.Addr) bool {
	if isKeepAlive(data) {
		return true
	}
	msg, err := parse(c.parser, data)
	if err != nil {
		c.refuseUnparsable(data, from, err)
		return false
	}
	req, isReq := msg.(*sip.Request)
	if !isReq {
		res, _ := msg.(*sip.Response)
		if reason := checkResponse(res); reason != "" {
			c.report(catMalformedResponse, reason, from)
			return false
		}
		if c.onProvisional != nil && res.StatusCode > 100 && res.StatusCode < 200 && res.CSeq().MethodName == sip.INVITE {
			c.onProvisional(res)
		}
		return true
	}
	rej := Validate(req)
	if rej == nil {
		rej = checkRaw(data)
	}
	if rej == nil {
		return true
	}
	c.answer(data, from, rej.Code, rej.Reason, catInvalidRequest, rej.Reason)
	return false
}

// refuseUnparsable handles a datagram sip.Parser refused.
func (c *packetConn) refuseUnparsable(data []byte, from net.Addr, perr error) {
	start, _ := newHeaderScanner(data)
	if isStatusLine(start) {
		c.report(catMalformedResponse, perr.Error(), from)
		return
	}
	if _, _, _, ok := requestLine(start); !ok {
		c.report(catNotSIP, perr.Error(), from)
		return
	}
	code, phrase := classifyUnparsable(start, perr)
	c.answer(data, from, code, phrase, catMalformedRequest, perr.Error())
}

// classifyUnparsable picks the status code for a request that did not
// parse: 416 when the Request-URI has a well-formed scheme Tandem does not
// route (RFC 4475 novelsc.dat fails sipgo's parser), 505 when the version is
// SIP/x.y other than 2.0, else 400 with the parser's complaint as phrase.
func classifyUnparsable(startLine []byte, perr error) (int, string) {
	_, uri, version, _ := requestLine(startLine)
	if s := uriScheme(uri); s != nil && !supportedScheme(string(s)) {
		return 416, "Unsupported URI Scheme"
	}
	if !bytes.EqualFold(version, []byte("SIP/2.0")) && isVersion(version) {
		return 505, "Version Not Supported"
	}
	return 400, "Bad Request (" + perr.Error() + ")"
}

// isVersion reports whether v is "SIP/" 1*DIGIT "." 1*DIGIT.
func isVersion(v []byte) bool {
	if len(v) < 4 || !bytes.EqualFold(v[:4], []byte("SIP/")) {
		return false
	}
	major, minor, ok := bytes.Cut(v[4:], []byte("."))
	return ok && allDigits(major) && allDigits(minor)
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// answer sends the reject for a refused request, or drops the request when
// it cannot be answered, and reports it.
func (c *packetConn) answer(data []byte, from net.Addr, code int, phrase, category, detail string) {
	resp, ok := BuildReject(data, code, phrase)
	if !ok {
		why := "no Via: "
		start, _ := newHeaderScanner(data)
		if m, _, _, _ := requestLine(start); bytes.EqualFold(m, []byte("ACK")) {
			why = "ACK is never answered: "
		}
		c.report(catUnanswerable, why+detail, from)
		return
	}
	if _, err := c.PacketConn.WriteTo(resp, from); err != nil {
		detail += "; writing " + strconv.Itoa(code) + ": " + err.Error()
	}
	c.report(category, detail, from)
}

func (c *packetConn) report(category, detail string, from net.Addr) {
	if c.onReject == nil {
		return
	}
	c.onReject(category+": "+sanitize(detail, maxDetailLen), from)
}

// sanitize makes s safe for a log line: printable ASCII, at most n bytes.
func sanitize(s string, n int) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			clean = false
			break
		}
	}
	if clean && len(s) <= n {
		return s
	}
	b := make([]byte, 0, min(len(s), n))
	for i := 0; i < len(s) && len(b) < n; i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}

// isKeepAlive reports whether sipgo treats data as a keep-alive or ignores
// it: at most four bytes of CR and LF (RFC 5626 §4.4.1), or NULs only.
func isKeepAlive(data []byte) bool {
	if len(data) <= 4 && len(bytes.Trim(data, "\r\n")) == 0 {
		return true
	}
	return len(bytes.Trim(data, "\x00")) == 0
}

// parse runs p on data and turns a panic inside sipgo's parser into an
// error, so that data which crashes the parser is refused here instead of
// crashing sipgo's reader goroutine after it.
func parse(p *sip.Parser, data []byte) (msg sip.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	msg, err = p.ParseSIP(data)
	if err == nil && msg == nil {
		err = errors.New("no message")
	}
	return msg, err
}

// checkResponse returns why a parsed response cannot be a SIP/2.0
// response, or "": its status code must be three digits, 100 to 699
// (RFC 3261 §7.2, §21; sipgo reads up to 65535), and it must carry the
// headers a client transaction matches on (RFC 3261 §8.1.3.3, §17.1.3).
func checkResponse(res *sip.Response) string {
	switch {
	case res == nil:
		return "not a response"
	case !strings.EqualFold(res.SipVersion, "SIP/2.0"):
		return "version not SIP/2.0"
	case res.StatusCode < 100 || res.StatusCode > 699:
		return "status code out of range"
	case res.Via() == nil:
		return "missing Via"
	case res.CSeq() == nil:
		return "missing CSeq"
	case res.From() == nil:
		return "missing From"
	case res.To() == nil:
		return "missing To"
	case res.CallID() == nil:
		return "missing Call-ID"
	}
	return ""
}

// checkRaw finds the defects sipgo's parser hides (see Validate): a From or
// To with more than one value (RFC 3261 §20, RFC 4475 §3.3.8), which sipgo
// folds into one header, and a From, To or Contact addr-spec with a headers
// component outside angle brackets (RFC 3261 §20, RFC 4475 §3.1.2.13), which
// sipgo parses as if the brackets were there.
func checkRaw(data []byte) *Reject {
	_, sc := newHeaderScanner(data)
	for {
		name, value, ok := sc.next()
		if !ok {
			return nil
		}
		kind := headerKind(name)
		if kind != hFrom && kind != hTo && kind != hContact {
			continue
		}
		multi, unbracketed := addrDefects(value)
		switch {
		case multi && kind == hFrom:
			return &Reject{400, "Duplicate From"}
		case multi && kind == hTo:
			return &Reject{400, "Duplicate To"}
		case unbracketed:
			return &Reject{400, "URI With Headers Not In Angle Brackets"}
		}
	}
}
