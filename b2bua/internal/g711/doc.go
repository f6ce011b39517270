// Package g711 converts between 16-bit linear PCM and ITU-T G.711 µ-law
// (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8), one byte per
// sample at 8 kHz. It is written in-house because no module for it is
// reachable from this project (DESIGN.md §6).
//
// The arithmetic follows the ITU-T G.191 software tools library reference
// implementation of G.711 (g711.c, functions ulaw_compress, ulaw_expand,
// alaw_compress and alaw_expand) for 16-bit left-justified input:
//
//   - µ-law works on the 14-bit magnitude (sample >> 2) with a bias of 33,
//     in 8 segments of 16 steps; the decoder returns the middle of each
//     quantisation interval, so the largest output is ±32124 and there are
//     two zeros, 0xFF (+0) and 0x7F (-0).
//   - A-law works on the 12-bit magnitude (sample >> 4) in 8 segments (the
//     first two with the same step), returns interval middles (largest
//     ±32256, smallest ±8, no zero), and inverts the even bits of the code
//     (XOR 0x55) as G.711 requires.
//   - Negative samples are quantised from their one's complement (^x), as in
//     the reference, so -1 encodes like 0 with the sign bit clear.
//
// Both directions are table lookups filled at start from the reference
// arithmetic: 256 entries per law to decode; to encode 16 KiB for µ-law
// (the code depends only on x>>2) and 4 KiB for A-law (x>>4). Every
// function is safe for concurrent use and allocates nothing.
package g711
