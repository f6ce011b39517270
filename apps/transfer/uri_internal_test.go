package transfer

import "testing"

func TestURIHost(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"sip:bob@example.com", "example.com"},
		{"SIP:bob@Example.COM:5060", "example.com"},
		{"sips:bob@example.com;transport=tls", "example.com"},
		{"sip:example.com", "example.com"},
		{"sip:example.com:5070;lr", "example.com"},
		{"sip:+1555;phone-context=x@gw.example.com;user=phone", "gw.example.com"},
		{"sip:bob:secret@example.com", "example.com"},
		{"sip:bob@example.com?Replaces=abc%40host", "example.com"},
		{"sip:host.example?Replaces=abc@other", "host.example"},
		{"sip:bob@[2001:DB8::1]:5060", "[2001:db8::1]"},
		{"sip:bob@[2001:db8::1", ""},
		{`"Bob" <sip:bob@example.com>;tag=1`, "example.com"},
		{"<sip:bob@example.com", ""},
		{"tel:+15551234", ""},
		{"bob@example.com", ""},
		{"", ""},
	} {
		if got := uriHost(tt.in); got != tt.want {
			t.Errorf("uriHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
