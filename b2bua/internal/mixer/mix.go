package mixer

// The sample kernels of a tick, on whole frames so the compiler drops the
// bounds checks.

type (
	frame16 = [FrameSamples]int16
	frame32 = [FrameSamples]int32
)

func sat16(v int32) int16 { return int16(min(max(v, -32768), 32767)) }

// addTo adds x to the mix.
func addTo(sum *frame32, x *frame16) {
	for i := range sum {
		sum[i] += int32(x[i])
	}
}

// scale sets dst to src times a Q16 factor, saturated.
func scale(dst, src *frame16, q16 int32) {
	for i := range dst {
		dst[i] = int16(min(max(int64(src[i])*int64(q16)>>16, -32768), 32767))
	}
}

// mixMinus sets dst to the mix without own (nil: nothing to take out),
// times a Q16 factor, saturated: what one participant hears.
func mixMinus(dst *frame16, sum *frame32, own *frame16, q16 int32) {
	switch {
	case own == nil && q16 == gainOne:
		for i := range dst {
			dst[i] = sat16(sum[i])
		}
	case own == nil:
		for i := range dst {
			dst[i] = int16(min(max(int64(sum[i])*int64(q16)>>16, -32768), 32767))
		}
	case q16 == gainOne:
		for i := range dst {
			dst[i] = sat16(sum[i] - int32(own[i]))
		}
	default:
		for i := range dst {
			dst[i] = int16(min(max(int64(sum[i]-int32(own[i]))*int64(q16)>>16, -32768), 32767))
		}
	}
}

// energy is the sum of the squared samples of x.
func energy(x *frame16) int64 {
	var e int64
	for _, s := range x {
		e += int64(s) * int64(s)
	}
	return e
}

// attenuate multiplies x by a Q15 factor in place.
func attenuate(x *frame16, q15 int32) {
	for i := range x {
		x[i] = int16(int32(x[i]) * q15 >> 15)
	}
}
