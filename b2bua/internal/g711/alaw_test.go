package g711_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// alawSegments is ITU-T G.711 Table 1a (A-law), positive half, on the
// standard's 4096 scale: per segment, the decoder output of its first and
// last step and the decision value where it begins. The 16-bit linear
// values are these times 8. Segments 0 and 1 have the same step.
var alawSegments = []struct {
	first, last int
	begins      int
}{
	{1, 31, 0},
	{33, 63, 32},
	{66, 126, 64},
	{132, 252, 128},
	{264, 504, 256},
	{528, 1008, 512},
	{1056, 2016, 1024},
	{2112, 4032, 2048},
}

// alawCode is the transmitted code of sign, segment and step: the
// character 1SSSMMMM (positive) or 0SSSMMMM with its even bits inverted.
func alawCode(positive bool, seg, step int) byte {
	c := byte(seg<<4 | step)
	if positive {
		c |= 0x80
	}
	return c ^ 0x55
}

func TestAlawKnownPairs(t *testing.T) {
	tests := []struct {
		name string
		code byte
		lin  int16
	}{
		{"smallest positive", 0xD5, 8},
		{"smallest negative", 0x55, -8},
		{"positive max", 0xAA, 32256},
		{"negative max", 0x2A, -32256},
		{"first of segment 7", 0xA5, 16896},
		{"last of segment 0", 0xDA, 248},
		{"first of segment 1", 0xC5, 264},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g711.DecodeAlaw(tt.code); got != tt.lin {
				t.Errorf("DecodeAlaw(%#02x) = %d, want %d", tt.code, got, tt.lin)
			}
			if got := g711.EncodeAlaw(tt.lin); got != tt.code {
				t.Errorf("EncodeAlaw(%d) = %#02x, want %#02x", tt.lin, got, tt.code)
			}
		})
	}
}

func TestAlawSegmentTable(t *testing.T) {
	for s, seg := range alawSegments {
		checks := []struct {
			code byte
			want int
		}{
			{alawCode(true, s, 0), 8 * seg.first}, {alawCode(true, s, 15), 8 * seg.last},
			{alawCode(false, s, 0), -8 * seg.first}, {alawCode(false, s, 15), -8 * seg.last},
		}
		for _, ch := range checks {
			if got := g711.DecodeAlaw(ch.code); int(got) != ch.want {
				t.Errorf("segment %d: DecodeAlaw(%#02x) = %d, want %d", s, ch.code, got, ch.want)
			}
		}
		if s == 0 {
			continue
		}
		at, below := int16(8*seg.begins), int16(8*seg.begins-1)
		if got, want := g711.EncodeAlaw(at), alawCode(true, s, 0); got != want {
			t.Errorf("segment %d: EncodeAlaw(%d) = %#02x, want %#02x", s, at, got, want)
		}
		if got, want := g711.EncodeAlaw(below), alawCode(true, s-1, 15); got != want {
			t.Errorf("segment %d: EncodeAlaw(%d) = %#02x, want %#02x", s, below, got, want)
		}
		// Negative inputs are quantised from their one's complement.
		if got, want := g711.EncodeAlaw(-at-1), alawCode(false, s, 0); got != want {
			t.Errorf("segment %d: EncodeAlaw(%d) = %#02x, want %#02x", s, -at-1, got, want)
		}
		if got, want := g711.EncodeAlaw(-at), alawCode(false, s-1, 15); got != want {
			t.Errorf("segment %d: EncodeAlaw(%d) = %#02x, want %#02x", s, -at, got, want)
		}
	}
}

func TestAlawClipsAndExtremes(t *testing.T) {
	tests := []struct {
		in   int16
		want byte
	}{
		{32767, 0xAA}, {-32768, 0x2A}, {0, 0xD5}, {-1, 0x55}, {15, 0xD5}, {16, 0xD4}, {-16, 0x55}, {-17, 0x54},
	}
	for _, tt := range tests {
		if got := g711.EncodeAlaw(tt.in); got != tt.want {
			t.Errorf("EncodeAlaw(%d) = %#02x, want %#02x", tt.in, got, tt.want)
		}
	}
}

// TestAlawRoundTripEveryCode: A-law has no duplicate zero, so every code
// comes back.
func TestAlawRoundTripEveryCode(t *testing.T) {
	for c := range 256 {
		if got := g711.EncodeAlaw(g711.DecodeAlaw(byte(c))); got != byte(c) {
			t.Errorf("EncodeAlaw(DecodeAlaw(%#02x)) = %#02x", c, got)
		}
	}
}

func TestAlawEveryInput(t *testing.T) {
	prev := int16(-32768)
	for x := -32768; x <= 32767; x++ {
		y := g711.DecodeAlaw(g711.EncodeAlaw(int16(x)))
		if y < prev {
			t.Fatalf("not monotonic at %d: %d after %d", x, y, prev)
		}
		prev = y
		if x >= 8*4096-8*64 || x < -8*4096+8*64 {
			continue // in the last half step: clipped to ±32256
		}
		if err, bound := abs(x-int(y)), alawHalfStep(y)+1; err > bound {
			t.Fatalf("%d quantised to %d: error %d > %d", x, y, err, bound)
		}
	}
}

// alawHalfStep is half the 16-bit step of the segment y is in.
func alawHalfStep(y int16) int {
	a := abs(int(y))
	for s := len(alawSegments) - 1; s >= 1; s-- {
		if a >= 8*alawSegments[s].first {
			return 8 << (s - 1)
		}
	}
	return 8
}
