package g711_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

func TestLawSlices(t *testing.T) {
	src := []int16{0, 1000, -1000, 32767, -32768, 8}
	tests := []struct {
		law    g711.Law
		name   string
		pt     uint8
		silent byte
		one    func(int16) byte
	}{
		{g711.Ulaw, "PCMU", 0, 0xFF, g711.EncodeUlaw},
		{g711.Alaw, "PCMA", 8, 0xD5, g711.EncodeAlaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.law.String() != tt.name || tt.law.PayloadType() != tt.pt || tt.law.Silence() != tt.silent || !tt.law.Valid() {
				t.Fatalf("law %d: %s pt %d silence %#02x", tt.law, tt.law, tt.law.PayloadType(), tt.law.Silence())
			}
			if l, ok := g711.LawForPayloadType(tt.pt); !ok || l != tt.law {
				t.Fatalf("LawForPayloadType(%d) = %v, %v", tt.pt, l, ok)
			}
			if tt.law.DecodeSample(tt.silent) != 0 && tt.law == g711.Ulaw {
				t.Fatal("µ-law silence does not decode to 0")
			}
			enc := make([]byte, 4) // shorter than src: only 4 done
			if n := tt.law.Encode(enc, src); n != 4 {
				t.Fatalf("Encode: %d", n)
			}
			for i := range enc {
				if enc[i] != tt.one(src[i]) || enc[i] != tt.law.EncodeSample(src[i]) {
					t.Fatalf("Encode[%d] = %#02x, want %#02x", i, enc[i], tt.one(src[i]))
				}
			}
			dec := make([]int16, 10)
			if n := tt.law.Decode(dec, enc); n != 4 {
				t.Fatalf("Decode: %d", n)
			}
			for i := range 4 {
				if dec[i] != tt.law.DecodeSample(enc[i]) {
					t.Fatalf("Decode[%d] = %d", i, dec[i])
				}
			}
		})
	}
}

func TestInvalidLaw(t *testing.T) {
	var l g711.Law
	if l.Valid() || l.String() != "invalid" {
		t.Fatal("zero Law is valid")
	}
	if l.Encode(make([]byte, 3), make([]int16, 3)) != 0 || l.Decode(make([]int16, 3), make([]byte, 3)) != 0 {
		t.Fatal("invalid Law converted samples")
	}
	if _, ok := g711.LawForPayloadType(9); ok {
		t.Fatal("payload type 9 has a law")
	}
}
