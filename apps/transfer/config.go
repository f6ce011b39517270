package transfer

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Config is the transfer app's configuration: the plugin's config mapping
// (plugins.list[].config), handed over as JSON. The zero Config accepts
// every transfer unchanged.
type Config struct {
	// Deny lists regular expressions (Go syntax, RE2) matched against the
	// Refer-To URI: a transfer to a matching URI is refused with 403.
	Deny []string `json:"deny"`
	// Allow, when not empty, lists the only Refer-To URIs accepted (each a
	// regular expression); any other is refused with 403.
	Allow []string `json:"allow"`
	// Rewrite rules are tried in order on the Refer-To URI; the first whose
	// Match matches gives the URI the core calls instead.
	Rewrite []Rewrite `json:"rewrite"`
	// RequireSameDomain refuses (403) a transfer whose Refer-To host is not
	// the host of the REFER's From URI.
	RequireSameDomain bool `json:"require_same_domain"`
	// MaxTransfersPerCall bounds the transfers this instance accepts on one
	// call; beyond it a transfer is refused with 486. 0 is no limit.
	MaxTransfersPerCall int `json:"max_transfers_per_call"`
}

// Rewrite is one rewrite rule.
type Rewrite struct {
	// Match is a regular expression matched against the Refer-To URI.
	Match string `json:"match"`
	// Target is the URI to call instead: a sip: or sips: URI template in
	// which $1, ${1} or ${name} stand for Match's groups and $$ for a $
	// (regexp.Regexp.Expand).
	Target string `json:"target"`
}

// ParseConfig decodes data (JSON) into a Config and validates it. A key the
// Config does not declare is an error, so that a typo is not silently
// ignored. Empty data is the zero Config.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := sdk.DecodeConfig(data, &c); err != nil {
		return Config{}, fmt.Errorf("transfer: config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks c and reports every problem at once (errors.Join), each
// naming its key, e.g. "transfer: rewrite[1].match: ...".
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// compiled is a valid Config with its regular expressions compiled.
type compiled struct {
	deny, allow []*regexp.Regexp
	rewrite     []compiledRewrite
}

type compiledRewrite struct {
	match  *regexp.Regexp
	target string
}

// compile compiles c's regular expressions and checks every key.
func (c Config) compile() (compiled, error) {
	var (
		out  compiled
		errs []error
	)
	problem := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("transfer: %s: "+format, append([]any{key}, args...)...))
	}
	compileList := func(key string, exprs []string) []*regexp.Regexp {
		res := make([]*regexp.Regexp, 0, len(exprs))
		for i, e := range exprs {
			k := key + "[" + strconv.Itoa(i) + "]"
			if e == "" {
				problem(k, "must not be empty (it would match every URI)")
				continue
			}
			re, err := regexp.Compile(e)
			if err != nil {
				problem(k, "invalid regexp: %w", err)
				continue
			}
			res = append(res, re)
		}
		return res
	}
	out.deny = compileList("deny", c.Deny)
	out.allow = compileList("allow", c.Allow)
	for i, r := range c.Rewrite {
		k := "rewrite[" + strconv.Itoa(i) + "]"
		var re *regexp.Regexp
		if r.Match == "" {
			problem(k+".match", "must be set")
		} else if m, err := regexp.Compile(r.Match); err != nil {
			problem(k+".match", "invalid regexp: %w", err)
		} else {
			re = m
		}
		lt := strings.ToLower(r.Target)
		if !strings.HasPrefix(lt, "sip:") && !strings.HasPrefix(lt, "sips:") {
			problem(k+".target", "%q is not a sip: or sips: URI template", r.Target)
			continue
		}
		if re == nil {
			continue
		}
		if err := checkTemplate(re, r.Target); err != nil {
			problem(k+".target", "%w", err)
			continue
		}
		out.rewrite = append(out.rewrite, compiledRewrite{match: re, target: r.Target})
	}
	if c.MaxTransfersPerCall < 0 {
		problem("max_transfers_per_call", "%d: must be 0 (no limit) or more", c.MaxTransfersPerCall)
	}
	if len(errs) > 0 {
		return compiled{}, errors.Join(errs...)
	}
	return out, nil
}

// checkTemplate checks that every group tmpl refers to ($1, ${1}, $name,
// ${name}, as regexp.Regexp.Expand reads them) exists in re: Expand would
// silently put nothing in its place.
func checkTemplate(re *regexp.Regexp, tmpl string) error {
	names := map[string]bool{}
	for i, n := range re.SubexpNames() {
		names[strconv.Itoa(i)] = true
		if n != "" {
			names[n] = true
		}
	}
	for rest := tmpl; ; {
		i := strings.IndexByte(rest, '$')
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
		var name string
		switch {
		case strings.HasPrefix(rest, "$"):
			rest = rest[1:]
			continue
		case strings.HasPrefix(rest, "{"):
			j := strings.IndexByte(rest, '}')
			if j < 0 {
				return fmt.Errorf("%q: unclosed ${", tmpl)
			}
			name, rest = rest[1:j], rest[j+1:]
		default:
			j := 0
			for j < len(rest) && isNameByte(rest[j]) {
				j++
			}
			name, rest = rest[:j], rest[j:]
		}
		if name == "" {
			return fmt.Errorf("%q: a $ must name a group ($1, ${name}) or be doubled ($$)", tmpl)
		}
		if !names[name] {
			return fmt.Errorf("%q: match has no group %q", tmpl, name)
		}
	}
}

func isNameByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
