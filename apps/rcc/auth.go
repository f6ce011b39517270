package rcc

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"path"
	"strings"
)

// Secret is a credential in the configuration: it prints, formats and logs
// as "[redacted]", so that a logged Config never shows it.
type Secret string

const redacted = "[redacted]"

// String hides the secret.
func (Secret) String() string { return redacted }

// GoString hides the secret from %#v.
func (Secret) GoString() string { return redacted }

// MarshalJSON hides the secret from JSON (a JSON log handler marshals a
// Config); it still unmarshals as a string.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// LogValue hides the secret from log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// token is a configured bearer token, resolved. Only the SHA-256 digest of
// its secret is kept.
type token struct {
	index      int // in Config.Tokens
	name       string
	digest     [sha256.Size]byte
	perms      []string
	answerMode bool
}

func newToken(index int, c TokenConfig, secret string) token {
	return token{
		index:      index,
		name:       c.Name,
		digest:     sha256.Sum256([]byte(secret)),
		perms:      c.Permissions,
		answerMode: c.AnswerMode,
	}
}

// may reports whether the token grants permission perm (a verb, or
// PermEvents).
func (t *token) may(perm string) bool {
	for _, p := range t.perms {
		if ok, _ := path.Match(p, perm); ok {
			return true
		}
	}
	return false
}

// Reasons authenticate refuses a request.
var (
	errNoToken  = errors.New("no bearer token")
	errBadToken = errors.New("invalid bearer token")
)

// authenticate finds the token of an Authorization header value ("Bearer
// <token>"). The secret is compared with every configured token in
// constant time (digest against digest), whether or not one matched
// already, so that the time taken tells nothing about the tokens.
func authenticate(tokens []token, header string) (*token, error) {
	if header == "" {
		return nil, errNoToken
	}
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errNoToken
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, errNoToken
	}
	d := sha256.Sum256([]byte(secret))
	var found *token
	for i := range tokens {
		if subtle.ConstantTimeCompare(d[:], tokens[i].digest[:]) == 1 {
			found = &tokens[i]
		}
	}
	if found == nil {
		return nil, errBadToken
	}
	return found, nil
}
