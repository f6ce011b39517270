package gruu

import (
	"encoding/binary"
	"fmt"
	"time"
)

// MaxLegField bounds each string of a LegRef, in bytes.
const MaxLegField = 64

const (
	legVersion = 1
	legAD      = "tandem-gruu-leg-v1"
	legFixed   = 1 + 4 + 4 + 3 // version, generation, expiry, three length bytes
)

// MaxLegTokenLen is the longest leg token MintLeg makes and OpenLeg reads
// (a typical leg's is about 136 characters).
const MaxLegTokenLen = 1 + ((overhead+legFixed+3*MaxLegField)*8+4)/5

// LegRef identifies one of the core's legs: what a leg GRUU routes to.
type LegRef struct {
	Node   string // the node that owns the leg
	CallID string // Tandem's call id
	LegID  string // the leg id within the call
	// Gen lets the core refuse tokens of an earlier incarnation (e.g. a
	// per-start epoch, so a leg id reused after a restart does not match).
	Gen uint32
	// Expires, when not zero, ends the token's validity on its own
	// (second precision; OpenLeg then fails with ErrExpired).
	Expires time.Time
}

// MintLeg returns the token of a leg GRUU for ref; the core's Contact is
// sip:<token>@<its host>;gr. It fails only when a field of ref is longer
// than MaxLegField or Expires is outside 1970-2106.
func (m *Minter) MintLeg(ref LegRef) (string, error) {
	for _, f := range []string{ref.Node, ref.CallID, ref.LegID} {
		if len(f) > MaxLegField {
			return "", fmt.Errorf("gruu: leg field of %d bytes exceeds %d", len(f), MaxLegField)
		}
	}
	var exp uint32
	if !ref.Expires.IsZero() {
		s := ref.Expires.Unix()
		if s <= 0 || s > 1<<32-1 {
			return "", fmt.Errorf("gruu: leg expiry %s out of range", ref.Expires)
		}
		exp = uint32(s)
	}
	p := make([]byte, 0, legFixed+len(ref.Node)+len(ref.CallID)+len(ref.LegID))
	p = append(p, legVersion)
	p = binary.BigEndian.AppendUint32(p, ref.Gen)
	p = binary.BigEndian.AppendUint32(p, exp)
	for _, f := range []string{ref.Node, ref.CallID, ref.LegID} {
		p = append(p, byte(len(f)))
		p = append(p, f...)
	}
	return m.seal('l', legAD, p), nil
}

// OpenLeg opens a leg token (the user part of a leg GRUU). Any failure
// wraps ErrInvalid; a token past its Expires also wraps ErrExpired.
func (m *Minter) OpenLeg(token string) (LegRef, error) {
	p, err := m.open('l', legAD, token, MaxLegTokenLen)
	if err != nil {
		return LegRef{}, err
	}
	if len(p) < legFixed || p[0] != legVersion {
		return LegRef{}, fmt.Errorf("%w: leg layout", ErrInvalid)
	}
	ref := LegRef{Gen: binary.BigEndian.Uint32(p[1:5])}
	exp := binary.BigEndian.Uint32(p[5:9])
	rest := p[9:]
	for _, dst := range []*string{&ref.Node, &ref.CallID, &ref.LegID} {
		if len(rest) == 0 || int(rest[0]) > len(rest)-1 {
			return LegRef{}, fmt.Errorf("%w: leg layout", ErrInvalid)
		}
		n := int(rest[0])
		*dst = string(rest[1 : 1+n])
		rest = rest[1+n:]
	}
	if len(rest) != 0 {
		return LegRef{}, fmt.Errorf("%w: leg layout", ErrInvalid)
	}
	if exp != 0 {
		ref.Expires = time.Unix(int64(exp), 0).UTC()
		if !m.now().Before(ref.Expires) {
			return ref, fmt.Errorf("%w: %w", ErrInvalid, ErrExpired)
		}
	}
	return ref, nil
}
