package registrar

import (
	"fmt"
	"strings"
)

// This file parses the Authorization header field (RFC 3261 §25.1
// credentials, RFC 7616 / RFC 8760 digest-response): "Digest" then
// comma-separated auth-params, values tokens or quoted strings.

// maxAuthLen bounds an Authorization value.
const maxAuthLen = 4096

// credentials are the digest-response parameters we use.
type credentials struct {
	username, realm, nonce, uri, response string
	algorithm, cnonce, qop, nc, opaque    string
	userhash                              bool
}

// parseAuthorization parses one Authorization (or Proxy-Authorization)
// value. Unknown parameters are ignored; a repeated one is an error.
func parseAuthorization(v string) (credentials, error) {
	var c credentials
	v = strings.TrimSpace(v)
	if len(v) > maxAuthLen {
		return c, fmt.Errorf("%w: Authorization of %d bytes", errParse, len(v))
	}
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Digest") {
		return c, fmt.Errorf("%w: Authorization scheme %q is not Digest", errParse, scheme)
	}
	parts, err := splitTopLevel(rest, ',')
	if err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for _, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if !ok || !isToken(name) || val == "" {
			return c, fmt.Errorf("%w: auth-param %q", errParse, strings.TrimSpace(p))
		}
		if seen[name] {
			return c, fmt.Errorf("%w: auth-param %s repeated", errParse, name)
		}
		seen[name] = true
		if val[0] == '"' {
			if !isQuoted(val) {
				return c, fmt.Errorf("%w: auth-param %s: bad quoted string", errParse, name)
			}
			val = unquote(val)
		} else if !isToken(val) {
			return c, fmt.Errorf("%w: auth-param %s: %q is not a token", errParse, name, val)
		}
		switch name {
		case "username":
			c.username = val
		case "realm":
			c.realm = val
		case "nonce":
			c.nonce = val
		case "uri":
			c.uri = val
		case "response":
			c.response = strings.ToLower(val)
		case "algorithm":
			c.algorithm = val
		case "cnonce":
			c.cnonce = val
		case "qop":
			c.qop = strings.ToLower(val)
		case "nc":
			c.nc = strings.ToLower(val)
		case "opaque":
			c.opaque = val
		case "userhash":
			c.userhash = strings.EqualFold(val, "true")
		}
	}
	return c, nil
}

// unquote removes the quotes and backslash escapes of a quoted string
// already checked by isQuoted.
func unquote(s string) string {
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// parseNC parses a nonce-count: exactly 8 hex digits.
func parseNC(s string) (uint32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	var n uint32
	for i := 0; i < 8; i++ {
		c := s[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint32(d)
	}
	return n, true
}
