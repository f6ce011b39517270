package g711

// Law is one of the two G.711 companding laws.
type Law uint8

// The two laws. The zero Law is invalid.
const (
	Ulaw Law = iota + 1 // µ-law, PCMU, RTP payload type 0
	Alaw                // A-law, PCMA, RTP payload type 8
)

// String is "PCMU" or "PCMA" (the RTP encoding names).
func (l Law) String() string {
	switch l {
	case Ulaw:
		return "PCMU"
	case Alaw:
		return "PCMA"
	}
	return "invalid"
}

// Valid reports whether l is Ulaw or Alaw.
func (l Law) Valid() bool { return l == Ulaw || l == Alaw }

// Silence is the code of a zero sample: 0xFF for µ-law, 0xD5 for A-law
// (A-law has no zero; 0xD5 decodes to +8).
func (l Law) Silence() byte {
	if l == Alaw {
		return 0xD5
	}
	return 0xFF
}

// PayloadType is the static RTP payload type of l (RFC 3551): 0 for µ-law,
// 8 for A-law.
func (l Law) PayloadType() uint8 {
	if l == Alaw {
		return 8
	}
	return 0
}

// LawForPayloadType returns the law of static RTP payload type 0 or 8, and
// false for any other payload type.
func LawForPayloadType(pt uint8) (Law, bool) {
	switch pt {
	case 0:
		return Ulaw, true
	case 8:
		return Alaw, true
	}
	return 0, false
}

// Encode compresses min(len(dst), len(src)) samples of src into dst and
// returns that count. An invalid Law encodes nothing.
func (l Law) Encode(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	switch l {
	case Ulaw:
		for i, s := range src {
			dst[i] = EncodeUlaw(s)
		}
	case Alaw:
		for i, s := range src {
			dst[i] = EncodeAlaw(s)
		}
	default:
		return 0
	}
	return n
}

// Decode expands min(len(dst), len(src)) codes of src into dst and returns
// that count. An invalid Law decodes nothing.
func (l Law) Decode(dst []int16, src []byte) int {
	var t *[256]int16
	switch l {
	case Ulaw:
		t = &ulawTable
	case Alaw:
		t = &alawTable
	default:
		return 0
	}
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, c := range src {
		dst[i] = t[c]
	}
	return n
}

// EncodeSample compresses one sample; an invalid Law returns 0.
func (l Law) EncodeSample(s int16) byte {
	switch l {
	case Ulaw:
		return EncodeUlaw(s)
	case Alaw:
		return EncodeAlaw(s)
	}
	return 0
}

// DecodeSample expands one code; an invalid Law returns 0.
func (l Law) DecodeSample(c byte) int16 {
	switch l {
	case Ulaw:
		return ulawTable[c]
	case Alaw:
		return alawTable[c]
	}
	return 0
}
