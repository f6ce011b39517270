package registrar

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Nonces are stateless: base64url(issue time ‖ 8 random bytes ‖ first 16
// bytes of HMAC-SHA-256(key, "nonce" ‖ time ‖ random ‖ realm)). Every node
// sharing the key (derived from the GRUU node key) verifies every node's
// nonces without any shared state; the issue time gives the nonce its
// lifetime (stale=true after Config.Auth.NonceTTL), and nonceCounts guards
// against replays while it lives.

const (
	nonceRawLen = 8 + 8 + 16
	nonceLen    = (nonceRawLen*8 + 5) / 6 // unpadded base64
)

type nonceMaker struct {
	key   []byte
	realm string
}

// make returns a new nonce issued at now.
func (n nonceMaker) make(now time.Time) string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(raw[8:16]) // never fails
	copy(raw[16:], n.mac(raw[:16]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

func (n nonceMaker) mac(body []byte) []byte {
	h := hmac.New(sha256.New, n.key)
	h.Write([]byte("nonce\x00"))
	h.Write(body)
	h.Write([]byte(n.realm))
	return h.Sum(nil)[:16]
}

// check verifies a nonce we issued and returns its issue time.
func (n nonceMaker) check(s string) (time.Time, bool) {
	if len(s) != nonceLen {
		return time.Time{}, false
	}
	var raw [nonceRawLen]byte
	if k, err := base64.RawURLEncoding.Decode(raw[:], []byte(s)); err != nil || k != nonceRawLen {
		return time.Time{}, false
	}
	if !hmac.Equal(raw[16:], n.mac(raw[:16])) {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))), true
}
