package b2bua

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Payload types of the media Tandem terminates (conference legs).
const (
	ptPCMU = 0
	ptPCMA = 8
	// ptEvents is the telephone-event payload type Tandem offers.
	ptEvents = 101
)

// mediaParams is what one side of a negotiated G.711 stream needs: where
// the other side receives, the codec and the telephone-event type.
type mediaParams struct {
	addr *net.UDPAddr
	pt   uint8
	evPT uint8 // 0: none
}

func codecName(pt uint8) string {
	if pt == ptPCMA {
		return "PCMA"
	}
	return "PCMU"
}

// mediaOffer is Tandem's offer for media it terminates at host:port.
func mediaOffer(host string, port int) []byte {
	return []byte("v=0\r\n" +
		"o=tandem 1 1 IN IP4 " + host + "\r\n" +
		"s=tandem\r\n" +
		"c=IN IP4 " + host + "\r\n" +
		"t=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 0 8 101\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n" +
		"a=ptime:20\r\n" +
		"a=sendrecv\r\n")
}

// mediaAnswer answers offer for media Tandem terminates at host:port: the
// first of PCMU and PCMA the offer lists, and its telephone-event type.
// It returns the answer and what the offerer receives.
func mediaAnswer(offer []byte, host string, port int) ([]byte, mediaParams, error) {
	mp, err := remoteMedia(offer, true)
	if err != nil {
		return nil, mediaParams{}, err
	}
	fmts := strconv.Itoa(int(mp.pt))
	ev := ""
	if mp.evPT != 0 {
		fmts += " " + strconv.Itoa(int(mp.evPT))
		ev = fmt.Sprintf("a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", mp.evPT, mp.evPT)
	}
	ans := "v=0\r\n" +
		"o=tandem 1 1 IN IP4 " + host + "\r\n" +
		"s=tandem\r\n" +
		"c=IN IP4 " + host + "\r\n" +
		"t=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP " + fmts + "\r\n" +
		fmt.Sprintf("a=rtpmap:%d %s/8000\r\n", mp.pt, codecName(mp.pt)) + ev +
		"a=ptime:20\r\na=sendrecv\r\n"
	return []byte(ans), mp, nil
}

// remoteMedia reads where a session description's first audio stream
// receives, and its G.711 codec and telephone-event type: as an offer
// (choose PCMU, else PCMA, among its formats) or an answer (its first G.711
// format).
func remoteMedia(body []byte, offer bool) (mediaParams, error) {
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil {
		return mediaParams{}, fmt.Errorf("b2bua: media: sdp: %w", err)
	}
	for _, m := range s.MediaDescriptions {
		if m.MediaName.Media != "audio" || m.MediaName.Port.Value == 0 {
			continue
		}
		ci := s.ConnectionInformation
		if m.ConnectionInformation != nil {
			ci = m.ConnectionInformation
		}
		if ci == nil || ci.Address == nil {
			return mediaParams{}, fmt.Errorf("b2bua: media: no connection address")
		}
		ip := net.ParseIP(ci.Address.Address)
		if ip == nil {
			return mediaParams{}, fmt.Errorf("b2bua: media: connection address %q is not an IP", ci.Address.Address)
		}
		mp := mediaParams{addr: &net.UDPAddr{IP: ip, Port: m.MediaName.Port.Value}}
		have := map[uint8]bool{}
		var first []uint8
		for _, f := range m.MediaName.Formats {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n > 127 {
				continue
			}
			have[uint8(n)] = true
			first = append(first, uint8(n))
		}
		switch {
		case offer && have[ptPCMU]:
			mp.pt = ptPCMU
		case offer && have[ptPCMA]:
			mp.pt = ptPCMA
		case !offer:
			for _, f := range first {
				if f == ptPCMU || f == ptPCMA {
					mp.pt = f
					break
				}
			}
			if !have[mp.pt] {
				return mediaParams{}, fmt.Errorf("b2bua: media: no G.711 in the answer")
			}
		default:
			return mediaParams{}, fmt.Errorf("b2bua: media: no G.711 offered")
		}
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			num, enc, _ := strings.Cut(a.Value, " ")
			n, err := strconv.Atoi(num)
			if err == nil && n >= 35 && n <= 127 && strings.HasPrefix(strings.ToLower(enc), "telephone-event/8000") && have[uint8(n)] {
				mp.evPT = uint8(n)
			}
		}
		return mp, nil
	}
	return mediaParams{}, fmt.Errorf("b2bua: media: no audio stream")
}
