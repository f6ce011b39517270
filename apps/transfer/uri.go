package transfer

import "strings"

// uriHost returns the lower-cased host of a sip: or sips: URI (without port,
// user, parameters or headers; an IPv6 reference keeps its brackets), or ""
// when s is not such a URI. A name-addr ("Bob <sip:bob@host>") is read
// inside its angle brackets.
func uriHost(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return ""
		}
		s = s[i+1 : i+j]
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return ""
	}
	if sc := strings.ToLower(scheme); sc != "sip" && sc != "sips" {
		return ""
	}
	// headers go first: their values may hold an @ (Replaces); the user
	// part may hold a ; (user parameters) but no @
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		rest = rest[:i]
	}
	if strings.HasPrefix(rest, "[") {
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return ""
		}
		return strings.ToLower(rest[:j+1])
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return strings.ToLower(rest)
}
