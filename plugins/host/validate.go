package host

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Problem is one thing wrong with a Config: Key is the key path inside the
// plugins section, e.g. "list[1].sha256".
type Problem struct {
	Key string
	Err error
}

func (p Problem) Error() string { return "plugins." + p.Key + ": " + p.Err.Error() }

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Decisions lists the decisions a plugin can answer: the <what> of every
// decision request in events.Registry.
func Decisions() []string {
	var ds []string
	for _, s := range events.Registry {
		if s.Kind == events.KindDecisionRequest {
			ds = append(ds, s.Name)
		}
	}
	return ds
}

// Problems checks c and lists every problem, in key order. Built-in app
// names are checked by New, which knows the registry.
func (c Config) Problems() []Problem {
	var ps []Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Err: fmt.Errorf(format, args...)})
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"health_interval", c.HealthInterval}, {"health_timeout", c.HealthTimeout},
		{"start_timeout", c.StartTimeout}, {"stop_timeout", c.StopTimeout},
		{"restart_backoff", c.RestartBackoff}, {"restart_backoff_max", c.RestartBackoffMax},
	} {
		if d.v <= 0 {
			add(d.key, "%s: must be more than 0", d.v)
		}
	}
	if c.RestartBackoffMax > 0 && c.RestartBackoffMax < c.RestartBackoff {
		add("restart_backoff_max", "%s is less than restart_backoff %s", c.RestartBackoffMax, c.RestartBackoff)
	}
	seen := map[string]int{}
	known := Decisions()
	for i, p := range c.List {
		k := fmt.Sprintf("list[%d]", i)
		switch {
		case p.Name == "":
			add(k+".name", "must be set")
		case !nameRE.MatchString(p.Name):
			add(k+".name", "%q: use letters, digits, _ and - only", p.Name)
		default:
			if j, dup := seen[p.Name]; dup {
				add(k+".name", "%q is also the name of list[%d]", p.Name, j)
			}
			seen[p.Name] = i
		}
		switch p.Kind {
		case KindBuiltin:
			for _, f := range []struct{ key, v string }{{"path", p.Path}, {"sha256", p.SHA256}} {
				if f.v != "" {
					add(k+"."+f.key, "only for kind process")
				}
			}
			if len(p.Args) > 0 {
				add(k+".args", "only for kind process")
			}
		case KindProcess:
			if p.App != "" {
				add(k+".app", "only for kind builtin")
			}
			if p.Path == "" {
				add(k+".path", "must be set for kind process")
			}
			if p.SHA256 != "" {
				if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != 32 {
					add(k+".sha256", "%q is not 64 hexadecimal digits", p.SHA256)
				}
			}
		default:
			add(k+".kind", "%q is not builtin or process", p.Kind)
		}
		if p.Config != nil {
			if _, err := configJSON(p.Config); err != nil {
				add(k+".config", "%v", err)
			}
		}
		for j, d := range p.Decisions {
			if !slices.Contains(known, d) {
				add(fmt.Sprintf("%s.decisions[%d]", k, j), "%q is not one of %s", d, strings.Join(known, ", "))
			}
		}
		for j, s := range p.Publish {
			if err := CheckSubject(s); err != nil {
				add(fmt.Sprintf("%s.publish[%d]", k, j), "%v", err)
			}
		}
		for j, s := range p.Subscribe {
			if err := CheckSubject(s); err != nil {
				add(fmt.Sprintf("%s.subscribe[%d]", k, j), "%v", err)
			}
		}
	}
	return ps
}

// CheckSubject checks a subject filter: dot-separated non-empty tokens
// without spaces, * as a whole token, > only as the last token.
func CheckSubject(s string) error {
	if s == "" {
		return fmt.Errorf("empty subject")
	}
	toks := strings.Split(s, ".")
	for i, t := range toks {
		switch {
		case t == "":
			return fmt.Errorf("%q has an empty token", s)
		case strings.ContainsAny(t, " \t\r\n"):
			return fmt.Errorf("%q contains white space", s)
		case t == ">" && i != len(toks)-1:
			return fmt.Errorf("%q: > must be the last token", s)
		case len(t) > 1 && strings.ContainsAny(t, "*>"):
			return fmt.Errorf("%q: * and > must be whole tokens", s)
		}
	}
	return nil
}
