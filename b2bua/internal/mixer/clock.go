package mixer

import "time"

// nextTick is the engine's clock, as a pure function. Tick n is due at
// start + n*Period (tick 1 is the first). Given the last tick run and the
// time now, it returns the tick to run now: the latest one due, so that a
// worker woken late skips the ticks it missed (and counts them) instead of
// running them back to back; never one already run. Scheduling from start
// rather than from the previous wake-up keeps the clock from drifting.
func nextTick(start, now time.Time, last int64) (tick, skipped int64) {
	due := int64(now.Sub(start) / Period)
	if due <= last {
		return last + 1, 0
	}
	return due, due - last - 1
}

// tickTime is when tick n is due.
func tickTime(start time.Time, n int64) time.Time { return start.Add(time.Duration(n) * Period) }
