package gruu_test

import (
	"errors"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

var fuzzKey = []byte("0123456789abcdef0123456789abcdef")

func fuzzMinter(f *testing.F) *gruu.Minter {
	m, err := gruu.NewMinter(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	return m
}

// FuzzOpenLeg: arbitrary text never panics and opens only as ErrInvalid,
// unless it is a real token.
func FuzzOpenLeg(f *testing.F) {
	m := fuzzMinter(f)
	tok, _ := m.MintLeg(gruu.LegRef{Node: "n", CallID: "c", LegID: "l", Gen: 3})
	for _, s := range []string{tok, "", "l", "laaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "L" + tok[1:], tok[:40], "t" + tok[1:], "l====", "l\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := m.OpenLeg(s)
		if err != nil {
			if !errors.Is(err, gruu.ErrInvalid) {
				t.Fatalf("OpenLeg(%q): %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		again, err := m.MintLeg(ref)
		if err != nil {
			t.Fatalf("an opened LegRef %+v cannot be minted again: %v", ref, err)
		}
		if back, err := m.OpenLeg(again); err != nil || back != ref {
			t.Fatalf("round trip of %+v: %+v, %v", ref, back, err)
		}
	})
}

// FuzzOpenTemp: the same for temp-gruu tokens.
func FuzzOpenTemp(f *testing.F) {
	m := fuzzMinter(f)
	tok, _ := m.MintTemp(gruu.NewTempRef("sip:a@b", "urn:uuid:1", "cid", 1, 2))
	for _, s := range []string{tok, "", "t", "T" + tok[1:], tok[:30], "l" + tok[1:], "t7777777"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := m.OpenTemp(s)
		if err != nil {
			if !errors.Is(err, gruu.ErrInvalid) {
				t.Fatalf("OpenTemp(%q): %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if len(ref.AOR) > gruu.MaxAORLen {
			t.Fatalf("opened an AOR of %d bytes", len(ref.AOR))
		}
	})
}

// FuzzEscape: escaping is reversible and yields only parameter characters.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"urn:uuid:1", "a b;c=d", "%", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := gruu.EscapeParam(s)
		if back := gruu.Unescape(e); back != s {
			t.Fatalf("Unescape(EscapeParam(%q)) = %q", s, back)
		}
		for i := 0; i < len(e); i++ {
			if c := e[i]; c == ';' || c == '=' || c == ' ' || c == '"' || c == '<' || c == '>' || c == '?' || c >= 0x80 || c < 0x21 {
				t.Fatalf("EscapeParam(%q) = %q keeps %q", s, e, c)
			}
		}
		_ = gruu.NormalizeInstance(s)
	})
}
