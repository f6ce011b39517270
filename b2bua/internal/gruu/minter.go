package gruu

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// KeySize is the size of a node key in bytes.
const KeySize = 32

// Errors of OpenLeg and OpenTemp. Every failure wraps ErrInvalid; an expired
// leg token also wraps ErrExpired.
var (
	ErrInvalid = errors.New("gruu: invalid token")
	ErrExpired = errors.New("gruu: token expired")
)

// Minter mints and opens GRUU tokens under a node key. It is safe for
// concurrent use.
type Minter struct {
	aeads []cipher.AEAD // aeads[0] seals; all open
	key   [KeySize]byte // the current key, for Derive
	now   func() time.Time
}

// Option configures a Minter.
type Option func(*Minter) error

// WithPreviousKeys lets the Minter open tokens sealed under earlier keys
// (key rotation); new tokens are always sealed under the current key.
func WithPreviousKeys(keys ...[]byte) Option {
	return func(m *Minter) error {
		for i, k := range keys {
			a, err := newAEAD(k)
			if err != nil {
				return fmt.Errorf("gruu: previous key %d: %w", i, err)
			}
			m.aeads = append(m.aeads, a)
		}
		return nil
	}
}

// WithClock sets the clock leg-token expiry is checked against (tests).
func WithClock(now func() time.Time) Option {
	return func(m *Minter) error { m.now = now; return nil }
}

// NewMinter returns a Minter sealing under key (KeySize bytes).
func NewMinter(key []byte, opts ...Option) (*Minter, error) {
	a, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	m := &Minter{aeads: []cipher.AEAD{a}, now: time.Now}
	copy(m.key[:], key)
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("gruu: key is %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gruu: key: %w", err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("gruu: key: %w", err)
	}
	return a, nil
}

// GenerateKey returns a new random key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go 1.24+)
	return k
}

// ParseKey decodes a key written as 64 hex digits or as standard or URL
// base64 (padded or not) of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("gruu: key decodes to %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("gruu: key is neither %d hex digits nor base64 of %d bytes", 2*KeySize, KeySize)
}

// Derive returns a 32-byte secret for another purpose (e.g. digest nonces),
// derived from the current key and label with HMAC-SHA-256, so one shared
// secret serves every node-wide need without reusing the key itself.
func (m *Minter) Derive(label string) []byte {
	h := hmac.New(sha256.New, m.key[:])
	h.Write([]byte("tandem derive\x00"))
	h.Write([]byte(label))
	return h.Sum(nil)
}

// LogValue keeps the key out of logs.
func (m *Minter) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("keys", len(m.aeads)))
}
