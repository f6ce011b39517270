package gruu_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

const (
	aor  = "sip:alice@example.com"
	inst = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
)

func TestTempRoundTrip(t *testing.T) {
	m := newMinter(t)
	for _, ref := range []gruu.TempRef{
		gruu.NewTempRef(aor, inst, "a84b4c76e66710@pc33.atlanta.com", 1, 1),
		gruu.NewTempRef(aor, inst, "x", 1<<32-1, 1<<32-1),
		gruu.NewTempRef("", "", "", 0, 0),
		gruu.NewTempRef("sip:"+strings.Repeat("u", gruu.MaxAORLen-4), inst, "c", 5, 9),
	} {
		tok, err := m.MintTemp(ref)
		if err != nil {
			t.Fatal(err)
		}
		if tok[0] != 't' || !uriSafe(tok[1:]) || len(tok) > gruu.MaxTempTokenLen {
			t.Errorf("token %q: want 't' + base32, at most %d long", tok, gruu.MaxTempTokenLen)
		}
		if strings.Contains(tok, "alice") {
			t.Errorf("token %q reveals the AOR", tok)
		}
		got, err := m.OpenTemp(tok)
		if err != nil || got != ref {
			t.Errorf("OpenTemp = %+v, %v; want %+v", got, err, ref)
		}
		if gruu.Kind(tok) != 't' {
			t.Errorf("Kind(%q) = %q", tok, gruu.Kind(tok))
		}
		if _, err := m.OpenLeg(tok); !errors.Is(err, gruu.ErrInvalid) {
			t.Error("a temp token opened as a leg token")
		}
	}
	if _, err := m.MintTemp(gruu.NewTempRef("sip:"+strings.Repeat("u", gruu.MaxAORLen), inst, "c", 1, 1)); err == nil {
		t.Error("MintTemp took an AOR longer than MaxAORLen")
	}
}

// TestTempValidity is the register race of the GRUU-12 slides: temp-gruus
// minted by refreshes with one Call-ID all stay valid; a REGISTER with a new
// Call-ID (the binding's first CSeq changes with it) invalidates them all.
func TestTempValidity(t *testing.T) {
	m := newMinter(t)
	mint := func(callID string, first, cseq uint32) gruu.TempRef {
		tok, err := m.MintTemp(gruu.NewTempRef(aor, inst, callID, first, cseq))
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.OpenTemp(tok)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := mint("call-1", 1, 1)
	refresh := mint("call-1", 1, 2)
	cases := []struct {
		name      string
		ref       gruu.TempRef
		aor, inst string
		callID    string
		firstCSeq uint32
		want      bool
	}{
		{"first, same registration", first, aor, inst, "call-1", 1, true},
		{"refresh, same registration", refresh, aor, inst, "call-1", 1, true},
		{"instance upper-case is another instance", first, aor, strings.ToUpper(inst), "call-1", 1, false},
		{"new Call-ID invalidates the first", first, aor, inst, "call-2", 7, false},
		{"new Call-ID invalidates the refresh", refresh, aor, inst, "call-2", 7, false},
		{"Call-ID back but a new binding", first, aor, inst, "call-1", 9, false},
		{"other instance", first, aor, "urn:uuid:other", "call-1", 1, false},
		{"other AOR", first, "sip:bob@example.com", inst, "call-1", 1, false},
		{"minted before the first CSeq", mint("call-1", 5, 3), aor, inst, "call-1", 5, false},
	}
	for _, tc := range cases {
		if got := tc.ref.Valid(tc.aor, tc.inst, tc.callID, tc.firstCSeq); got != tc.want {
			t.Errorf("%s: Valid = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTempForeignAndTampered(t *testing.T) {
	m, other := newMinter(t), newMinter(t)
	ref := gruu.NewTempRef(aor, inst, "c", 1, 1)
	foreign, _ := other.MintTemp(ref)
	tok, _ := m.MintTemp(ref)
	leg, _ := m.MintLeg(gruu.LegRef{LegID: "x"})
	for _, s := range []string{foreign, tok[:len(tok)-2], "l" + tok[1:], leg, "t", "t" + strings.Repeat("a", gruu.MaxTempTokenLen)} {
		if _, err := m.OpenTemp(s); !errors.Is(err, gruu.ErrInvalid) {
			t.Errorf("OpenTemp(%.20q...) = %v, want ErrInvalid", s, err)
		}
	}
}
