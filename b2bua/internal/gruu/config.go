package gruu

import (
	"errors"
	"fmt"
	"log/slog"
)

// Config is the node key configuration, proposed for b2bua.Config under the
// key "gruu". Every node of a deployment must have the same key, so that
// any node opens any node's GRUUs and digest nonces.
type Config struct {
	// Key is the node key: 64 hex digits or base64 of 32 bytes (e.g. from
	// `openssl rand -hex 32`). Empty makes a random key at each start:
	// GRUUs and nonces then die with the process and other nodes cannot
	// open them (fine for one node in a lab). It is a secret.
	Key string `yaml:"key"`
	// PreviousKeys still open tokens (key rotation): put the old key here
	// when changing Key, remove it once the GRUUs it sealed have lapsed.
	PreviousKeys []string `yaml:"previous_keys"`
}

// Defaults returns the embedded configuration: a random key per start.
func Defaults() Config { return Config{} }

// LogValue keeps the keys out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("key_set", c.Key != ""), slog.Int("previous_keys", len(c.PreviousKeys)))
}

// ConfigError is one problem of a Config; Key is relative to the section
// ("key", "previous_keys[0]").
type ConfigError struct {
	Key string
	Err error
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Problems lists what is wrong with c (no key material in the messages).
func (c Config) Problems() []*ConfigError {
	var ps []*ConfigError
	if c.Key != "" {
		if _, err := ParseKey(c.Key); err != nil {
			ps = append(ps, &ConfigError{Key: "key", Err: errors.New("must be 64 hex digits or base64 of 32 bytes")})
		}
	}
	for i, k := range c.PreviousKeys {
		if _, err := ParseKey(k); err != nil {
			ps = append(ps, &ConfigError{Key: fmt.Sprintf("previous_keys[%d]", i), Err: errors.New("must be 64 hex digits or base64 of 32 bytes")})
		}
	}
	return ps
}

// Validate is Problems joined with errors.Join, or nil.
func (c Config) Validate() error {
	var errs []error
	for _, p := range c.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// NewMinterFromConfig builds the node's Minter. Without a key it makes a
// random one and says so in the log.
func NewMinterFromConfig(c Config, log *slog.Logger) (*Minter, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("gruu: config: %w", err)
	}
	var prev [][]byte
	for _, k := range c.PreviousKeys {
		b, _ := ParseKey(k) // validated
		prev = append(prev, b)
	}
	key := GenerateKey()
	if c.Key == "" {
		if log != nil {
			log.Warn("gruu: no gruu.key configured: a random key is used; GRUUs and digest nonces will not survive a restart nor work across nodes")
		}
	} else {
		key, _ = ParseKey(c.Key)
	}
	return NewMinter(key, WithPreviousKeys(prev...))
}
