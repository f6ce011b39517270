package b2bua

import (
	"math/rand/v2"
	"time"
)

// glareBackoff is how long to wait before retrying a re-INVITE that got 491
// (RFC 3261 §14.1): the owner of the dialog's Call-ID (the UA that chose it)
// waits 2.1-4 s, the other 0-2 s, in units of 10 ms. r is a number in [0,1).
func glareBackoff(callIDOwner bool, r float64) time.Duration {
	const unit = 10 * time.Millisecond
	if callIDOwner {
		return 210*unit + time.Duration(r*191)*unit // 2.10 .. 4.00 s
	}
	return time.Duration(r*201) * unit // 0 .. 2.00 s
}

func randomGlareBackoff(callIDOwner bool) time.Duration {
	return glareBackoff(callIDOwner, rand.Float64())
}
