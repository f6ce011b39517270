package registrar

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Config is the registrar's configuration, proposed for b2bua.Config under
// the key "registrar" (keys below are relative to it). Defaults gives the
// embedded values; Validate names the key of every problem.
type Config struct {
	// Enabled turns the registrar on: REGISTER is processed, requests to a
	// registered AOR or a registrar GRUU are routed to its contacts, and
	// SUBSCRIBE Event: reg is served. Off, REGISTER gets 405 as before.
	Enabled bool `yaml:"enabled"`
	// Domains are the domains whose AORs this registrar keeps (host part of
	// the To URI, case-insensitive). Empty accepts any domain.
	Domains []string `yaml:"domains"`
	// DefaultExpires is the expiry chosen when a REGISTER asks for none
	// (neither an Expires header nor an expires parameter).
	DefaultExpires time.Duration `yaml:"default_expires"`
	// MinExpires: a non-zero expiry below it is refused with 423 and a
	// Min-Expires header.
	MinExpires time.Duration `yaml:"min_expires"`
	// MaxExpires: longer expiries are shortened to it (never lengthened).
	MaxExpires time.Duration `yaml:"max_expires"`
	// MaxContacts bounds the bindings of one AOR; a REGISTER that would
	// exceed it is refused with 403.
	MaxContacts int `yaml:"max_contacts"`
	// Store is where bindings live: "memory" (this node only, lost on
	// restart) or "jetstream" (a JetStream KV bucket: bindings survive a
	// restart and every node sharing the NATS cluster sees them).
	Store string `yaml:"store"`
	// Bucket is the JetStream KV bucket of the bindings (store jetstream).
	Bucket string `yaml:"bucket"`
	// Replicas is the number of copies of the bucket in a JetStream cluster.
	Replicas int `yaml:"replicas"`
	// Fork is how a request to an AOR reaches its contacts: "parallel"
	// (all at once, the first 2xx wins, the others get CANCEL) or
	// "sequential" (one at a time in q-value order).
	Fork string `yaml:"fork"`
	// Auth configures digest authentication of REGISTER and SUBSCRIBE.
	Auth AuthConfig `yaml:"auth"`
	// Watchers lists who may subscribe to the reg event of an AOR besides
	// its owner.
	Watchers []Watcher `yaml:"watchers"`
}

// AuthConfig configures digest authentication (RFC 8760, RFC 7616's
// challenge rules, RFC 2617 qop=auth).
type AuthConfig struct {
	// Required makes every REGISTER and reg SUBSCRIBE authenticate. Off,
	// anyone may register any AOR of Domains (lab use only).
	Required bool `yaml:"required"`
	// Realm is the digest realm; empty means the first of Domains, or
	// "tandem".
	Realm string `yaml:"realm"`
	// Algorithms are offered in this order (one challenge each): SHA-256
	// and/or MD5.
	Algorithms []string `yaml:"algorithms"`
	// Users are the accounts; each may also come from UsersFile.
	Users []User `yaml:"users"`
	// UsersFile is a file of more accounts, one per line: "user:password",
	// or htdigest's "user:realm:HA1" (32 hex digits: MD5, 64: SHA-256).
	// Lines starting with # are comments.
	UsersFile string `yaml:"users_file"`
	// NonceTTL is how long a nonce is accepted; after it the UA gets a new
	// challenge with stale=true.
	NonceTTL time.Duration `yaml:"nonce_ttl"`
	// NonceCounts bounds how many nonces are tracked for replay protection
	// (their last nonce-count); beyond it the oldest are forgotten and a
	// forgotten nonce is answered stale=true.
	NonceCounts int `yaml:"nonce_counts"`
	// FailBurst failed attempts are allowed per source IP address, then
	// one more per FailInterval; beyond that requests from the address are
	// refused (403) without checking credentials.
	FailBurst    int           `yaml:"fail_burst"`
	FailInterval time.Duration `yaml:"fail_interval"`
	// MaxSources bounds the source addresses whose failures are tracked.
	MaxSources int `yaml:"max_sources"`
}

// User is one account. Give Password, or HA1 and/or HA1SHA256 (then only the
// algorithms with a hash work for the user).
type User struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// HA1 is hex MD5(user:realm:password); HA1SHA256 hex SHA-256 of it.
	HA1       string `yaml:"ha1"`
	HA1SHA256 string `yaml:"ha1_sha256"`
	// AORs the user may register and watch; empty means sip:<user>@<d>
	// for each of Domains (or any domain when Domains is empty).
	AORs []string `yaml:"aors"`
}

// LogValue keeps credentials out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("enabled", c.Enabled), slog.Any("domains", c.Domains), slog.String("store", c.Store),
		slog.Bool("auth", c.Auth.Required), slog.Int("users", len(c.Auth.Users)), slog.Bool("users_file", c.Auth.UsersFile != ""))
}

// LogValue keeps credentials out of logs.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", u.User), slog.Int("aors", len(u.AORs)))
}

// Watcher lets Users subscribe to the reg event of AOR ("*": any AOR).
type Watcher struct {
	AOR   string   `yaml:"aor"`
	Users []string `yaml:"users"`
}

// Store kinds.
const (
	StoreMemory    = "memory"
	StoreJetStream = "jetstream"
)

// Fork modes.
const (
	ForkParallel   = "parallel"
	ForkSequential = "sequential"
)

// Digest algorithms.
const (
	AlgSHA256 = "SHA-256"
	AlgMD5    = "MD5"
)

// Defaults returns the embedded configuration: enabled, memory store,
// expiries default 3600 s, min 60 s, max 7200 s, 10 contacts per AOR,
// parallel forking, authentication required (realm from the domains)
// offering SHA-256 then MD5, nonces valid 5 minutes, 100,000 tracked
// nonces, 10 failed attempts per source then one per 6 s.
func Defaults() Config {
	return Config{
		Enabled:        true,
		DefaultExpires: 3600 * time.Second,
		MinExpires:     60 * time.Second,
		MaxExpires:     7200 * time.Second,
		MaxContacts:    10,
		Store:          StoreMemory,
		Bucket:         "tandem_bindings",
		Replicas:       1,
		Fork:           ForkParallel,
		Auth: AuthConfig{
			Required:     true,
			Algorithms:   []string{AlgSHA256, AlgMD5},
			NonceTTL:     5 * time.Minute,
			NonceCounts:  100000,
			FailBurst:    10,
			FailInterval: 6 * time.Second,
			MaxSources:   100000,
		},
	}
}

// ConfigError is one problem of a Config; Key is relative to the
// registrar's section (e.g. "auth.nonce_ttl").
type ConfigError struct {
	Key string
	Err error
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Validate returns every problem of c joined (errors.Join of *ConfigError),
// or nil. The users file is read by New, not here.
func (c Config) Validate() error {
	var errs []error
	for _, p := range c.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// Problems lists every problem of c, keys relative to the section. (The
// config package ranges over them and prefixes "registrar." without
// naming this internal package's types.) Messages never carry passwords.
func (c Config) Problems() []*ConfigError {
	var errs []*ConfigError
	add := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Err: fmt.Errorf(format, args...)})
	}
	for i, d := range c.Domains {
		if d == "" || strings.ContainsAny(d, " \t;:@<>\"") {
			add(fmt.Sprintf("domains[%d]", i), "%q is not a host name", d)
		}
	}
	secs := func(key string, d time.Duration) bool {
		switch {
		case d <= 0:
			add(key, "%s must be positive", d)
		case d%time.Second != 0:
			add(key, "%s is not a whole number of seconds", d)
		case d > maxExpires*time.Second:
			add(key, "%s exceeds 2^32-1 seconds", d)
		default:
			return true
		}
		return false
	}
	okDef := secs("default_expires", c.DefaultExpires)
	okMin := secs("min_expires", c.MinExpires)
	okMax := secs("max_expires", c.MaxExpires)
	if okMin && okMax && c.MinExpires > c.MaxExpires {
		add("min_expires", "%s is above max_expires %s", c.MinExpires, c.MaxExpires)
	}
	if okDef && okMin && okMax && (c.DefaultExpires < c.MinExpires || c.DefaultExpires > c.MaxExpires) {
		add("default_expires", "%s is not within min_expires %s and max_expires %s", c.DefaultExpires, c.MinExpires, c.MaxExpires)
	}
	if c.MaxContacts < 1 || c.MaxContacts > maxContacts {
		add("max_contacts", "%d is not in 1-%d", c.MaxContacts, maxContacts)
	}
	switch c.Store {
	case StoreMemory:
	case StoreJetStream:
		if !validBucket(c.Bucket) {
			add("bucket", "%q is not a KV bucket name (letters, digits, - and _)", c.Bucket)
		}
		if c.Replicas < 1 || c.Replicas > 5 {
			add("replicas", "%d is not in 1-5", c.Replicas)
		}
	default:
		add("store", "%q is not memory or jetstream", c.Store)
	}
	switch c.Fork {
	case ForkParallel, ForkSequential:
	default:
		add("fork", "%q is not parallel or sequential", c.Fork)
	}
	a := c.Auth
	if len(a.Algorithms) == 0 {
		add("auth.algorithms", "must list SHA-256 and/or MD5")
	}
	for i, alg := range a.Algorithms {
		if alg != AlgSHA256 && alg != AlgMD5 {
			add(fmt.Sprintf("auth.algorithms[%d]", i), "%q is not SHA-256 or MD5", alg)
		}
	}
	if strings.ContainsAny(a.Realm, "\"\\\r\n") {
		add("auth.realm", "%q contains a quote, backslash or line break", a.Realm)
	}
	seen := map[string]bool{}
	for i, u := range a.Users {
		key := fmt.Sprintf("auth.users[%d]", i)
		if u.User == "" || strings.ContainsAny(u.User, ":\"\\\r\n") {
			add(key+".user", "%q is not a user name", u.User)
		}
		if seen[u.User] {
			add(key+".user", "%q is listed twice", u.User)
		}
		seen[u.User] = true
		if u.Password == "" && u.HA1 == "" && u.HA1SHA256 == "" {
			add(key, "needs password, ha1 or ha1_sha256")
		}
		if u.HA1 != "" && !isHex(u.HA1, 32) {
			add(key+".ha1", "is not 32 hex digits")
		}
		if u.HA1SHA256 != "" && !isHex(u.HA1SHA256, 64) {
			add(key+".ha1_sha256", "is not 64 hex digits")
		}
		for j, aor := range u.AORs {
			if _, err := canonicalAORString(aor); err != nil {
				add(fmt.Sprintf("%s.aors[%d]", key, j), "%v", err)
			}
		}
	}
	secsPos := func(key string, d time.Duration) {
		if d <= 0 {
			add(key, "%s must be positive", d)
		}
	}
	secsPos("auth.nonce_ttl", a.NonceTTL)
	secsPos("auth.fail_interval", a.FailInterval)
	if a.NonceCounts < 1 {
		add("auth.nonce_counts", "%d must be positive", a.NonceCounts)
	}
	if a.FailBurst < 1 {
		add("auth.fail_burst", "%d must be positive", a.FailBurst)
	}
	if a.MaxSources < 1 {
		add("auth.max_sources", "%d must be positive", a.MaxSources)
	}
	for i, w := range c.Watchers {
		key := fmt.Sprintf("watchers[%d]", i)
		if w.AOR != "*" {
			if _, err := canonicalAORString(w.AOR); err != nil {
				add(key+".aor", "%v", err)
			}
		}
		if len(w.Users) == 0 {
			add(key+".users", "must list at least one user")
		}
	}
	return errs
}

func validBucket(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// realm is the effective digest realm.
func (c Config) realm() string {
	switch {
	case c.Auth.Realm != "":
		return c.Auth.Realm
	case len(c.Domains) > 0:
		return c.Domains[0]
	}
	return "tandem"
}
