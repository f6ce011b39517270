package natsapi

import (
	"strings"
	"testing"
)

func TestCheckSIPURI(t *testing.T) {
	tests := []struct {
		uri  string
		want string // part of the problem; "" for a good URI
	}{
		{"sip:bob@example.com", ""},
		{"sips:bob@example.com:5061", ""},
		{"SIP:bob@EXAMPLE.com", ""},
		{"sip:example.com", ""},
		{"sip:192.0.2.1:5060;transport=udp", ""},
		{"sip:[2001:db8::1]", ""},
		{"sip:bob@[2001:db8::1]:5070;transport=tcp", ""},
		{"sip:+15551234;phone-context=x@gw.example.com;user=phone", ""},
		{"sip:bob@example.com?Subject=hi", ""},
		{"sip:bob%40home@example.com;gr=urn:uuid:1", ""},
		{"", "missing"},
		{"bob@example.com", "not a sip: or sips: URI"},
		{"tel:+15551234", "not a sip: or sips: URI"},
		{"http://example.com", "not a sip: or sips: URI"},
		{"sip:", "no host"},
		{"sip:bob@", "no host"},
		{"sip:bob@:5060", "no host"},
		{"sip:bob@;transport=tcp", "no host"},
		{"sip:[]", "no host"},
		{"sip:[2001:db8::1", "no host"},
		{"sip:bob@example.com\r\nVia: x", "not a bare URI"},
		{"sip:bob@example.com x", "not a bare URI"},
		{"sip:bob@example.com\t", "not a bare URI"},
		{"<sip:bob@example.com>", "not a bare URI"},
		{`"Bob" <sip:bob@example.com>`, "not a bare URI"},
	}
	for _, tt := range tests {
		got := checkSIPURI(tt.uri)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("checkSIPURI(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestHasControl(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "Busy Here": false, "tab\there": false, "ünïcode": false,
		"a\rb": true, "a\nb": true, "nul\x00": true, "del\x7f": true, "esc\x1b[0m": true,
	} {
		if got := hasControl(s); got != want {
			t.Errorf("hasControl(%q) = %v, want %v", s, got, want)
		}
	}
}
