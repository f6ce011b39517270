package b2bua

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// compiledRoute is a Route with its expressions compiled.
type compiledRoute struct {
	Route
	user, host *regexp.Regexp
}

// RouteResult is what routing decided for a call.
type RouteResult struct {
	Action string // "forward", "reject" or "park"
	Target string
	// Forks lists further targets called with Target (parallel, or one
	// after another with Serial).
	Forks  []string
	Serial bool
	Code   int
	Reason string
	By     string // "plugin", "config" or "default"
	Rule   string // the matching rule's name, with "config"
	// Controller claims a parked call (Action "park", from a plugin).
	Controller string
}

// compileRoutes compiles the static rules.
func compileRoutes(rs []Route) ([]compiledRoute, error) {
	out := make([]compiledRoute, 0, len(rs))
	for i, r := range rs {
		cr := compiledRoute{Route: r}
		var err error
		if r.User != "" {
			if cr.user, err = regexp.Compile(r.User); err != nil {
				return nil, fmt.Errorf("b2bua: routes[%d].user: %w", i, err)
			}
		}
		if r.Host != "" {
			if cr.host, err = regexp.Compile(r.Host); err != nil {
				return nil, fmt.Errorf("b2bua: routes[%d].host: %w", i, err)
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

// matchRoute applies the static rules to a Request-URI's user and host. The
// first rule whose expressions both match wins; its target has $1, ${name}
// expanded from User's captures, then Host's. No match: 404.
func matchRoute(rules []compiledRoute, user, host string) RouteResult {
	for _, r := range rules {
		var um, hm []int
		if r.user != nil {
			if um = r.user.FindStringSubmatchIndex(user); um == nil {
				continue
			}
		}
		if r.host != nil {
			if hm = r.host.FindStringSubmatchIndex(host); hm == nil {
				continue
			}
		}
		if r.Reject != 0 {
			reason := r.Reason
			if reason == "" {
				reason = reasonPhrase(r.Reject)
			}
			return RouteResult{Action: "reject", Code: r.Reject, Reason: reason, By: "config", Rule: r.Name}
		}
		target := expandTarget(r.Target, capture{r.user, user, um}, capture{r.host, host, hm})
		return RouteResult{Action: "forward", Target: target, By: "config", Rule: r.Name}
	}
	return RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "default"}
}

// capture is one expression's match, for expandTarget.
type capture struct {
	re    *regexp.Regexp
	s     string
	match []int
}

// lookup returns group ref (a number or a name) of the capture.
func (c capture) lookup(ref string) (string, bool) {
	if c.re == nil || c.match == nil {
		return "", false
	}
	idx := -1
	if n, err := strconv.Atoi(ref); err == nil {
		idx = n
	} else {
		idx = c.re.SubexpIndex(ref)
	}
	if idx < 0 || 2*idx+1 >= len(c.match) {
		return "", false
	}
	if c.match[2*idx] < 0 {
		return "", true
	}
	return c.s[c.match[2*idx]:c.match[2*idx+1]], true
}

// expandTarget replaces $n, ${n} and ${name} in tmpl with the first capture
// that has that group (User's before Host's); "$$" is a literal "$".
func expandTarget(tmpl string, caps ...capture) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch != '$' || i+1 >= len(tmpl) {
			b.WriteByte(ch)
			continue
		}
		rest := tmpl[i+1:]
		var ref string
		switch {
		case rest[0] == '$':
			b.WriteByte('$')
			i++
			continue
		case rest[0] == '{':
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				b.WriteByte(ch)
				continue
			}
			ref = rest[1:end]
			i += end + 1
		default:
			j := 0
			for j < len(rest) && (rest[j] == '_' || rest[j] >= '0' && rest[j] <= '9' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
				j++
			}
			if j == 0 {
				b.WriteByte(ch)
				continue
			}
			ref = rest[:j]
			i += j
		}
		for _, c := range caps {
			if v, ok := c.lookup(ref); ok {
				b.WriteString(v)
				break
			}
		}
	}
	return b.String()
}

// reasonPhrase is the RFC 3261 phrase of common codes.
func reasonPhrase(code int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 408:
		return "Request Timeout"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 482:
		return "Loop Detected"
	case 483:
		return "Too Many Hops"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 491:
		return "Request Pending"
	case 500:
		return "Server Internal Error"
	case 501:
		return "Not Implemented"
	case 503:
		return "Service Unavailable"
	case 603:
		return "Decline"
	}
	switch {
	case code >= 600:
		return "Global Failure"
	case code >= 500:
		return "Server Error"
	case code >= 400:
		return "Client Error"
	case code >= 300:
		return "Redirection"
	}
	return "OK"
}
