package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tandem-sip/tandem/b2bua"
)

// Validate checks the configuration and returns every problem joined with
// errors.Join, one *Error per problem naming its key, or nil.
func (c Config) Validate() error {
	ps := c.problems()
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// problems lists what is wrong with c, in key order.
func (c Config) problems() []*Error {
	var v validation
	if c.Node == "" {
		v.add("node", "must be set")
	} else if !subjectToken(c.Node) {
		v.add("node", "%q cannot be a NATS subject token (no spaces, dots, * or >)", c.Node)
	}

	v.hostPort("sip.listen", c.SIP.Listen, false)
	if !c.SIP.UDP && !c.SIP.TCP {
		v.add("sip", "at least one of sip.udp and sip.tcp must be true")
	}
	if c.SIP.Advertise != "" {
		v.hostPort("sip.advertise", c.SIP.Advertise, true)
	}
	if c.SIP.UDPReadBuffer < 0 {
		v.add("sip.udp_read_buffer", "%d is negative", c.SIP.UDPReadBuffer)
	}
	if strings.ContainsFunc(c.SIP.UserAgent, unicode.IsControl) {
		v.add("sip.user_agent", "%q contains control characters", c.SIP.UserAgent)
	}

	for i, r := range c.Routes {
		v.route(fmt.Sprintf("routes[%d]", i), r)
	}

	v.positive("route_deadline", c.RouteDeadline)
	v.positive("no_answer_timeout", c.NoAnswerTimeout)
	v.positive("drain_timeout", c.DrainTimeout)
	if c.MaxCallDuration < 0 {
		v.add("max_call_duration", "%v is negative", c.MaxCallDuration)
	}
	if c.MaxRedirects < 0 || c.MaxRedirects > 10 {
		v.add("max_redirects", "%d is not in 0-10", c.MaxRedirects)
	}
	if c.ReferFallback != "accept" && c.ReferFallback != "reject" {
		v.add("refer_fallback", "%q is not accept or reject", c.ReferFallback)
	}
	if c.ReferAuth && !c.Registrar.Enabled {
		v.add("refer_auth", "needs registrar.enabled: REFERs are checked against its accounts")
	}
	if c.RetryAfter < 0 {
		v.add("retry_after", "%d is negative", c.RetryAfter)
	}
	for i, h := range c.Headers.Allow {
		v.allowHeader(fmt.Sprintf("headers.allow[%d]", i), h)
	}
	// The registrar and GRUU sections check themselves (their types are the
	// core's own); their keys are relative to the section.
	for _, p := range c.Registrar.Problems() {
		v.addErr("registrar."+p.Key, p.Err)
	}
	for _, p := range c.GRUU.Problems() {
		v.addErr("gruu."+p.Key, p.Err)
	}
	for _, p := range c.Mixer.Problems() {
		v.addErr("mixer."+p.Key, p.Err)
	}

	if c.NATS.URL != "" {
		v.natsURL("nats.url", c.NATS.URL)
	} else if c.NATS.Embedded.DataDir == "" {
		v.add("nats.embedded.data_dir", "must be set when nats.url is empty (the embedded server needs it)")
	}
	if p := c.NATS.Embedded.Port; p < -1 || p > 65535 {
		v.add("nats.embedded.port", "%d is not in -1..65535", p)
	}
	v.natsUsers(c)
	v.plugins(c)

	if c.HTTP.Listen != "" {
		v.hostPort("http.listen", c.HTTP.Listen, false)
	}
	if c.Runtime.GCPercent < 10 || c.Runtime.GCPercent > 10000 {
		v.add("runtime.gc_percent", "%d is not in 10-10000", c.Runtime.GCPercent)
	}
	if c.Runtime.MemoryLimitMiB < 0 {
		v.add("runtime.memory_limit_mib", "%d is negative", c.Runtime.MemoryLimitMiB)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		v.add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch strings.ToLower(c.Log.Format) {
	case "text", "json":
	default:
		v.add("log.format", "%q is not text or json", c.Log.Format)
	}

	// Whatever keys the composed packages add, a negative duration is
	// always a mistake.
	rv := reflect.ValueOf(c)
	for _, l := range leaves() {
		if l.typ == durationType {
			if d := rv.FieldByIndex(l.index).Int(); d < 0 && !v.has(l.path) {
				v.add(l.path, "%s is negative", rv.FieldByIndex(l.index))
			}
		}
	}
	return v.errs
}

type validation struct{ errs []*Error }

func (v *validation) add(key, format string, args ...any) {
	v.errs = append(v.errs, &Error{Key: key, Err: fmt.Errorf(format, args...)})
}

func (v *validation) addErr(key string, err error) {
	v.errs = append(v.errs, &Error{Key: key, Err: err})
}

func (v *validation) has(key string) bool {
	for _, e := range v.errs {
		if e.Key == key {
			return true
		}
	}
	return false
}

func (v *validation) positive(key string, d time.Duration) {
	if d <= 0 {
		v.add(key, "%s: must be more than 0", d)
	}
}

// hostPort checks a host:port with a numeric port 0-65535; an advertised
// address (needHost) must name its host and a port other than 0.
func (v *validation) hostPort(key, s string, needHost bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		v.add(key, "%q is not host:port", s)
		return
	}
	n, err := strconv.Atoi(port)
	switch {
	case err != nil || strings.TrimLeft(port, "0123456789") != "" || n > 65535:
		v.add(key, "%q is not host:port: port %q is not a number 0-65535", s, port)
	case strings.ContainsFunc(host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		v.add(key, "%q is not host:port: host contains spaces", s)
	case needHost && host == "":
		v.add(key, "%q is not host:port: the host is missing", s)
	case needHost && n == 0:
		v.add(key, "%q is not host:port: port 0 cannot be advertised", s)
	}
}

// subjectToken reports whether s can be one NATS subject token.
func subjectToken(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r == '.' || r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

func (v *validation) route(p string, r b2bua.Route) {
	var res []*regexp.Regexp
	for _, f := range []struct{ key, expr string }{{"user", r.User}, {"host", r.Host}} {
		re, err := regexp.Compile(f.expr)
		if err != nil {
			v.addErr(p+"."+f.key, fmt.Errorf("invalid regexp: %w", err))
			continue
		}
		res = append(res, re)
	}
	switch {
	case r.Target != "" && r.Reject != 0:
		v.add(p, "target and reject are both set; set exactly one")
	case r.Target == "" && r.Reject == 0:
		v.add(p, "neither target nor reject is set; set exactly one")
	case r.Target != "":
		if err := checkTarget(r.Target); err != nil {
			v.addErr(p+".target", err)
		} else if len(res) == 2 {
			if err := checkPlaceholders(r.Target, res[0], res[1]); err != nil {
				v.addErr(p+".target", err)
			}
		}
	case r.Reject < 300 || r.Reject > 699:
		v.add(p+".reject", "%d is not a SIP final status 300-699", r.Reject)
	}
	if strings.ContainsFunc(r.Reason, unicode.IsControl) {
		v.add(p+".reason", "%q contains control characters", r.Reason)
	}
}

// checkTarget checks that target looks like a sip: or sips: URI with a host.
// It is a sanity check, not a parser: $1 and ${name} placeholders pass.
func checkTarget(target string) error {
	if strings.ContainsFunc(target, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("%q contains spaces", target)
	}
	rest, ok := cutPrefixFold(target, "sip:")
	if !ok {
		rest, ok = cutPrefixFold(target, "sips:")
	}
	if !ok {
		return fmt.Errorf("%q is not a sip: or sips: URI", target)
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		if i == 0 {
			return fmt.Errorf("%q has an empty user part before @", target)
		}
		rest = rest[i+1:]
	}
	host := rest
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return fmt.Errorf("%q has an unterminated IPv6 reference", target)
		}
		host = host[:end+1]
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "}") {
		host = host[:i]
	}
	if host == "" {
		return fmt.Errorf("%q has no host", target)
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// checkPlaceholders checks that every $n, ${n}, $name and ${name} of target
// refers to a capture group of user or host. The b2bua expands them from the
// first of User and Host that has the group, so $n needs n groups in one of
// them; "$$" is a literal "$" and a "$" starting no reference is kept as is.
func checkPlaceholders(target string, user, host *regexp.Regexp) error {
	groups := max(user.NumSubexp(), host.NumSubexp())
	named := func(name string) bool { return user.SubexpIndex(name) >= 0 || host.SubexpIndex(name) >= 0 }
	for s := target; ; {
		i := strings.IndexByte(s, '$')
		if i < 0 || i+1 >= len(s) {
			return nil
		}
		s = s[i+1:]
		var ref string
		braced := false
		switch {
		case s[0] == '$':
			s = s[1:]
			continue
		case s[0] == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				continue
			}
			ref, s, braced = s[1:end], s[end+1:], true
		default:
			j := 0
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			if j == 0 {
				continue
			}
			ref, s = s[:j], s[j:]
		}
		if ref == "" {
			return errors.New("${} names no capture group")
		}
		if d := leadingDigits(ref); d == ref {
			if n, err := strconv.Atoi(ref); err != nil || n > groups {
				return fmt.Errorf("$%s: user and host have at most %d capture groups", ref, groups)
			}
			continue
		}
		if named(ref) {
			continue
		}
		if d := leadingDigits(ref); !braced && d != "" {
			return fmt.Errorf("$%s is read as the group named %q; write ${%s}%s for group %s followed by %q",
				ref, ref, d, ref[len(d):], d, ref[len(d):])
		}
		return fmt.Errorf("${%s}: no capture group of that name in user or host", ref)
	}
}

func isWordChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// dialogHeaders are never copied across legs, whatever headers.allow says
// (long and compact forms, lower case).
var dialogHeaders = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true,
	"call-id": true, "i": true, "cseq": true, "contact": true, "m": true,
	"route": true, "record-route": true, "max-forwards": true,
	"content-length": true, "l": true,
}

func (v *validation) allowHeader(key, h string) {
	if h == "" || strings.ContainsFunc(h, func(r rune) bool { return !isTokenChar(r) }) {
		v.add(key, "%q is not a header name (RFC 3261 token)", h)
		return
	}
	if dialogHeaders[strings.ToLower(h)] {
		v.add(key, "%q is a dialog-forming header; it is never copied", h)
	}
	if n := strings.ToLower(h); n == "answer-mode" || n == "priv-answer-mode" {
		v.add(key, "%q is never relayed: a caller must not make a phone answer by itself (RFC 5373 §8); controllers set it on legs.originate", h)
	}
}

// isTokenChar reports whether r may appear in an RFC 3261 token.
func isTokenChar(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-.!%*_+`'~", r))
}

// natsURL checks a NATS URL or a comma-separated list of them (a cluster).
// Messages show URLs with any password redacted.
func (v *validation) natsURL(key, s string) {
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		switch {
		case err != nil:
			v.add(key, "%q is not a URL", redactURL(part))
		case u.Scheme != "nats" && u.Scheme != "tls":
			v.add(key, "%q is not a nats:// or tls:// URL", redactURL(part))
		case u.Host == "":
			v.add(key, "%q has no host", redactURL(part))
		}
	}
}

// redactURL hides the user information of a URL-like string.
func redactURL(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return s
	}
	return s[:i+3] + "xxxxx" + rest[at:]
}
