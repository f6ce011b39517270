package b2bua

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"plain":                       "plain",
		"evil\r\nVia: x":              "evilVia: x",
		"nul\x00byte":                 "nulbyte",
		"bare\nlf":                    "barelf",
		"":                            "",
		"Busy Here\r\n\r\nINVITE sip": "Busy HereINVITE sip",
	}
	for in, want := range tests {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderPolicy(t *testing.T) {
	p := newHeaderPolicy([]string{"Subject", "Via", "call-id", " X-Custom "})
	src := sipx.NewRequest(sipx.INVITE, sipx.Uri{Scheme: "sip", Host: "a"})
	src.AppendHeader(sipx.NewHeader("Subject", "hello"))
	src.AppendHeader(sipx.NewHeader("X-Custom", "1"))
	src.AppendHeader(sipx.NewHeader("X-Other", "2"))
	src.AppendHeader(sipx.NewHeader("Via", "SIP/2.0/UDP evil;branch=z9hG4bKx"))
	dst := sipx.NewRequest(sipx.INVITE, sipx.Uri{Scheme: "sip", Host: "b"})
	p.copyAllowed(dst, src)
	if h := dst.GetHeader("Subject"); h == nil || h.Value() != "hello" {
		t.Errorf("Subject not copied: %v", h)
	}
	if h := dst.GetHeader("X-Custom"); h == nil {
		t.Errorf("X-Custom not copied")
	}
	if dst.GetHeader("X-Other") != nil || dst.GetHeader("Via") != nil {
		t.Errorf("copied a header outside the allow list or a dialog header")
	}
}
