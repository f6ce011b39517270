package g711_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// ulawChords is ITU-T G.711 Table 2b (µ-law), positive half, on the
// standard's 8159 scale: per chord (segment), the decoder output of its
// first and last step and the decision value where the chord begins. The
// 16-bit linear values are these times 4.
var ulawChords = []struct {
	first, last int // decoder outputs of steps 0 and 15
	begins      int // decision value: inputs from here are in this chord
}{
	{0, 30, 0},
	{33, 93, 31},
	{99, 219, 95},
	{231, 471, 223},
	{495, 975, 479},
	{1023, 1983, 991},
	{2079, 3999, 2015},
	{4191, 8031, 4063},
}

func TestUlawKnownPairs(t *testing.T) {
	tests := []struct {
		name string
		code byte
		lin  int16
	}{
		{"+0", 0xFF, 0},
		{"-0", 0x7F, 0},
		{"positive max", 0x80, 32124},
		{"negative max", 0x00, -32124},
		{"smallest positive step", 0xFE, 8},
		{"smallest negative step", 0x7E, -8},
		{"first of chord 1", 0xEF, 132},
		{"last of chord 6", 0x90, 15996},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g711.DecodeUlaw(tt.code); got != tt.lin {
				t.Errorf("DecodeUlaw(%#02x) = %d, want %d", tt.code, got, tt.lin)
			}
			if tt.name == "-0" {
				return // 0 encodes as +0
			}
			if got := g711.EncodeUlaw(tt.lin); got != tt.code {
				t.Errorf("EncodeUlaw(%d) = %#02x, want %#02x", tt.lin, got, tt.code)
			}
		})
	}
}

// TestUlawChordTable checks every chord's first and last decoder output and
// the encoder's decision at each chord boundary against G.711 Table 2b.
func TestUlawChordTable(t *testing.T) {
	for s, c := range ulawChords {
		firstPos := byte(0xFF - 16*s) // positive codes count down from 0xFF
		lastPos := firstPos - 15
		firstNeg, lastNeg := firstPos&0x7F, lastPos&0x7F
		checks := []struct {
			code byte
			want int
		}{
			{firstPos, 4 * c.first}, {lastPos, 4 * c.last},
			{firstNeg, -4 * c.first}, {lastNeg, -4 * c.last},
		}
		for _, ch := range checks {
			if got := g711.DecodeUlaw(ch.code); int(got) != ch.want {
				t.Errorf("chord %d: DecodeUlaw(%#02x) = %d, want %d", s, ch.code, got, ch.want)
			}
		}
		if s == 0 {
			continue
		}
		// The decision value begins this chord: 4*begins encodes to its
		// first step, one less to the previous chord's last step.
		at, below := int16(4*c.begins), int16(4*c.begins-1)
		if got := g711.EncodeUlaw(at); got != firstPos {
			t.Errorf("chord %d: EncodeUlaw(%d) = %#02x, want %#02x", s, at, got, firstPos)
		}
		if got := g711.EncodeUlaw(below); got != firstPos+1 {
			t.Errorf("chord %d: EncodeUlaw(%d) = %#02x, want %#02x", s, below, got, firstPos+1)
		}
	}
}

// TestUlawChordZeroDecisions: in chord 0 the decision values are 1, 3, 5, …
// 29 (step 2 on the 8159 scale), so 4*(2m-1) begins step m.
func TestUlawChordZeroDecisions(t *testing.T) {
	for m := 1; m < 16; m++ {
		x := int16(4 * (2*m - 1))
		if got, want := g711.EncodeUlaw(x), byte(0xFF-m); got != want {
			t.Errorf("EncodeUlaw(%d) = %#02x, want %#02x", x, got, want)
		}
		if got, want := g711.EncodeUlaw(x-1), byte(0xFF-m+1); got != want {
			t.Errorf("EncodeUlaw(%d) = %#02x, want %#02x", x-1, got, want)
		}
	}
}

func TestUlawClipsAndExtremes(t *testing.T) {
	tests := []struct {
		in   int16
		want byte
	}{
		{32767, 0x80}, {32636, 0x80}, {-32768, 0x00}, {-1, 0x7F}, {-4, 0x7F}, {-5, 0x7E}, {3, 0xFF}, {4, 0xFE},
	}
	for _, tt := range tests {
		if got := g711.EncodeUlaw(tt.in); got != tt.want {
			t.Errorf("EncodeUlaw(%d) = %#02x, want %#02x", tt.in, got, tt.want)
		}
	}
}

// TestUlawRoundTripEveryCode: decoding then encoding gives the code back,
// except -0 (0x7F) which comes back as +0 (0xFF).
func TestUlawRoundTripEveryCode(t *testing.T) {
	for c := range 256 {
		want := byte(c)
		if want == 0x7F {
			want = 0xFF
		}
		if got := g711.EncodeUlaw(g711.DecodeUlaw(byte(c))); got != want {
			t.Errorf("EncodeUlaw(DecodeUlaw(%#02x)) = %#02x, want %#02x", c, got, want)
		}
	}
}

// TestUlawEveryInput quantises every int16: the result is monotonic in the
// input, and within half a step (plus the one's-complement offset of
// negative inputs) of it below the clipping level.
func TestUlawEveryInput(t *testing.T) {
	prev := int16(-32768)
	for x := -32768; x <= 32767; x++ {
		y := g711.DecodeUlaw(g711.EncodeUlaw(int16(x)))
		if y < prev {
			t.Fatalf("not monotonic at %d: %d after %d", x, y, prev)
		}
		prev = y
		if x > 4*8159 || x < -4*8159-4 {
			continue // beyond the last decision value: clipped
		}
		if err, bound := abs(x-int(y)), ulawHalfStep(y)+4; err > bound {
			t.Fatalf("%d quantised to %d: error %d > %d", x, y, err, bound)
		}
	}
}

// ulawHalfStep is half the 16-bit step of the chord y is in.
func ulawHalfStep(y int16) int {
	a := abs(int(y))
	for s := len(ulawChords) - 1; s >= 0; s-- {
		if a >= 4*ulawChords[s].first {
			return 4 << s
		}
	}
	return 4
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
