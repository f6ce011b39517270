package phone

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Media directions (RFC 4566 §6).
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

// SDP is the phone's audio session description with media direction dir:
// PCMU and telephone-event, origin "<name> <id> 1". The same dir gives the
// same bytes, so a test can offer an unchanged or a changed description.
func (p *Phone) SDP(dir string) []byte {
	h := fnv.New64a()
	h.Write([]byte(p.name))
	id := h.Sum64() >> 2
	return []byte(fmt.Sprintf("v=0\r\n"+
		"o=%s %d 1 IN IP4 127.0.0.1\r\n"+
		"s=-\r\n"+
		"c=IN IP4 127.0.0.1\r\n"+
		"t=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\n"+
		"a=fmtp:101 0-16\r\n"+
		"a=%s\r\n", p.name, id, 20000+p.port%20000, dir))
}

// Origin is the o= line of a session description.
type Origin struct {
	User    string
	SessID  string
	Version uint64
	Address string
}

// ParseOrigin reads the o= line of body; ok is false without one.
func ParseOrigin(body []byte) (o Origin, ok bool) {
	for _, l := range sdpLines(body) {
		if !strings.HasPrefix(l, "o=") {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(l, "o="))
		if len(f) != 6 {
			return o, false
		}
		v, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			return o, false
		}
		return Origin{User: f[0], SessID: f[1], Version: v, Address: f[5]}, true
	}
	return o, false
}

// Direction is the direction attribute of body's first media (else the
// session's), "sendrecv" when there is none.
func Direction(body []byte) string {
	dir, media := SendRecv, false
	for _, l := range sdpLines(body) {
		switch {
		case strings.HasPrefix(l, "m="):
			if media {
				return dir
			}
			media = true
		case l == "a="+SendRecv, l == "a="+SendOnly, l == "a="+RecvOnly, l == "a="+Inactive:
			dir = strings.TrimPrefix(l, "a=")
		}
	}
	return dir
}

func sdpLines(body []byte) []string {
	return strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
}
