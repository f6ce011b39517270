package registrar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file is the parsing of REGISTER input that the registrar owns: the
// Contact header field values (name-addr or addr-spec, header parameters
// expires, q, +sip.instance, reg-id and the rest), the Expires header field
// and q-values. sipgo splits the Contact rows into values and checks their
// URIs; the parameters and their meaning are ours.

// Parsing limits: a REGISTER beyond them is refused with 400.
const (
	maxContacts      = 32   // Contact values in one REGISTER
	maxContactParams = 32   // header parameters of one Contact value
	maxContactLen    = 2048 // bytes of one Contact value
)

// maxExpires is the largest expiry SIP can express, 2^32-1 seconds (the
// bis-09 correction made Expires and the expires parameter agree on it).
const maxExpires = 1<<32 - 1

// qNone marks a Contact without a q parameter.
const qNone = -1

// errParse is wrapped by every parsing error.
var errParse = errors.New("registrar: parse")

// contactSpec is one parsed Contact header field value.
type contactSpec struct {
	display string // display name, unquoted
	uri     string // the URI exactly as given (opaque from here on)
	gr      bool   // the URI carries a gr parameter: a GRUU, left untouched
	// expires is the expires parameter in seconds (clamped to 2^32-1);
	// hasExpires reports whether it was present.
	expires    uint32
	hasExpires bool
	q          int    // q-value in thousandths (0-1000), qNone when absent
	instance   string // +sip.instance, normalised by the caller; "" when absent
	rawInst    string // +sip.instance as written (quoted)
	regID      uint32 // reg-id (RFC 5626), 0 when absent
	params     string // other header parameters, ";k=v" each, as written
}

// parseContacts parses the Contact header field values of a REGISTER. star
// reports a "*" value; it is an error for "*" to come with parameters.
// Whether "*" may appear with other values is for the caller to decide.
func parseContacts(values []string) (cs []contactSpec, star bool, err error) {
	for _, v := range values {
		parts, err := splitTopLevel(v, ',')
		if err != nil {
			return nil, false, err
		}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				return nil, false, fmt.Errorf("%w: empty Contact value", errParse)
			}
			if p == "*" {
				star = true
				continue
			}
			if p[0] == '*' {
				return nil, false, fmt.Errorf("%w: Contact: * takes no parameters", errParse)
			}
			if len(cs) == maxContacts {
				return nil, false, fmt.Errorf("%w: more than %d Contact values", errParse, maxContacts)
			}
			c, err := parseContact(p)
			if err != nil {
				return nil, false, err
			}
			cs = append(cs, c)
		}
	}
	return cs, star, nil
}

// splitTopLevel splits s on sep outside quoted strings and <...>.
func splitTopLevel(s string, sep byte) ([]string, error) {
	var out []string
	inQuote, inAngle, esc := false, false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			if inAngle {
				return nil, fmt.Errorf("%w: nested '<'", errParse)
			}
			inAngle = true
		case c == '>':
			inAngle = false
		case c == sep && !inAngle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if inQuote || inAngle {
		return nil, fmt.Errorf("%w: unterminated quote or '<'", errParse)
	}
	return append(out, s[start:]), nil
}

// parseContact parses one value: name-addr or addr-spec, then parameters.
func parseContact(v string) (contactSpec, error) {
	c := contactSpec{q: qNone}
	if len(v) > maxContactLen {
		return c, fmt.Errorf("%w: Contact value of %d bytes", errParse, len(v))
	}
	var rest string
	if lt := indexOutsideQuotes(v, '<'); lt >= 0 {
		disp := strings.TrimSpace(v[:lt])
		gt := strings.IndexByte(v[lt:], '>')
		if gt < 0 {
			return c, fmt.Errorf("%w: no '>' in Contact", errParse)
		}
		c.uri = strings.TrimSpace(v[lt+1 : lt+gt])
		rest = v[lt+gt+1:]
		if disp != "" {
			d, err := unquoteDisplay(disp)
			if err != nil {
				return c, err
			}
			c.display = d
		}
	} else {
		// addr-spec: the URI cannot carry parameters; what follows ';'
		// belongs to the header field (RFC 3261 §20.10)
		semi := strings.IndexByte(v, ';')
		if semi < 0 {
			semi = len(v)
		}
		c.uri = strings.TrimSpace(v[:semi])
		rest = v[semi:]
		if strings.ContainsAny(c.uri, " \t,?\"") {
			return c, fmt.Errorf("%w: addr-spec %q needs <>", errParse, c.uri)
		}
	}
	if c.uri == "" {
		return c, fmt.Errorf("%w: empty Contact URI", errParse)
	}
	c.gr = uriHasParam(c.uri, "gr")
	return c, parseContactParams(&c, rest)
}

func indexOutsideQuotes(s string, b byte) int {
	inQuote, esc := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == b:
			return i
		}
	}
	return -1
}

// unquoteDisplay returns a display name without its quotes and escapes.
func unquoteDisplay(s string) (string, error) {
	if s[0] != '"' {
		return s, nil // tokens
	}
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%w: display name %q", errParse, s)
	}
	var sb strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		sb.WriteByte(s[i])
	}
	return sb.String(), nil
}

// parseContactParams reads ";name[=value]" header parameters.
func parseContactParams(c *contactSpec, rest string) error {
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return nil
	}
	if rest[0] != ';' {
		return fmt.Errorf("%w: %q after the Contact URI", errParse, rest)
	}
	parts, err := splitTopLevel(rest[1:], ';')
	if err != nil {
		return err
	}
	if len(parts) > maxContactParams {
		return fmt.Errorf("%w: more than %d Contact parameters", errParse, maxContactParams)
	}
	var other strings.Builder
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		name, val, hasVal := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		val = strings.TrimSpace(val)
		if !isToken(name) {
			return fmt.Errorf("%w: Contact parameter name %q", errParse, name)
		}
		if hasVal && val == "" {
			return fmt.Errorf("%w: Contact parameter %s has an empty value", errParse, name)
		}
		lname := strings.ToLower(name)
		if seen[lname] {
			return fmt.Errorf("%w: Contact parameter %s repeated", errParse, name)
		}
		seen[lname] = true
		switch lname {
		case "expires":
			e, err := parseDelta(val)
			if err != nil {
				return fmt.Errorf("%w: expires: %w", errParse, err)
			}
			c.expires, c.hasExpires = e, true
		case "q":
			q, err := parseQ(val)
			if err != nil {
				return err
			}
			c.q = q
		case "+sip.instance":
			if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
				return fmt.Errorf("%w: +sip.instance must be a quoted string", errParse)
			}
			c.rawInst = val
		case "reg-id":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil || n == 0 || n > 1<<31-1 || !allDigits(val) {
				return fmt.Errorf("%w: reg-id %q", errParse, val)
			}
			c.regID = uint32(n)
		case "pub-gruu", "temp-gruu":
			// a UA SHOULD NOT send them (RFC 5627 §4.1); they are ours
			// to give, so they are dropped
		default:
			if hasVal && !isToken(val) && !isQuoted(val) && !isHostish(val) {
				return fmt.Errorf("%w: Contact parameter %s value %q", errParse, name, val)
			}
			other.WriteByte(';')
			other.WriteString(name)
			if hasVal {
				other.WriteByte('=')
				other.WriteString(val)
			}
		}
	}
	c.params = other.String()
	return nil
}

// parseExpires parses an Expires header field value (delta-seconds).
func parseExpires(v string) (uint32, error) {
	e, err := parseDelta(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%w: Expires: %w", errParse, err)
	}
	return e, nil
}

// parseDelta parses delta-seconds = 1*DIGIT. Values above 2^32-1 are taken
// as 2^32-1, the largest SIP defines.
func parseDelta(v string) (uint32, error) {
	if v == "" || !allDigits(v) {
		return 0, fmt.Errorf("%q is not delta-seconds", v)
	}
	v = strings.TrimLeft(v, "0")
	if len(v) > 10 {
		return maxExpires, nil
	}
	n, _ := strconv.ParseUint("0"+v, 10, 64) // at most 10 digits: fits
	if n > maxExpires {
		return maxExpires, nil
	}
	return uint32(n), nil
}

// parseQ parses qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")]) into
// thousandths.
func parseQ(v string) (int, error) {
	bad := fmt.Errorf("%w: q-value %q", errParse, v)
	if v == "" || len(v) > 5 || (v[0] != '0' && v[0] != '1') {
		return 0, bad
	}
	whole := int(v[0] - '0')
	frac := 0
	if len(v) > 1 {
		if v[1] != '.' || !allDigits(v[2:]) {
			return 0, bad
		}
		digits := v[2:]
		for i := 0; i < 3; i++ {
			frac *= 10
			if i < len(digits) {
				frac += int(digits[i] - '0')
			}
		}
	}
	q := whole*1000 + frac
	if q > 1000 {
		return 0, bad
	}
	return q, nil
}

// formatQ writes thousandths as a qvalue: 1000 → "1", 500 → "0.5".
func formatQ(q int) string {
	if q >= 1000 {
		return "1"
	}
	s := strconv.Itoa(1000 + q)[1:] // three digits
	s = strings.TrimRight(s, "0")
	if s == "" {
		return "0"
	}
	return "0." + s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isToken: RFC 3261 token characters.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-.!%*_+`'~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isQuoted(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	esc := false
	for i := 1; i < len(s)-1; i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case s[i] == '"' || s[i] == '\r' || s[i] == '\n':
			return false
		}
	}
	return !esc
}

// isHostish accepts gen-value hosts, IPv6 references included.
func isHostish(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// uriHasParam reports whether the URI text carries the URI parameter name
// (before any '?' headers), e.g. gr in sip:a@b;gr=urn:uuid:1.
func uriHasParam(uri, name string) bool {
	if q := strings.IndexByte(uri, '?'); q >= 0 {
		uri = uri[:q]
	}
	parts := strings.Split(uri, ";")
	for _, p := range parts[1:] {
		k, _, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return true
		}
	}
	return false
}
