package dialogevent

import "testing"

func TestParseAOR(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want AOR
		ok   bool
	}{
		{"sip:bob@example.com", AOR{"bob", "example.com"}, true},
		{"SIP:bob@Example.COM:5060", AOR{"bob", "example.com"}, true},
		{"sips:bob@example.com;transport=tls", AOR{"bob", "example.com"}, true},
		{"sip:bob:secret@example.com", AOR{"bob", "example.com"}, true},
		{"sip:Bob@example.com", AOR{"Bob", "example.com"}, true}, // the user is case-sensitive
		{"sip:b%6Fb@example.com", AOR{"bob", "example.com"}, true},
		{"sip:a%40b@example.com", AOR{"a@b", "example.com"}, true},
		{"sip:50%@example.com", AOR{"50%", "example.com"}, true},
		{"<sip:+1555;phone-context=x@gw.example.com;user=phone>", AOR{"+1555;phone-context=x", "gw.example.com"}, true},
		{"sip:+1555;phone-context=x@gw.example.com", AOR{}, false}, // a bare URI ends at its first ';'
		{"sip:bob@example.com?Replaces=abc%40host", AOR{"bob", "example.com"}, true},
		{"sip:bob@[2001:DB8::1]:5060", AOR{"bob", "[2001:db8::1]"}, true},
		{"sip:bob@127.0.0.1:5070", AOR{"bob", "127.0.0.1"}, true},
		{`"Bob Smith" <sip:bob@example.com>;tag=1`, AOR{"bob", "example.com"}, true},
		{`"A \"quoted\" <name>" <sip:bob@example.com>`, AOR{"bob", "example.com"}, true},
		{`Bob <sip:bob@example.com;transport=tcp>;tag=x`, AOR{"bob", "example.com"}, true},
		{`<sip:bob@example.com>`, AOR{"bob", "example.com"}, true},
		{"sip:bob@example.com;tag=abc", AOR{"bob", "example.com"}, true},
		{"sip:example.com", AOR{}, false}, // no user
		{"sip:@example.com", AOR{}, false},
		{"sip:bob@", AOR{}, false},
		{"sip:bob@[2001:db8::1", AOR{}, false},
		{"sip:bob@[]", AOR{}, false},
		{"sip:bob@exa mple.com", AOR{}, false},
		{"sip:bob@ex<ample.com", AOR{}, false},
		{"<sip:bob@example.com", AOR{}, false},
		{`"unterminated <sip:bob@example.com>`, AOR{}, false},
		{`"Bob" sip:bob@example.com`, AOR{}, false},
		{"tel:+15551234", AOR{}, false},
		{"bob@example.com", AOR{}, false},
		{"", AOR{}, false},
	} {
		got, ok := ParseAOR(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAOR(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// A URI given as one (a Request-URI, the core's From of a SUBSCRIBE) may
// have user parameters.
func TestAORofURI(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want AOR
		ok   bool
	}{
		{"sip:+1555;phone-context=x@gw.example.com;user=phone", AOR{"+1555;phone-context=x", "gw.example.com"}, true},
		{"sip:bob@example.com:5060;transport=udp", AOR{"bob", "example.com"}, true},
		{"sip:bob@example.com?subject=x@y", AOR{"bob", "example.com"}, true},
		{"http://bob@example.com", AOR{}, false},
	} {
		got, ok := aorOfURI(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("aorOfURI(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseNameAddr(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want nameAddr
		ok   bool
	}{
		{`"Alice" <sip:alice@example.com>;tag=9`, nameAddr{"Alice", "sip:alice@example.com"}, true},
		{`"A \"B\"" <sip:a@x>`, nameAddr{`A "B"`, "sip:a@x"}, true},
		{`Alice Smith <sip:alice@example.com;user=phone>`, nameAddr{"Alice Smith", "sip:alice@example.com;user=phone"}, true},
		{`sip:alice@example.com;tag=9`, nameAddr{"", "sip:alice@example.com"}, true},
		{`  sip:alice@example.com  `, nameAddr{"", "sip:alice@example.com"}, true},
		{`<>`, nameAddr{}, false},
		{``, nameAddr{}, false},
	} {
		got, ok := parseNameAddr(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseNameAddr(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAORString(t *testing.T) {
	for _, tt := range []struct {
		in   AOR
		want string
	}{
		{AOR{"bob", "example.com"}, "sip:bob@example.com"},
		{AOR{"a@b", "example.com"}, "sip:a%40b@example.com"},
		{AOR{"x?y:z", "[::1]"}, "sip:x%3Fy%3Az@[::1]"},
		{AOR{"+1555;ext=1", "gw"}, "sip:+1555%3Bext=1@gw"},
	} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Whatever comes in a From, To or Request-URI: no panic, and an AOR read
// reads back the same from its String.
func FuzzParseAOR(f *testing.F) {
	for _, s := range []string{
		"sip:bob@example.com", `"Bob" <sips:bob:pw@EXAMPLE.com:5061;transport=tls?x=y>;tag=1`,
		"sip:a%40b@[2001:db8::1]", "sip:%zz@h", "<sip:a;b@h>", `"\"<sip:x@y>" <sip:z@w>`, "sip:@", "<", `"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseAOR(s)
		if !ok {
			if !a.IsZero() {
				t.Fatalf("ParseAOR(%q) = %+v with false", s, a)
			}
			return
		}
		if a.User == "" || a.Host == "" {
			t.Fatalf("ParseAOR(%q) = %+v: empty part", s, a)
		}
		b, ok := ParseAOR(a.String())
		if !ok || b != a {
			t.Fatalf("ParseAOR(%q) = %+v; its String %q reads %+v, %v", s, a, a.String(), b, ok)
		}
	})
}
