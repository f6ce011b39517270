package dialogevent

import (
	"strings"
)

// AOR is an address-of-record: the user and host of a sip: or sips: URI,
// which is what a subscription, a watcher and a call party are compared
// by. The scheme, the port, the password and every parameter and header
// are left out: sip:bob@example.com:5060;transport=tcp and
// sips:bob@EXAMPLE.com are the same AOR. The user is unescaped and
// compared as it is (RFC 3261 §19.1.4: case-sensitive); the host is
// lower-cased.
type AOR struct {
	User string
	Host string
}

// String is the AOR as a sip: URI, its user escaped where needed.
func (a AOR) String() string { return "sip:" + escapeUser(a.User) + "@" + a.Host }

// IsZero reports whether a is the zero AOR (no user, no host).
func (a AOR) IsZero() bool { return a == AOR{} }

// ParseAOR reads the AOR of a URI or of a header value holding one: a bare
// sip:/sips: URI ("sip:bob@example.com;transport=tcp") or a name-addr
// ("\"Bob\" <sip:bob@example.com>;tag=1"). false: s holds no sip: or sips:
// URI with both a user and a valid host.
func ParseAOR(s string) (AOR, bool) {
	na, ok := parseNameAddr(s)
	if !ok {
		return AOR{}, false
	}
	return aorOfURI(na.URI)
}

// nameAddr is a header value's display name and URI, as written (the URI
// without the header's own parameters).
type nameAddr struct {
	Display string
	URI     string
}

// parseNameAddr splits a From/To-style value into its display name and
// URI: "Name" <uri>;params, Name <uri>, <uri> or a bare uri (whose
// parameters, after the first ';', are the header's: RFC 3261 §20 wants a
// URI with parameters in angle brackets).
func parseNameAddr(s string) (nameAddr, bool) {
	s = strings.TrimSpace(s)
	var na nameAddr
	switch {
	case strings.HasPrefix(s, `"`):
		display, rest, ok := cutQuoted(s)
		if !ok {
			return nameAddr{}, false
		}
		rest = strings.TrimLeft(rest, " \t")
		if !strings.HasPrefix(rest, "<") {
			return nameAddr{}, false
		}
		na.Display, s = display, rest
	case strings.IndexByte(s, '<') >= 0:
		i := strings.IndexByte(s, '<')
		na.Display, s = strings.TrimSpace(s[:i]), s[i:]
	default:
		if i := strings.IndexAny(s, ";?"); i >= 0 {
			s = s[:i]
		}
		na.URI = strings.TrimSpace(s)
		return na, na.URI != ""
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return nameAddr{}, false
	}
	na.URI = strings.TrimSpace(s[1:end])
	return na, na.URI != ""
}

// cutQuoted reads the quoted string s starts with: its unescaped content
// and what follows the closing quote.
func cutQuoted(s string) (content, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// aorOfURI reads the AOR of a sip: or sips: URI.
func aorOfURI(uri string) (AOR, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(uri), ":")
	if !ok {
		return AOR{}, false
	}
	if sc := strings.ToLower(scheme); sc != "sip" && sc != "sips" {
		return AOR{}, false
	}
	// headers first: a careless header value may hold an @ (Replaces)
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	userinfo, hostport, ok := strings.Cut(rest, "@")
	if !ok {
		return AOR{}, false
	}
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		userinfo = userinfo[:i] // a password
	}
	user := unescape(userinfo)
	if user == "" {
		return AOR{}, false
	}
	if i := strings.IndexByte(hostport, ';'); i >= 0 {
		hostport = hostport[:i]
	}
	host, ok := hostOf(hostport)
	if !ok {
		return AOR{}, false
	}
	return AOR{User: user, Host: host}, true
}

// hostOf is the lower-cased host of host[:port]: a name or IPv4 address
// (letters, digits, '.', '-') or a bracketed IPv6 reference.
func hostOf(hostport string) (string, bool) {
	host := hostport
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "", false
		}
		host = host[:end+1]
		for _, c := range host[1:end] {
			if !isHex(c) && c != ':' && c != '.' {
				return "", false
			}
		}
		if end == 1 {
			return "", false
		}
		return strings.ToLower(host), true
	}
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return "", false
	}
	for _, c := range host {
		if !isAlnum(c) && c != '.' && c != '-' {
			return "", false
		}
	}
	return strings.ToLower(host), true
}

func isAlnum(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c rune) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescape decodes the %XX escapes of a URI's user part; a '%' not
// followed by two hex digits stays as it is.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(rune(s[i+1])) && isHex(rune(s[i+2])) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// escapeUser escapes what may not stand as it is in a URI's user part
// (RFC 3261 §25.1: unreserved and user-unreserved characters stay, but '?'
// and ';' are escaped too, so that the URI reads the same bare or in angle
// brackets).
func escapeUser(s string) string {
	const keep = "-_.!~*'()&=+$,/"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(rune(c)) || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		const hexDigits = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
