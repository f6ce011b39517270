package g711

import "math/bits"

// ulawBias is the 33 added to the 14-bit magnitude (132 on the 16-bit
// scale) so that segment boundaries fall on powers of two.
const ulawBias = 33

// ulawClip is the largest biased 14-bit magnitude (8159 + 33 = 0x1FFF).
const ulawClip = 0x1FFF

// EncodeUlaw compresses a 16-bit linear sample to a µ-law code
// (G.191 ulaw_compress). The code depends only on x>>2, so it is read from
// a 16 KiB table of ulawCompress.
func EncodeUlaw(x int16) byte { return ulawEncTable[uint16(x)>>2] }

// ulawEncTable is EncodeUlaw for every x>>2 (as an unsigned 14-bit index:
// the arithmetic shift commutes with the one's complement of negatives).
var ulawEncTable = func() (t [1 << 14]byte) {
	for i := range t {
		t[i] = ulawCompress(int16(uint16(i) << 2))
	}
	return t
}()

// ulawCompress is the reference encoder, used to fill ulawEncTable.
func ulawCompress(x int16) byte {
	var mag int32
	var sign byte
	if x < 0 {
		mag = int32(^x) >> 2
	} else {
		mag = int32(x) >> 2
		sign = 0x80
	}
	mag += ulawBias
	if mag > ulawClip {
		mag = ulawClip
	}
	// mag is in [33, 0x1FFF]: its segment is the position of its highest
	// bit above bit 5, 1-based as in the reference (segno 1..8).
	segno := 1 + bits.Len32(uint32(mag>>6))
	high := 8 - segno
	low := 0xF - (mag>>segno)&0xF
	return byte(high<<4|int(low)) | sign
}

// DecodeUlaw expands a µ-law code to a 16-bit linear sample
// (G.191 ulaw_expand): the middle of the code's quantisation interval.
func DecodeUlaw(u byte) int16 { return ulawTable[u] }

// ulawTable is DecodeUlaw for every code.
var ulawTable = func() (t [256]int16) {
	for c := range 256 {
		t[c] = ulawExpand(byte(c))
	}
	return t
}()

// ulawExpand is the reference decoder, used to fill ulawTable.
func ulawExpand(u byte) int16 {
	sign := int32(1)
	if u < 0x80 {
		sign = -1
	}
	m := int32(^u)
	exponent := (m >> 4) & 7
	segment := exponent + 1
	m &= 0xF
	step := int32(4) << segment
	return int16(sign * ((0x80 << exponent) + step*m + step/2 - 4*ulawBias))
}
