package b2bua

import "github.com/tandem-sip/tandem/b2bua/internal/sipx"

// forkFailure is a final failure of one B leg of an attempt.
type forkFailure struct {
	code   int
	reason string
	res    *sipx.Response // nil when Tandem made the failure up (timeout, bad target)
	note   string         // the reason in events
	byCore bool           // Tandem could not even try the target
}

// bestFailure picks the response A gets when every B leg of an attempt
// failed (RFC 3261 §16.7 step 6): a 6xx if any, else one of the lowest
// class; among equals, the first received. No failures at all (nothing
// could be tried) gives 500.
func bestFailure(fs []forkFailure) forkFailure {
	if len(fs) == 0 {
		return forkFailure{code: 500, reason: "No Target"}
	}
	rank := func(code int) int {
		if code >= 600 {
			return 0
		}
		return code / 100 // 3, 4, 5
	}
	best := fs[0]
	for _, f := range fs[1:] {
		if rank(f.code) < rank(best.code) {
			best = f
		}
	}
	return best
}
