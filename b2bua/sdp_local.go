package b2bua

import (
	"github.com/pion/sdp/v3"
)

// discardPort is the port of media Tandem answers or offers but does not
// receive (RFC 863 discard): the direction is inactive anyway.
const discardPort = 9

// inactiveAnswer answers offer with every stream accepted but inactive, at
// host: what a leg that is up but bridged to nobody gets. nil when the offer
// is not parseable SDP.
func inactiveAnswer(offer []byte, host string) []byte {
	var s sdp.SessionDescription
	if len(offer) == 0 || s.Unmarshal(offer) != nil {
		return nil
	}
	s.Origin = sdp.Origin{Username: "tandem", SessionID: 1, SessionVersion: 1, NetworkType: "IN", AddressType: "IP4", UnicastAddress: host}
	s.ConnectionInformation = &sdp.ConnectionInformation{NetworkType: "IN", AddressType: "IP4", Address: &sdp.Address{Address: host}}
	s.Attributes = dropDirections(s.Attributes)
	for _, m := range s.MediaDescriptions {
		m.ConnectionInformation = nil
		if m.MediaName.Port.Value != 0 {
			m.MediaName.Port = sdp.RangedPort{Value: discardPort}
		}
		m.Attributes = append(dropDirections(m.Attributes), sdp.Attribute{Key: "inactive"})
	}
	out, err := s.Marshal()
	if err != nil {
		return nil
	}
	return out
}

// placeholderOffer is the offer of a leg Tandem answers while nobody is
// there to talk to: G.711 and telephone-events, inactive, at host.
func placeholderOffer(host string) []byte {
	return []byte("v=0\r\n" +
		"o=tandem 1 1 IN IP4 " + host + "\r\n" +
		"s=-\r\n" +
		"c=IN IP4 " + host + "\r\n" +
		"t=0 0\r\n" +
		"m=audio 9 RTP/AVP 0 8 101\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=inactive\r\n")
}
