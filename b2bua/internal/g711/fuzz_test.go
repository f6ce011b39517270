package g711_test

import (
	"encoding/binary"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// FuzzCodes: any bytes received as G.711 decode, and re-encode to the same
// codes (µ-law -0 to +0); the slice and sample functions agree.
func FuzzCodes(f *testing.F) {
	f.Add([]byte{0xFF, 0x7F, 0x80, 0x00, 0xD5, 0x55, 0xAA, 0x2A})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		lin := make([]int16, len(b))
		back := make([]byte, len(b))
		for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
			law.Decode(lin, b)
			law.Encode(back, lin)
			for i, c := range b {
				want := c
				if law == g711.Ulaw && c == 0x7F {
					want = 0xFF
				}
				if back[i] != want {
					t.Fatalf("%s: %#02x → %d → %#02x", law, c, lin[i], back[i])
				}
			}
		}
	})
}

// FuzzSamples: any linear samples encode; decoding and encoding again is
// stable (a code is a fixed point), and quantisation keeps the order of two
// samples.
func FuzzSamples(f *testing.F) {
	f.Add([]byte{0, 0, 0xFF, 0xFF, 0x7F, 0xFF, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := 0; i+4 <= len(b); i += 4 {
			x := int16(binary.LittleEndian.Uint16(b[i:]))
			y := int16(binary.LittleEndian.Uint16(b[i+2:]))
			for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
				cx := law.EncodeSample(x)
				qx := law.DecodeSample(cx)
				if law.EncodeSample(qx) != law.EncodeSample(law.DecodeSample(law.EncodeSample(qx))) {
					t.Fatalf("%s: %d is not stable", law, x)
				}
				qy := law.DecodeSample(law.EncodeSample(y))
				if (x < y && qx > qy) || (x > y && qx < qy) {
					t.Fatalf("%s: order of %d, %d lost: %d, %d", law, x, y, qx, qy)
				}
			}
		}
	})
}
