package gruu

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// MaxAORLen bounds the AOR a temp-gruu can carry, in bytes.
const MaxAORLen = 256

const (
	tempVersion = 1
	tempAD      = "tandem-gruu-temp-v1"
	tempFixed   = 1 + 4 + 4 + DigestSize + DigestSize
)

// MaxTempTokenLen is the longest temp-gruu token MintTemp makes and
// OpenTemp reads (for sip:alice@example.com, 120 characters).
const MaxTempTokenLen = 1 + ((overhead+tempFixed+MaxAORLen)*8+4)/5

// DigestSize is the size of the digests a temp-gruu carries.
const DigestSize = 8

// Digest is a short digest of an instance ID or a Call-ID, carried inside
// the (encrypted, authenticated) temp-gruu so that the token stays short
// whatever the lengths of the originals. Only equality with the registrar's
// current value is ever tested; a token cannot be forged, so 64 bits only
// have to make accidental collisions negligible.
type Digest [DigestSize]byte

// DigestOf returns the digest of s.
func DigestOf(s string) Digest {
	sum := sha256.Sum256([]byte(s))
	var d Digest
	copy(d[:], sum[:DigestSize])
	return d
}

// TempRef is what a temp-gruu encodes (RFC 5627 §3.2, and the GRUU-12
// slides: stateless tokens use the Call-ID and the first CSeq of that
// Call-ID instead of wall-clock time).
type TempRef struct {
	AOR      string // canonical address-of-record
	Instance Digest // DigestOf(the +sip.instance value)
	CallID   Digest // DigestOf(the REGISTER's Call-ID)
	// FirstCSeq is the CSeq of the first REGISTER of this instance binding
	// with this Call-ID; CSeq that of the REGISTER whose response carried
	// the token (it makes each refresh's temp-gruu distinct).
	FirstCSeq uint32
	CSeq      uint32
}

// NewTempRef builds the TempRef of a binding from the originals.
func NewTempRef(aor, instance, callID string, firstCSeq, cseq uint32) TempRef {
	return TempRef{AOR: aor, Instance: DigestOf(instance), CallID: DigestOf(callID), FirstCSeq: firstCSeq, CSeq: cseq}
}

// Valid reports whether a temp-gruu opened as r still belongs to the
// current registration of instance, whose binding has callID and
// firstCSeq: a REGISTER with another Call-ID (or a new binding with the
// same one) made every earlier temp-gruu of the instance invalid.
func (r TempRef) Valid(aor, instance, callID string, firstCSeq uint32) bool {
	return r.AOR == aor && r.Instance == DigestOf(instance) && r.CallID == DigestOf(callID) &&
		r.FirstCSeq == firstCSeq && r.CSeq >= firstCSeq
}

// MintTemp returns the token of a temp-gruu; the registrar hands out
// sip:<token>@<AOR's domain>;gr. It fails only when the AOR is longer than
// MaxAORLen (the registrar then hands out no temp-gruu).
func (m *Minter) MintTemp(ref TempRef) (string, error) {
	if len(ref.AOR) > MaxAORLen {
		return "", fmt.Errorf("gruu: AOR of %d bytes exceeds %d", len(ref.AOR), MaxAORLen)
	}
	p := make([]byte, 0, tempFixed+len(ref.AOR))
	p = append(p, tempVersion)
	p = binary.BigEndian.AppendUint32(p, ref.FirstCSeq)
	p = binary.BigEndian.AppendUint32(p, ref.CSeq)
	p = append(p, ref.Instance[:]...)
	p = append(p, ref.CallID[:]...)
	p = append(p, ref.AOR...)
	return m.seal('t', tempAD, p), nil
}

// OpenTemp opens a temp-gruu token (the user part of the URI). Any failure
// wraps ErrInvalid. Whether the temp-gruu is still valid is for the
// registrar to say (TempRef.Valid against the instance's binding).
func (m *Minter) OpenTemp(token string) (TempRef, error) {
	p, err := m.open('t', tempAD, token, MaxTempTokenLen)
	if err != nil {
		return TempRef{}, err
	}
	if len(p) < tempFixed || p[0] != tempVersion {
		return TempRef{}, fmt.Errorf("%w: temp layout", ErrInvalid)
	}
	r := TempRef{
		FirstCSeq: binary.BigEndian.Uint32(p[1:5]),
		CSeq:      binary.BigEndian.Uint32(p[5:9]),
	}
	copy(r.Instance[:], p[9:9+DigestSize])
	copy(r.CallID[:], p[9+DigestSize:tempFixed])
	r.AOR = string(p[tempFixed:])
	return r, nil
}

// Kind tells which kind of token a URI user part looks like, without
// opening it: 'l' (leg), 't' (temp) or 0.
func Kind(user string) byte {
	if len(user) < 2 {
		return 0
	}
	switch user[0] {
	case 'l', 'L':
		return 'l'
	case 't', 'T':
		return 't'
	}
	return 0
}
