package b2bua

import (
	"strings"
	"testing"
)

func TestMediaAnswer(t *testing.T) {
	tests := []struct {
		name   string
		offer  string
		pt, ev uint8
		port   int
		ok     bool
	}{
		{"pcmu and events", "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\n", 0, 96, 4000, true},
		{"pcma only", "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4002 RTP/AVP 8\r\nc=IN IP4 10.0.0.2\r\n", 8, 0, 4002, true},
		{"no g711", "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 9\r\n", 0, 0, 0, false},
		{"no audio", "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n", 0, 0, 0, false},
		{"garbage", "hello", 0, 0, 0, false},
		{"event type not offered", "v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:101 telephone-event/8000\r\n", 0, 0, 4000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans, mp, err := mediaAnswer([]byte(tc.offer), "127.0.0.1", 30000)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			if mp.pt != tc.pt || mp.evPT != tc.ev || mp.addr.Port != tc.port {
				t.Errorf("params %+v, want pt %d ev %d port %d", mp, tc.pt, tc.ev, tc.port)
			}
			back, err := remoteMedia(ans, false)
			if err != nil || back.pt != tc.pt || back.evPT != tc.ev || back.addr.Port != 30000 {
				t.Errorf("answer reads back as %+v, %v:\n%s", back, err, ans)
			}
			if !strings.Contains(string(ans), "a=sendrecv") {
				t.Errorf("answer not sendrecv:\n%s", ans)
			}
		})
	}
}

func FuzzRemoteMedia(f *testing.F) {
	f.Add([]byte(mediaOffer("127.0.0.1", 4000)), true)
	f.Add([]byte("v=0\r\nm=audio 1 RTP/AVP 0\r\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, offer bool) {
		mp, err := remoteMedia(body, offer)
		if err == nil && (mp.addr == nil || (mp.pt != ptPCMU && mp.pt != ptPCMA)) {
			t.Fatalf("accepted %+v", mp)
		}
	})
}
