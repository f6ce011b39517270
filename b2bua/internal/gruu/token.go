package gruu

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
)

// b32 is unpadded lower-case base32: URI-safe and immune to case folding.
var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

const (
	nonceSize = 12 // AES-GCM standard nonce
	tagSize   = 16 // AES-GCM tag
	overhead  = nonceSize + tagSize
)

// seal encrypts plain under the current key, binding it to kind (the
// token's letter, also the additional data), and returns the token text.
func (m *Minter) seal(kind byte, ad string, plain []byte) string {
	a := m.aeads[0]
	buf := make([]byte, nonceSize, overhead+len(plain))
	_, _ = rand.Read(buf) // never fails
	buf = a.Seal(buf, buf[:nonceSize], plain, []byte(ad))
	var sb strings.Builder
	sb.Grow(1 + b32.EncodedLen(len(buf)))
	sb.WriteByte(kind)
	sb.WriteString(b32.EncodeToString(buf))
	return sb.String()
}

// open reverses seal, trying every key. maxLen bounds the token text before
// any work is done.
func (m *Minter) open(kind byte, ad, token string, maxLen int) ([]byte, error) {
	if len(token) < 2 || len(token) > maxLen {
		return nil, fmt.Errorf("%w: length %d", ErrInvalid, len(token))
	}
	if token[0] != kind && token[0] != kind-'a'+'A' {
		return nil, fmt.Errorf("%w: not a %q token", ErrInvalid, kind)
	}
	raw, err := b32.DecodeString(strings.ToLower(token[1:]))
	if err != nil || len(raw) < overhead {
		return nil, fmt.Errorf("%w: encoding", ErrInvalid)
	}
	for _, a := range m.aeads {
		plain, err := a.Open(nil, raw[:nonceSize], raw[nonceSize:], []byte(ad))
		if err == nil {
			return plain, nil
		}
	}
	return nil, fmt.Errorf("%w: authentication failed", ErrInvalid)
}
