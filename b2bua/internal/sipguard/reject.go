package sipguard

import (
	"bytes"
	"encoding/hex"
	"hash/maphash"
	"strconv"
)

// tagSeed makes the To-tags of one process differ from those of another
// while a retransmitted request still gets the same tag (RFC 3261 §8.2.7:
// a stateless UAS generates tags "in a stateless manner").
var tagSeed = maphash.MakeSeed()

// maxReasonLen bounds the reason phrase, which may quote a parser error.
const maxReasonLen = 120

// BuildReject builds a stateless response to a request given as raw bytes,
// parsed or not. It scans the header section leniently (CRLF or LF line
// ends, folded lines, compact names v f t i) and copies, in this order and
// with folded values joined into one line, every Via, the first From, the
// first To (with a To-tag added when it has none), the first Call-ID and
// the first CSeq, then adds Content-Length: 0. The status line is
// "SIP/2.0 code reason", where reason names the problem; code is forced
// into 400-699 and an empty reason becomes the standard phrase.
//
// ok is false, and resp nil, when the data must be dropped instead: its
// start line is not a request line (a response, or not SIP), it is an ACK
// (never answered, RFC 3261 §17), or it has no Via with a value (RFC 3261
// §18.2.2 has nowhere to send a response).
//
// The To-tag is a hash of the copied header values with a per-process seed,
// so a retransmission gets the same tag.
func BuildReject(data []byte, code int, reason string) (resp []byte, ok bool) {
	start, sc := newHeaderScanner(data)
	method, _, _, isReq := requestLine(start)
	if !isReq || bytes.EqualFold(method, []byte("ACK")) {
		return nil, false
	}

	var (
		vias                      [][]byte
		viaStore                  [8][]byte
		from, to, callID, cseq    []byte
		seenFrom, seenTo, seenCID bool
		seenCSeq                  bool
	)
	vias = viaStore[:0]
	for {
		name, value, more := sc.next()
		if !more {
			break
		}
		switch headerKind(name) {
		case hVia:
			if len(value) > 0 {
				vias = append(vias, value)
			}
		case hFrom:
			if !seenFrom {
				from, seenFrom = value, true
			}
		case hTo:
			if !seenTo {
				to, seenTo = value, true
			}
		case hCallID:
			if !seenCID {
				callID, seenCID = value, true
			}
		case hCSeq:
			if !seenCSeq {
				cseq, seenCSeq = value, true
			}
		}
	}
	if len(vias) == 0 {
		return nil, false
	}

	if code < 400 || code > 699 {
		code = 400
	}
	size := 64 + len(reason) + len(from) + len(to) + len(callID) + len(cseq) + 32
	for _, v := range vias {
		size += len(v) + 7
	}
	b := make([]byte, 0, size)
	b = append(b, "SIP/2.0 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = appendReason(b, code, reason)
	b = append(b, "\r\n"...)
	for _, v := range vias {
		b = appendHeader(b, "Via: ", v)
	}
	if seenFrom {
		b = appendHeader(b, "From: ", from)
	}
	if seenTo {
		b = append(b, "To: "...)
		b = appendUnfolded(b, to)
		if !hasTagParam(to) {
			b = append(b, ";tag="...)
			b = appendTag(b, vias[0], from, callID, cseq)
		}
		b = append(b, "\r\n"...)
	}
	if seenCID {
		b = appendHeader(b, "Call-ID: ", callID)
	}
	if seenCSeq {
		b = appendHeader(b, "CSeq: ", cseq)
	}
	b = append(b, "Content-Length: 0\r\n\r\n"...)
	return b, true
}

func appendHeader(b []byte, name string, value []byte) []byte {
	b = append(b, name...)
	b = appendUnfolded(b, value)
	return append(b, "\r\n"...)
}

func appendTag(b []byte, via, from, callID, cseq []byte) []byte {
	var h maphash.Hash
	h.SetSeed(tagSeed)
	for _, p := range [...][]byte{via, from, callID, cseq} {
		h.Write(p)
		h.WriteByte(0)
	}
	var sum [8]byte
	u := h.Sum64()
	for i := range sum {
		sum[i] = byte(u >> (8 * i))
	}
	return hex.AppendEncode(b, sum[:])
}

// appendReason appends a reason phrase made of printable ASCII only, so
// that nothing in it can end the status line early (a parser error may
// quote the request), cut to maxReasonLen bytes.
func appendReason(b []byte, code int, reason string) []byte {
	n := 0
	for i := 0; i < len(reason) && n < maxReasonLen; i++ {
		c := reason[i]
		if c < 0x20 || c > 0x7e {
			c = ' '
		}
		if c == ' ' && (n == 0 || b[len(b)-1] == ' ') {
			continue
		}
		b = append(b, c)
		n++
	}
	for n > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
		n--
	}
	if n == 0 {
		b = append(b, defaultReason(code)...)
	}
	return b
}

func defaultReason(code int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 405:
		return "Method Not Allowed"
	case 413:
		return "Request Entity Too Large"
	case 414:
		return "Request-URI Too Long"
	case 416:
		return "Unsupported URI Scheme"
	case 420:
		return "Bad Extension"
	case 483:
		return "Too Many Hops"
	case 501:
		return "Not Implemented"
	case 505:
		return "Version Not Supported"
	case 513:
		return "Message Too Large"
	}
	return "Rejected"
}
