package g711_test

import (
	"math"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
)

// frame is one 20 ms frame (160 samples) of a 440 Hz tone at -6 dBov.
func frame() []int16 {
	s := make([]int16, 160)
	for i := range s {
		s[i] = int16(16384 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return s
}

func BenchmarkEncode(b *testing.B) {
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		b.Run(law.String(), func(b *testing.B) {
			src, dst := frame(), make([]byte, 160)
			b.SetBytes(160)
			for b.Loop() {
				law.Encode(dst, src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/160, "ns/sample")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, law := range []g711.Law{g711.Ulaw, g711.Alaw} {
		b.Run(law.String(), func(b *testing.B) {
			enc := make([]byte, 160)
			law.Encode(enc, frame())
			dst := make([]int16, 160)
			b.SetBytes(160)
			for b.Loop() {
				law.Decode(dst, enc)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/160, "ns/sample")
		})
	}
}
