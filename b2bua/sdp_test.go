package b2bua

import (
	"strings"
	"testing"
)

const testSDP = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

func TestSDPOriginRewrite(t *testing.T) {
	o := newSDPOrigin()
	first := string(o.rewrite([]byte(testSDP)))
	if !strings.Contains(first, "o=tandem ") {
		t.Fatalf("origin not rewritten: %q", first)
	}
	v1 := o.version
	again := string(o.rewrite([]byte(testSDP)))
	if again != first || o.version != v1 {
		t.Fatalf("same SDP must keep the version: %d -> %d", v1, o.version)
	}
	held := strings.Replace(testSDP, "a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=sendonly\r\n", 1)
	o.rewrite([]byte(held))
	if o.version != v1+1 {
		t.Fatalf("changed SDP must bump the version: %d -> %d", v1, o.version)
	}
	// a different origin in the input alone is not a change
	other := strings.Replace(held, "o=alice 1 1", "o=bob 7 9", 1)
	o.rewrite([]byte(other))
	if o.version != v1+1 {
		t.Fatalf("origin-only change must keep the version")
	}
}

func TestSDPOriginOpaque(t *testing.T) {
	o := newSDPOrigin()
	for _, body := range []string{"", "not sdp at all", "v=0\r\nbroken"} {
		if got := string(o.rewrite([]byte(body))); got != body {
			t.Errorf("rewrite(%q) = %q, want unchanged", body, got)
		}
	}
}

func TestWithDirection(t *testing.T) {
	session := strings.Replace(testSDP, "t=0 0\r\n", "t=0 0\r\na=recvonly\r\n", 1)
	for _, tt := range []struct{ in, dir string }{
		{testSDP, "sendonly"},
		{testSDP + "a=sendonly\r\n", "sendrecv"},
		{session, "inactive"},
		{testSDP + "m=video 6002 RTP/AVP 96\r\na=recvonly\r\n", "sendonly"},
	} {
		out, ok := withDirection([]byte(tt.in), tt.dir)
		if !ok {
			t.Fatalf("withDirection(%q) not ok", tt.in)
		}
		if got, _ := sdpDirection(out); got != tt.dir {
			t.Errorf("withDirection(%q, %s) reads back %q:\n%s", tt.in, tt.dir, got, out)
		}
		if n := strings.Count(string(out), "a="+tt.dir); n != strings.Count(string(out), "m=") {
			t.Errorf("want one a=%s per media:\n%s", tt.dir, out)
		}
	}
	if _, ok := withDirection([]byte("garbage"), "sendonly"); ok {
		t.Error("garbage must not be ok")
	}
}

func TestSDPDirection(t *testing.T) {
	tests := []struct {
		name, body, want string
		ok               bool
	}{
		{"default", testSDP, "sendrecv", true},
		{"media sendonly", testSDP + "a=sendonly\r\n", "sendonly", true},
		{"media inactive", testSDP + "a=inactive\r\n", "inactive", true},
		{"recvonly", testSDP + "a=recvonly\r\n", "recvonly", true},
		{"session level", strings.Replace(testSDP, "t=0 0\r\n", "t=0 0\r\na=sendonly\r\n", 1), "sendonly", true},
		{"media overrides session", strings.Replace(testSDP, "t=0 0\r\n", "t=0 0\r\na=sendonly\r\n", 1) + "a=sendrecv\r\n", "sendrecv", true},
		{"zero address", strings.Replace(testSDP, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 1), "inactive", true},
		{"garbage", "hello", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		got, ok := sdpDirection([]byte(tt.body))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: sdpDirection = %q,%v want %q,%v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	if !isHold("sendonly") || !isHold("inactive") || isHold("sendrecv") || isHold("recvonly") {
		t.Error("isHold wrong")
	}
}
