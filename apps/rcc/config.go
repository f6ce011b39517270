package rcc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Defaults of the configuration.
const (
	DefaultListen         = "127.0.0.1:8089"
	DefaultCommandTimeout = 5 * time.Second
	DefaultHeartbeat      = 15 * time.Second
)

// MinTokenLength is the shortest token accepted, in bytes.
const MinTokenLength = 16

// Config is the gateway's configuration: the plugin's config mapping
// (plugins.list[].config), handed over as JSON.
type Config struct {
	// Listen is the host:port of the gateway's HTTP listener (default
	// DefaultListen, loopback). The gateway speaks plain HTTP: put it
	// behind a TLS-terminating proxy to expose it beyond the host.
	Listen string `json:"listen"`
	// CommandTimeout bounds the wait for a core's reply to one command
	// (default DefaultCommandTimeout); past it the request gets 504.
	CommandTimeout Duration `json:"command_timeout"`
	// Heartbeat is the interval of the comment lines that keep an event
	// stream open through proxies (default DefaultHeartbeat).
	Heartbeat Duration `json:"heartbeat"`
	// Tokens are the bearer tokens that may use the gateway; at least one.
	Tokens []TokenConfig `json:"tokens"`
}

// TokenConfig is one bearer token: its secret, given in exactly one of
// Token, TokenEnv and TokenFile, and what it may do.
type TokenConfig struct {
	// Name is the controller name the token's commands carry (their
	// "controller"): letters, digits, '.', '_' and '-'. Tokens may share a
	// name (a rotation: old and new token of one controller).
	Name string `json:"name"`
	// Token is the secret itself (prefer TokenEnv or TokenFile).
	Token Secret `json:"token"`
	// TokenEnv names an environment variable that holds the secret.
	TokenEnv string `json:"token_env"`
	// TokenFile is a file that holds the secret (surrounding white space
	// is trimmed).
	TokenFile string `json:"token_file"`
	// Permissions are the verbs the token may use, as globs (path.Match):
	// "calls.*", "legs.originate", "mixer.*", "*"; "events" reads the
	// event stream. Every glob must match some permission.
	Permissions []string `json:"permissions"`
	// AnswerMode lets the token's originates (legs.originate,
	// calls.originate) carry an Answer-Mode or Priv-Answer-Mode header (RFC
	// 5373: the callee's phone answers by itself), and its phones.refer ask
	// for fallback "originate" (which calls the phone with Answer-Mode:
	// Auto); without it such a request is refused with 403.
	AnswerMode bool `json:"answer_mode"`
}

// Duration is a Go duration written as a string ("5s", "250ms") in the
// configuration; a bare number is an error, as elsewhere in Tandem's
// configuration.
type Duration time.Duration

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s is not a duration string (e.g. \"5s\")", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. \"5s\")", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// ParseConfig decodes data (JSON) into a Config, fills the defaults and
// validates it (Validate). A key the Config does not declare is an error,
// so that a typo is not silently ignored. The tokens' secrets are read by
// Resolve, not here.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := sdk.DecodeConfig(data, &c); err != nil {
		return Config{}, fmt.Errorf("rcc: config: %w", err)
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withDefaults fills the zero settings with the defaults.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = Duration(DefaultCommandTimeout)
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = Duration(DefaultHeartbeat)
	}
	return c
}

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	tokenRE = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`) // RFC 6750 b64token
)

// Validate checks c (with its defaults filled) and reports every problem
// at once (errors.Join), each naming its key, e.g.
// "rcc: tokens[1].permissions[0]: ...".
func (c Config) Validate() error {
	var errs []error
	problem := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("rcc: %s: "+format, append([]any{key}, args...)...))
	}
	if host, port, err := net.SplitHostPort(c.Listen); err != nil {
		problem("listen", "%q is not host:port", c.Listen)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		problem("listen", "%q: port %q is not 0-65535", c.Listen, port)
	} else if host != "" && host != "localhost" && net.ParseIP(host) == nil {
		problem("listen", "%q: host %q is not an IP address or localhost", c.Listen, host)
	}
	if c.CommandTimeout <= 0 {
		problem("command_timeout", "%s: must be positive", time.Duration(c.CommandTimeout))
	}
	if c.Heartbeat < Duration(time.Second) {
		problem("heartbeat", "%s: must be at least 1s", time.Duration(c.Heartbeat))
	}
	if len(c.Tokens) == 0 {
		problem("tokens", "at least one token is required: nobody could use the gateway")
	}
	for i, t := range c.Tokens {
		k := "tokens[" + strconv.Itoa(i) + "]"
		if !nameRE.MatchString(t.Name) {
			problem(k+".name", "%q: must be 1-64 letters, digits, '.', '_' or '-'", t.Name)
		}
		n := 0
		for _, set := range []bool{t.Token != "", t.TokenEnv != "", t.TokenFile != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			problem(k, "set exactly one of token, token_env and token_file (%d set)", n)
		}
		if t.Token != "" {
			if err := checkToken(string(t.Token)); err != nil {
				problem(k+".token", "%w", err)
			}
		}
		if len(t.Permissions) == 0 {
			problem(k+".permissions", "empty: the token could do nothing")
		}
		for j, p := range t.Permissions {
			if err := checkPermission(p); err != nil {
				problem(k+".permissions["+strconv.Itoa(j)+"]", "%w", err)
			}
		}
	}
	return errors.Join(errs...)
}

// checkToken checks a token's secret: long enough, and sendable in an
// Authorization header. The error does not quote the secret.
func checkToken(s string) error {
	if len(s) < MinTokenLength {
		return fmt.Errorf("too short (%d bytes, at least %d)", len(s), MinTokenLength)
	}
	if !tokenRE.MatchString(s) {
		return errors.New("not a bearer token: only letters, digits and -._~+/ followed by optional '='")
	}
	return nil
}

// checkPermission checks a permission glob: valid and matching at least one
// permission.
func checkPermission(p string) error {
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("%q: %w", p, err)
	}
	for _, v := range Permissions() {
		if ok, _ := path.Match(p, v); ok {
			return nil
		}
	}
	return fmt.Errorf("%q matches no permission (%s)", p, strings.Join(Permissions(), ", "))
}

// tokenSource reads the secrets of the tokens: environment and files.
type tokenSource struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
}

var osSource = tokenSource{getenv: os.Getenv, readFile: os.ReadFile}

// resolve reads each token's secret from where its configuration says and
// checks it; every problem is reported at once, naming the key but never
// the secret. Two tokens with the same secret are an error.
func (s tokenSource) resolve(cfgs []TokenConfig) ([]token, error) {
	var (
		errs []error
		out  []token
	)
	for i, t := range cfgs {
		k := "tokens[" + strconv.Itoa(i) + "]"
		var secret string
		switch {
		case t.Token != "":
			secret = string(t.Token)
		case t.TokenEnv != "":
			k += ".token_env"
			secret = strings.TrimSpace(s.getenv(t.TokenEnv))
			if secret == "" {
				errs = append(errs, fmt.Errorf("rcc: %s: $%s is not set or empty", k, t.TokenEnv))
				continue
			}
		case t.TokenFile != "":
			k += ".token_file"
			b, err := s.readFile(t.TokenFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("rcc: %s: %w", k, err))
				continue
			}
			secret = strings.TrimSpace(string(b))
		}
		if err := checkToken(secret); err != nil {
			errs = append(errs, fmt.Errorf("rcc: %s: %w", k, err))
			continue
		}
		tok := newToken(i, t, secret)
		for _, o := range out {
			if o.digest == tok.digest {
				errs = append(errs, fmt.Errorf("rcc: %s: the same secret as tokens[%d]", k, o.index))
			}
		}
		out = append(out, tok)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
