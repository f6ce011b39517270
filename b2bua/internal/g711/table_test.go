package g711_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// TestTablesMatchReference: for every input the table lookups give what the
// reference arithmetic computes.
func TestTablesMatchReference(t *testing.T) {
	for x := -32768; x <= 32767; x++ {
		if got, want := g711.EncodeUlaw(int16(x)), g711.UlawCompress(int16(x)); got != want {
			t.Fatalf("EncodeUlaw(%d) = %#02x, reference %#02x", x, got, want)
		}
		if got, want := g711.EncodeAlaw(int16(x)), g711.AlawCompress(int16(x)); got != want {
			t.Fatalf("EncodeAlaw(%d) = %#02x, reference %#02x", x, got, want)
		}
	}
	for c := range 256 {
		if g711.DecodeUlaw(byte(c)) != g711.UlawExpand(byte(c)) || g711.DecodeAlaw(byte(c)) != g711.AlawExpand(byte(c)) {
			t.Fatalf("decode table differs at %#02x", c)
		}
	}
}
