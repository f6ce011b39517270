package conference

import "testing"

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string // String()
		user string
		host string
	}{
		{"sip:1000@conf.test", true, "sip:1000@conf.test", "1000", "conf.test"},
		{"SIPS:1000@Conf.Test:5061;transport=tcp?x=y", true, "sips:1000@Conf.Test:5061", "1000", "Conf.Test"},
		{"sip:bob:secret@h", true, "sip:bob@h", "bob", "h"},
		{"sip:x@[::1]:5060", true, "sip:x@[::1]:5060", "x", "::1"},
		{"sip:conf.test", false, "", "", ""},
		{"sip:@h", false, "", "", ""},
		{"tel:+123", false, "", "", ""},
		{"1000", false, "", "", ""},
		{"sip:x@h:99999", false, "", "", ""},
		{"sip:x@h:port", false, "", "", ""},
		{"sip:x@[::1", false, "", "", ""},
		{"sip:x@[::1]5060", false, "", "", ""},
	}
	for _, tt := range tests {
		u, ok := parseURI(tt.in)
		if ok != tt.ok || ok && (u.String() != tt.want || u.user != tt.user || u.host != tt.host) {
			t.Errorf("parseURI(%q) = %+v %v", tt.in, u, ok)
		}
	}
}

func TestPlainURIAndHosts(t *testing.T) {
	for in, want := range map[string]string{
		`"Alice" <sip:alice@example.com;transport=udp>;tag=1`: "sip:alice@example.com",
		"sip:bob@h:5060":    "sip:bob@h:5060",
		"<sip:carol@h>":     "sip:carol@h",
		"anonymous":         "anonymous",
		"<sip:example.com>": "sip:example.com",
	} {
		if got := plainURI(in); got != want {
			t.Errorf("plainURI(%q) = %q, want %q", in, got, want)
		}
	}
	if !sameHost("Conf.Test", "conf.test") || !sameHost("::1", "[::1]") || !sameHost("0:0::1", "::1") || sameHost("a", "b") {
		t.Error("sameHost")
	}
	for s, want := range map[string]bool{"conf.test": true, "conf.test:5060": true, "[::1]:5060": true, "a b": false, "x@y": false, "": false, "h:0": false} {
		if validHostPort(s) != want {
			t.Errorf("validHostPort(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{"1000": true, "conf-x.y_z": true, "a;b": false, "a b": false, "": false, "é": false} {
		if validUser(s) != want {
			t.Errorf("validUser(%q) != %v", s, want)
		}
	}
}
