package sipguard

import "bytes"

// This file holds a lenient, allocation-free scanner for the start line and
// header section of a datagram that sip.Parser may have refused. It accepts
// CRLF or bare LF line ends, folded header lines (RFC 3261 §7.3.1), white
// space around the colon, and a header section that ends at the end of the
// data instead of at a blank line (RFC 4475 baddn.dat).

// headerScanner walks the header fields of a message.
type headerScanner struct {
	data []byte
	pos  int
}

// newHeaderScanner skips CRLFs before the start line (RFC 3261 §7.5),
// returns the start line without its line end and a scanner positioned on
// the first header line.
func newHeaderScanner(data []byte) (startLine []byte, s headerScanner) {
	i := 0
	for i < len(data) && (data[i] == '\r' || data[i] == '\n') {
		i++
	}
	line, next := cutLine(data, i)
	return line, headerScanner{data: data, pos: next}
}

// cutLine returns the line starting at i without its CR LF or LF, and the
// index just after the line end.
func cutLine(data []byte, i int) (line []byte, next int) {
	j := bytes.IndexByte(data[i:], '\n')
	if j < 0 {
		line, next = data[i:], len(data)
	} else {
		line, next = data[i:i+j], i+j+1
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, next
}

// next returns the next header field: its name with surrounding white space
// removed, and its value with leading white space removed but otherwise raw,
// so a folded value still contains its line ends (see appendUnfolded). Lines
// without a colon are skipped. ok is false at the end of the header section.
func (s *headerScanner) next() (name, value []byte, ok bool) {
	for s.pos < len(s.data) {
		start := s.pos
		line, next := cutLine(s.data, s.pos)
		s.pos = next
		if len(line) == 0 {
			s.pos = len(s.data) // blank line: end of the header section
			return nil, nil, false
		}
		if isWSP(line[0]) {
			continue // continuation line without a field before it
		}
		end := start + len(line)
		for s.pos < len(s.data) && isWSP(s.data[s.pos]) {
			cont, n := cutLine(s.data, s.pos)
			end = s.pos + len(cont)
			s.pos = n
		}
		field := s.data[start:end]
		colon := bytes.IndexByte(field, ':')
		if colon < 0 {
			continue
		}
		return trimWSP(field[:colon]), trimWSP(field[colon+1:]), true
	}
	return nil, nil, false
}

// header kinds BuildReject copies or checks.
const (
	hOther = iota
	hVia
	hFrom
	hTo
	hCallID
	hCSeq
	hContact
)

// headerKind maps a header name, long or compact (RFC 3261 §7.3.3), to its
// kind without allocating.
func headerKind(name []byte) int {
	switch len(name) {
	case 1:
		switch name[0] | 0x20 {
		case 'v':
			return hVia
		case 'f':
			return hFrom
		case 't':
			return hTo
		case 'i':
			return hCallID
		case 'm':
			return hContact
		}
	case 2:
		if bytes.EqualFold(name, []byte("to")) {
			return hTo
		}
	case 3:
		if bytes.EqualFold(name, []byte("via")) {
			return hVia
		}
	case 4:
		switch {
		case bytes.EqualFold(name, []byte("from")):
			return hFrom
		case bytes.EqualFold(name, []byte("cseq")):
			return hCSeq
		}
	case 7:
		switch {
		case bytes.EqualFold(name, []byte("call-id")):
			return hCallID
		case bytes.EqualFold(name, []byte("contact")):
			return hContact
		}
	}
	return hOther
}

// requestLine splits a start line leniently: fields are separated by runs
// of SP or HTAB, the first is the method and the last the version; whatever
// lies between is the Request-URI, however many fields it spans (RFC 4475
// lwsruri.dat). ok is false unless the method is a token, the version starts
// with "SIP/" and the line is not a status line.
func requestLine(line []byte) (method, uri, version []byte, ok bool) {
	line = trimWSP(line)
	i := bytes.IndexAny(line, " \t")
	if i <= 0 {
		return nil, nil, nil, false
	}
	method = line[:i]
	rest := trimWSP(line[i:])
	j := bytes.LastIndexAny(rest, " \t")
	if j < 0 {
		version = rest
	} else {
		uri, version = trimWSP(rest[:j]), rest[j+1:]
	}
	if !isToken(string(method)) || len(version) < 4 || !bytes.EqualFold(version[:4], []byte("SIP/")) {
		return nil, nil, nil, false
	}
	return method, uri, version, true
}

// isStatusLine reports whether a start line begins like a response.
func isStatusLine(line []byte) bool {
	return len(line) >= 4 && bytes.EqualFold(line[:4], []byte("SIP/"))
}

// uriScheme returns the scheme of a URI when it is syntactically one
// (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) before ":"),
// else nil: "<sip:user@example.com>" has no scheme.
func uriScheme(uri []byte) []byte {
	i := bytes.IndexByte(uri, ':')
	if i <= 0 {
		return nil
	}
	for k, c := range uri[:i] {
		switch {
		case 'a' <= c|0x20 && c|0x20 <= 'z':
		case k > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return nil
		}
	}
	return uri[:i]
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

func trimWSP(b []byte) []byte {
	for len(b) > 0 && (isWSP(b[0]) || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (isWSP(b[len(b)-1]) || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// appendUnfolded appends a header value with every line end and the white
// space around it replaced by a single SP (RFC 3261 §7.3.1).
func appendUnfolded(dst, value []byte) []byte {
	value = trimWSP(value)
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c != '\r' && c != '\n' {
			dst = append(dst, c)
			continue
		}
		for len(dst) > 0 && isWSP(dst[len(dst)-1]) {
			dst = dst[:len(dst)-1]
		}
		dst = append(dst, ' ')
		for i+1 < len(value) && (isWSP(value[i+1]) || value[i+1] == '\r' || value[i+1] == '\n') {
			i++
		}
	}
	return dst
}

// hasTagParam reports whether a To or From value carries a tag parameter:
// a ";tag" outside quoted strings and angle brackets, white space allowed
// around the name (RFC 4475 wsinv.dat).
func hasTagParam(v []byte) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			for i++; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' {
					i++
				}
			}
		case '<':
			for i < len(v) && v[i] != '>' {
				i++
			}
		case ';':
			k := i + 1
			for k < len(v) && (isWSP(v[k]) || v[k] == '\r' || v[k] == '\n') {
				k++
			}
			e := k
			for e < len(v) && isTokenChar(v[e]) {
				e++
			}
			if bytes.EqualFold(v[k:e], []byte("tag")) {
				return true
			}
		}
	}
	return false
}

// addrDefects inspects a From, To or Contact value. multi reports a comma
// outside quoted strings and angle brackets, that is, more than one value
// (legal only in Contact). unbracketed reports an addr-spec with a headers
// component ("?") outside angle brackets, which RFC 3261 §20 forbids
// (RFC 4475 regbadct.dat); each comma-separated value is checked on its own.
func addrDefects(v []byte) (multi, unbracketed bool) {
	angle, question := false, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			for i++; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' {
					i++
				}
			}
		case '<':
			angle = true
			for i < len(v) && v[i] != '>' {
				i++
			}
		case '?':
			question = true
		case ',':
			multi = true
			unbracketed = unbracketed || question && !angle
			angle, question = false, false
		}
	}
	unbracketed = unbracketed || question && !angle
	return multi, unbracketed
}
