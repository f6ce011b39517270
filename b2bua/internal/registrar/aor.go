package registrar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// canonicalAOR is the address-of-record of a To URI (RFC 3261 §10.3 step
// 5): URI parameters and headers removed, escapes in the user part decoded
// (and re-escaped one canonical way), scheme and host lower-case:
// "sip:alice@example.com". The user part is required.
func canonicalAOR(u sipx.Uri) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "sip" && scheme != "sips" {
		return "", fmt.Errorf("registrar: AOR scheme %q is not sip or sips", u.Scheme)
	}
	if u.User == "" {
		return "", fmt.Errorf("registrar: AOR without a user part")
	}
	if u.Host == "" {
		return "", fmt.Errorf("registrar: AOR without a host")
	}
	var sb strings.Builder
	sb.Grow(len(scheme) + len(u.User) + len(u.Host) + 8)
	sb.WriteString(scheme)
	sb.WriteByte(':')
	escapeUser(&sb, gruu.Unescape(u.User))
	sb.WriteByte('@')
	sb.WriteString(strings.ToLower(u.Host))
	if u.Port != 0 {
		sb.WriteByte(':')
		sb.WriteString(strconv.Itoa(u.Port))
	}
	return sb.String(), nil
}

// canonicalAORString parses s and returns its canonical AOR.
func canonicalAORString(s string) (string, error) {
	u, err := sipx.ParseURI(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("registrar: AOR %q: %w", s, err)
	}
	return canonicalAOR(u)
}

// escapeUser writes a user part escaping all but unreserved and
// user-unreserved characters (RFC 3261 §25.1).
func escapeUser(sb *strings.Builder, user string) {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(user); i++ {
		c := user[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hexd[c>>4])
		sb.WriteByte(hexd[c&15])
	}
}

// aorDomain is the host[:port] of a canonical AOR.
func aorDomain(aor string) string {
	if i := strings.LastIndexByte(aor, '@'); i >= 0 {
		return aor[i+1:]
	}
	return ""
}

// aorUser is the (escaped) user part of a canonical AOR.
func aorUser(aor string) string {
	_, rest, _ := strings.Cut(aor, ":")
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// contactKey is the identity of a Contact URI for matching bindings
// without +sip.instance (RFC 3261 §19.1.4, simplified): scheme, user and
// password as they are (after unescaping), host case-insensitively, the
// port as written (an omitted port differs from 5060), and the parameters
// user, ttl, method, maddr and transport, which must match when either URI
// has them. Other URI parameters do not tell bindings apart.
func contactKey(u sipx.Uri) string {
	var sb strings.Builder
	sb.WriteString("u:")
	sb.WriteString(strings.ToLower(u.Scheme))
	sb.WriteByte(':')
	sb.WriteString(gruu.Unescape(u.User))
	if u.Password != "" {
		sb.WriteByte(':')
		sb.WriteString(gruu.Unescape(u.Password))
	}
	sb.WriteByte('@')
	sb.WriteString(strings.ToLower(u.Host))
	sb.WriteByte(':')
	sb.WriteString(strconv.Itoa(u.Port))
	var ps []string
	for _, name := range []string{"maddr", "method", "transport", "ttl", "user"} {
		if v, ok := u.UriParams.Get(name); ok {
			ps = append(ps, name+"="+strings.ToLower(v))
		}
	}
	slices.Sort(ps)
	for _, p := range ps {
		sb.WriteByte(';')
		sb.WriteString(p)
	}
	return sb.String()
}

// instanceKey is the identity of a binding with +sip.instance: the
// instance and the reg-id (RFC 5626 §6), or the instance alone, in which
// case the most recent Contact of the instance replaces the others (the
// GRUU-12 slides: outbound-like behaviour without outbound).
func instanceKey(instance string, regID uint32) string {
	if regID == 0 {
		return "i:" + instance
	}
	return "i:" + instance + "|" + strconv.FormatUint(uint64(regID), 10)
}
