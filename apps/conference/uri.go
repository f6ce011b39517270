package conference

import (
	"net"
	"strconv"
	"strings"
)

// sipURI is the part of a SIP URI the app looks at: scheme, user and
// host[:port]; parameters and headers are dropped.
type sipURI struct {
	scheme string // "sip" or "sips", lower case
	user   string
	host   string // as written, without brackets for IPv6
	port   string // "" when absent
}

// parseURI parses "sip:user@host[:port][;params][?headers]" (or sips:).
// A URI without a user part does not parse: conference URIs name a room
// by their user part.
func parseURI(s string) (sipURI, bool) {
	var u sipURI
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return u, false
	}
	u.scheme = strings.ToLower(scheme)
	if u.scheme != "sip" && u.scheme != "sips" {
		return u, false
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	userinfo, hostport, ok := strings.Cut(rest, "@")
	if !ok {
		return u, false
	}
	u.user, _, _ = strings.Cut(userinfo, ":") // no password
	if u.user == "" || hostport == "" {
		return u, false
	}
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return u, false
		}
		u.host, hostport = hostport[1:end], hostport[end+1:]
		if hostport != "" {
			if !strings.HasPrefix(hostport, ":") {
				return u, false
			}
			u.port = hostport[1:]
		}
	} else {
		u.host, u.port, _ = strings.Cut(hostport, ":")
	}
	if !validHost(u.host) {
		return u, false
	}
	if u.port != "" {
		if n, err := strconv.Atoi(u.port); err != nil || n <= 0 || n > 65535 {
			return u, false
		}
	}
	return u, true
}

// String is the URI without parameters.
func (u sipURI) String() string { return u.scheme + ":" + u.user + "@" + u.hostport() }

// hostport is what follows the @: host (bracketed when IPv6) and port.
func (u sipURI) hostport() string {
	h := u.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if u.port != "" {
		h += ":" + u.port
	}
	return h
}

// roomURI is the conference URI of user at domain (host or host:port).
func roomURI(user, domain string) string { return "sip:" + user + "@" + domain }

// validHost: a host name or IPv4 address (letters, digits, - and .), or
// an IPv6 address (without its brackets).
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if strings.Contains(h, ":") {
		return net.ParseIP(h) != nil
	}
	for _, r := range h {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// validHostPort: a host, or host:port, usable after the @ of a SIP URI.
func validHostPort(s string) bool {
	u, ok := parseURI("sip:x@" + s)
	return ok && u.String() == "sip:x@"+s
}

// validUser: a non-empty SIP user part of unreserved and user-unreserved
// characters but ; and ? (RFC 3261 §25.1, no escapes), at most maxUserLen
// bytes. token makes it a NATS subject token.
func validUser(s string) bool {
	if s == "" || len(s) > maxUserLen {
		return false
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune("-_.!~*'()&=+$,/", r):
		default:
			return false
		}
	}
	return true
}

// sameHost compares hosts as SIP does, case-insensitively; IP addresses
// by value.
func sameHost(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ia, ib := net.ParseIP(strings.Trim(a, "[]")), net.ParseIP(strings.Trim(b, "[]"))
	return ia != nil && ib != nil && ia.Equal(ib)
}
