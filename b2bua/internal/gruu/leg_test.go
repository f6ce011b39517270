package gruu_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

func newMinter(t testing.TB, opts ...gruu.Option) *gruu.Minter {
	t.Helper()
	m, err := gruu.NewMinter(gruu.GenerateKey(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// uriSafe: only what a SIP URI user part takes unescaped.
func uriSafe(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7')
	}) < 0
}

func TestLegRoundTrip(t *testing.T) {
	m := newMinter(t)
	long := strings.Repeat("x", gruu.MaxLegField)
	cases := []struct {
		name string
		ref  gruu.LegRef
	}{
		{"typical", gruu.LegRef{Node: "tandem-1", CallID: "c0123456789abcdef", LegID: "c0123456789abcdef-a", Gen: 7}},
		{"empty", gruu.LegRef{}},
		{"longest", gruu.LegRef{Node: long, CallID: long, LegID: long, Gen: 1<<32 - 1}},
		{"binary", gruu.LegRef{Node: "n\x00\xff", CallID: "é", LegID: ";@>"}},
		{"expiry", gruu.LegRef{Node: "n", CallID: "c", LegID: "l", Expires: time.Now().Add(time.Hour).Truncate(time.Second).UTC()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := m.MintLeg(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if tok[0] != 'l' || !uriSafe(tok[1:]) {
				t.Errorf("token %q is not 'l' + lower-case base32", tok)
			}
			if len(tok) > gruu.MaxLegTokenLen {
				t.Errorf("token length %d > MaxLegTokenLen %d", len(tok), gruu.MaxLegTokenLen)
			}
			got, err := m.OpenLeg(tok)
			if err != nil {
				t.Fatalf("OpenLeg: %v", err)
			}
			if got != tc.ref {
				t.Errorf("OpenLeg = %+v, want %+v", got, tc.ref)
			}
			// a proxy or phone that upper-cases the user part does no harm
			if got, err := m.OpenLeg(strings.ToUpper(tok)); err != nil || got != tc.ref {
				t.Errorf("OpenLeg(upper) = %+v, %v", got, err)
			}
		})
	}
}

func TestTokenLengthBounds(t *testing.T) {
	m := newMinter(t)
	long := strings.Repeat("x", gruu.MaxLegField)
	tok, _ := m.MintLeg(gruu.LegRef{Node: long, CallID: long, LegID: long})
	if len(tok) != gruu.MaxLegTokenLen {
		t.Errorf("longest leg token %d, MaxLegTokenLen %d", len(tok), gruu.MaxLegTokenLen)
	}
	tmp, _ := m.MintTemp(gruu.NewTempRef(strings.Repeat("a", gruu.MaxAORLen), "i", "c", 1, 1))
	if len(tmp) != gruu.MaxTempTokenLen {
		t.Errorf("longest temp token %d, MaxTempTokenLen %d", len(tmp), gruu.MaxTempTokenLen)
	}
	typical, _ := m.MintLeg(gruu.LegRef{Node: "tandem-1", CallID: "c0123456789abcdef", LegID: "c0123456789abcdef-a"})
	t.Logf("typical leg token: %d characters; longest %d; longest temp %d", len(typical), gruu.MaxLegTokenLen, gruu.MaxTempTokenLen)
}

func TestLegMintRejectsOversized(t *testing.T) {
	m := newMinter(t)
	over := strings.Repeat("x", gruu.MaxLegField+1)
	for _, ref := range []gruu.LegRef{{Node: over}, {CallID: over}, {LegID: over}, {Expires: time.Unix(-5, 0)}} {
		if tok, err := m.MintLeg(ref); err == nil {
			t.Errorf("MintLeg(%+v) = %q, want an error", ref, tok)
		}
	}
}

// TestLegRevealsNothing: the token carries none of the leg's identity in
// clear, and two mints of the same leg are unrelated (fresh nonce).
func TestLegRevealsNothing(t *testing.T) {
	m := newMinter(t)
	ref := gruu.LegRef{Node: "tandemnode", CallID: "callidentity", LegID: "legidentity"}
	a, _ := m.MintLeg(ref)
	b, _ := m.MintLeg(ref)
	if a == b {
		t.Error("two mints of the same leg are equal")
	}
	for _, s := range []string{ref.Node, ref.CallID, ref.LegID} {
		if strings.Contains(a, s) {
			t.Errorf("token %q contains %q", a, s)
		}
	}
	if pre := commonPrefix(a[1:], b[1:]); pre > 2 {
		t.Errorf("mints share a %d-character prefix", pre)
	}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func TestLegOpenFailures(t *testing.T) {
	m := newMinter(t)
	other := newMinter(t)
	ref := gruu.LegRef{Node: "n", CallID: "c", LegID: "l"}
	tok, _ := m.MintLeg(ref)
	foreign, _ := other.MintLeg(ref)
	temp, _ := m.MintTemp(gruu.NewTempRef("sip:a@b", "urn:x", "cid", 1, 1))
	flip := []byte(tok)
	if flip[len(flip)/2] == 'a' { // another base32 digit, so only authentication can fail
		flip[len(flip)/2] = 'b'
	} else {
		flip[len(flip)/2] = 'a'
	}
	cases := map[string]string{
		"empty":      "",
		"one letter": "l",
		"not base32": "l!!!!",
		"short":      "laaaa",
		"tampered":   string(flip),
		"truncated":  tok[:len(tok)-1],
		"extended":   tok + "a",
		"foreign":    foreign,
		"temp token": temp,
		"temp kind":  "t" + tok[1:],
		"too long":   "l" + strings.Repeat("a", gruu.MaxLegTokenLen),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := m.OpenLeg(s); !errors.Is(err, gruu.ErrInvalid) {
				t.Errorf("OpenLeg(%q) = %+v, %v; want ErrInvalid", s, got, err)
			}
		})
	}
}

func TestLegExpiry(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMinter(t, gruu.WithClock(func() time.Time { return now }))
	tok, err := m.MintLeg(gruu.LegRef{LegID: "l", Expires: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.OpenLeg(tok); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	now = now.Add(time.Minute)
	if _, err := m.OpenLeg(tok); !errors.Is(err, gruu.ErrExpired) || !errors.Is(err, gruu.ErrInvalid) {
		t.Errorf("at expiry: %v, want ErrExpired and ErrInvalid", err)
	}
}

// TestKeyRotation: tokens of the previous key still open; new ones are
// sealed under the new key only.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := gruu.GenerateKey(), gruu.GenerateKey()
	before, _ := gruu.NewMinter(oldKey)
	after, err := gruu.NewMinter(newKey, gruu.WithPreviousKeys(oldKey))
	if err != nil {
		t.Fatal(err)
	}
	ref := gruu.LegRef{LegID: "x"}
	tok, _ := before.MintLeg(ref)
	if got, err := after.OpenLeg(tok); err != nil || got != ref {
		t.Errorf("old token after rotation: %+v, %v", got, err)
	}
	fresh, _ := after.MintLeg(ref)
	if _, err := before.OpenLeg(fresh); err == nil {
		t.Error("a token of the new key opened with the old key only")
	}
	if _, err := gruu.NewMinter(newKey, gruu.WithPreviousKeys([]byte("short"))); err == nil {
		t.Error("a short previous key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	k := gruu.GenerateKey()
	hexKey := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	cases := []struct {
		in   string
		ok   bool
		want byte // first byte
	}{
		{hexKey, true, 0},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true, 0},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", true, 0},
		{" " + hexKey + "\n", true, 0},
		{"", false, 0},
		{"abc", false, 0},
		{hexKey[:62], false, 0},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", false, 0}, // 31 bytes
	}
	for _, tc := range cases {
		got, err := gruu.ParseKey(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (len(got) != gruu.KeySize || got[0] != tc.want || got[31] != 31) {
			t.Errorf("ParseKey(%q) = %x", tc.in, got)
		}
	}
	if _, err := gruu.NewMinter(k[:16]); err == nil {
		t.Error("NewMinter took a 16-byte key")
	}
}

func TestDerive(t *testing.T) {
	k := gruu.GenerateKey()
	a, _ := gruu.NewMinter(k)
	b, _ := gruu.NewMinter(k)
	if string(a.Derive("x")) != string(b.Derive("x")) {
		t.Error("the same key and label derive different secrets")
	}
	if string(a.Derive("x")) == string(a.Derive("y")) || string(a.Derive("x")) == string(k) {
		t.Error("derived secrets are not separated")
	}
}
