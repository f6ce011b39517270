package gruu_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
)

func TestPubGRUU(t *testing.T) {
	cases := []struct{ aor, inst, want string }{
		{"sip:alice@example.com", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
			"sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
		{"sip:a@b", "urn:x:a;b=c d", "sip:a@b;gr=urn:x:a%3Bb%3Dc%20d"},
	}
	for _, tc := range cases {
		got := gruu.PubGRUU(tc.aor, tc.inst)
		if got != tc.want {
			t.Errorf("PubGRUU(%q, %q) = %q, want %q", tc.aor, tc.inst, got, tc.want)
		}
		if back := gruu.Unescape(gruu.EscapeParam(tc.inst)); back != tc.inst {
			t.Errorf("Unescape(EscapeParam(%q)) = %q", tc.inst, back)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		"abc": "abc", "%41%62": "Ab", "%4": "%4", "%zz": "%zz", "a%": "a%", "%3b%3B": ";;",
	} {
		if got := gruu.Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeInstance(t *testing.T) {
	for in, want := range map[string]string{
		`"<urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6>"`: "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
		`<urn:uuid:00000000-0000-1000-8000-000A95A0E128>`:   "urn:uuid:00000000-0000-1000-8000-000a95a0e128",
		`"<URN:Foo:Bar>"`:     "urn:foo:Bar",
		`"<urn:gsma:imei:Z>"`: "urn:gsma:imei:Z",
		`" < urn:x:y > "`:     "urn:x:y",
		`""`:                  "",
		`"<>"`:                "",
		`urn`:                 "urn",
	} {
		if got := gruu.NormalizeInstance(in); got != want {
			t.Errorf("NormalizeInstance(%q) = %q, want %q", in, got, want)
		}
	}
}
