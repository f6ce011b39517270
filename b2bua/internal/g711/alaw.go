package g711

import "math/bits"

// EncodeAlaw compresses a 16-bit linear sample to an A-law code
// (G.191 alaw_compress), even bits inverted. The code depends only on
// x>>4, so it is read from a 4 KiB table of alawCompress.
func EncodeAlaw(x int16) byte { return alawEncTable[uint16(x)>>4] }

// alawEncTable is EncodeAlaw for every x>>4 (as an unsigned 12-bit index).
var alawEncTable = func() (t [1 << 12]byte) {
	for i := range t {
		t[i] = alawCompress(int16(uint16(i) << 4))
	}
	return t
}()

// alawCompress is the reference encoder, used to fill alawEncTable.
func alawCompress(x int16) byte {
	var ix int32
	if x < 0 {
		ix = int32(^x) >> 4 // one's complement: 0 <= ix <= 2047
	} else {
		ix = int32(x) >> 4
	}
	if ix > 15 {
		// Segments 1..7: shift ix down to 5 bits (16..31), the number of
		// shifts plus one is the segment, then drop the leading 1.
		l := bits.Len32(uint32(ix)) // 5..11
		exp := int32(l - 4)         // 1..7
		ix >>= uint(l - 5)
		ix = ix - 16 + exp<<4
	}
	if x >= 0 {
		ix |= 0x80
	}
	return byte(ix) ^ 0x55
}

// DecodeAlaw expands an A-law code to a 16-bit linear sample
// (G.191 alaw_expand): the middle of the code's quantisation interval.
func DecodeAlaw(a byte) int16 { return alawTable[a] }

// alawTable is DecodeAlaw for every code.
var alawTable = func() (t [256]int16) {
	for c := range 256 {
		t[c] = alawExpand(byte(c))
	}
	return t
}()

// alawExpand is the reference decoder, used to fill alawTable.
func alawExpand(a byte) int16 {
	ix := int32(a^0x55) & 0x7F
	exp := ix >> 4
	mant := ix & 0xF
	if exp > 0 {
		mant += 16
	}
	mant = mant<<4 + 8
	if exp > 1 {
		mant <<= uint(exp - 1)
	}
	if a > 127 {
		return int16(mant)
	}
	return int16(-mant)
}
