package gruu

import (
	"strings"
)

// PubGRUU returns the public GRUU of an instance (RFC 5627 §3.1): the
// canonical AOR (sip:user@host, no parameters) with a gr parameter carrying
// the instance ID (the +sip.instance value without quotes and angle
// brackets, e.g. urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6), escaped
// where a URI parameter value needs it.
func PubGRUU(aor, instance string) string {
	return aor + ";gr=" + EscapeParam(instance)
}

// EscapeParam escapes s for a SIP URI parameter value (RFC 3261 §25.1:
// paramchar = param-unreserved / unreserved / escaped).
func EscapeParam(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !paramChar(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexd = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if paramChar(c) {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hexd[c>>4])
		sb.WriteByte(hexd[c&15])
	}
	return sb.String()
}

// Unescape decodes %HH escapes; a malformed escape is kept as it is.
func Unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				sb.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func paramChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '[', ']', '/', ':', '&', '+', '$', // param-unreserved
		'-', '_', '.', '!', '~', '*', '\'', '(', ')': // mark
		return true
	}
	return false
}

// NormalizeInstance returns the instance ID of a +sip.instance parameter
// value: without the surrounding quotes and angle brackets, and lower-case
// when it is a urn:uuid (RFC 4122 UUIDs compare case-insensitively; so do
// the "urn" scheme and its namespace). "" when nothing is left.
func NormalizeInstance(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '<' && v[len(v)-1] == '>' {
		v = v[1 : len(v)-1]
	}
	v = strings.TrimSpace(v)
	lower := strings.ToLower(v)
	if strings.HasPrefix(lower, "urn:uuid:") {
		return lower
	}
	if strings.HasPrefix(lower, "urn:") {
		// the scheme and the namespace identifier are case-insensitive
		if i := strings.IndexByte(v[4:], ':'); i >= 0 {
			return lower[:4+i] + v[4+i:]
		}
	}
	return v
}
