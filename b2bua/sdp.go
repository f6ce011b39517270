package b2bua

import (
	"bytes"
	"math/rand/v2"

	"github.com/pion/sdp/v3"
)

// sdpOrigin is the origin (o=) Tandem presents on one leg. RFC 4566 §5.2:
// the session id stays, the version increases whenever the session
// description we send changes. Bodies that do not parse pass through opaque.
type sdpOrigin struct {
	sessID  uint64
	version uint64
	last    []byte // the last body sent, origin excluded, to see changes
	out     []byte // the last body sent as sent
}

func newSDPOrigin() sdpOrigin {
	id := rand.Uint64() >> 2 // keep it within int64 for picky parsers
	return sdpOrigin{sessID: id, version: id}
}

// rewrite returns body with our origin for this leg. A body that is not SDP
// or does not parse is returned unchanged.
func (o *sdpOrigin) rewrite(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil {
		return body
	}
	s.Origin.Username = "tandem"
	s.Origin.SessionID = o.sessID
	s.Origin.SessionVersion = 0
	cmp, err := s.Marshal()
	if err != nil {
		return body
	}
	if o.last == nil || !bytes.Equal(cmp, o.last) {
		o.version++
		o.last = cmp
	}
	s.Origin.SessionVersion = o.version
	out, err := s.Marshal()
	if err != nil {
		return body
	}
	o.out = out
	return out
}

// withDirection returns body with every media's direction set to dir (and
// no session-level direction), or false when body is not parseable SDP.
func withDirection(body []byte, dir string) ([]byte, bool) {
	var s sdp.SessionDescription
	if len(body) == 0 || s.Unmarshal(body) != nil {
		return nil, false
	}
	s.Attributes = dropDirections(s.Attributes)
	for _, m := range s.MediaDescriptions {
		m.Attributes = append(dropDirections(m.Attributes), sdp.Attribute{Key: dir})
	}
	out, err := s.Marshal()
	if err != nil {
		return nil, false
	}
	return out, true
}

func dropDirections(as []sdp.Attribute) []sdp.Attribute {
	out := as[:0:0]
	for _, a := range as {
		if !isDirection(a.Key) {
			out = append(out, a)
		}
	}
	return out
}

// sdpDirection reads the media direction an SDP offer asks for: the first
// audio (else first) media's direction attribute, else the session's, else
// "sendrecv". A connection address of 0.0.0.0 (RFC 2543 hold) counts as
// "inactive". ok is false when the body is not parseable SDP.
func sdpDirection(body []byte) (dir string, ok bool) {
	if len(body) == 0 {
		return "", false
	}
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil {
		return "", false
	}
	dir = "sendrecv"
	for _, a := range s.Attributes {
		if isDirection(a.Key) {
			dir = a.Key
		}
	}
	if s.ConnectionInformation != nil && s.ConnectionInformation.Address != nil && s.ConnectionInformation.Address.Address == "0.0.0.0" {
		dir = "inactive"
	}
	var m *sdp.MediaDescription
	for _, md := range s.MediaDescriptions {
		if md.MediaName.Media == "audio" {
			m = md
			break
		}
	}
	if m == nil && len(s.MediaDescriptions) > 0 {
		m = s.MediaDescriptions[0]
	}
	if m != nil {
		for _, a := range m.Attributes {
			if isDirection(a.Key) {
				dir = a.Key
			}
		}
		if m.ConnectionInformation != nil && m.ConnectionInformation.Address != nil && m.ConnectionInformation.Address.Address == "0.0.0.0" {
			dir = "inactive"
		}
	}
	return dir, true
}

func isDirection(k string) bool {
	return k == "sendrecv" || k == "sendonly" || k == "recvonly" || k == "inactive"
}

// isHold reports whether an offered direction puts the other party on hold.
func isHold(dir string) bool { return dir == "sendonly" || dir == "inactive" }
