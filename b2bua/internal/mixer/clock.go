package mixer

import "time"

// dueSlots is the engine's clock, as a pure function. A worker's time is
// cut into slots of length slot (Period/phases); slot k is due at
// start + k*slot (slot 1 is the first) and ticks the rooms of phase
// k%phases. Given the last slot run and the time now, it returns the slots
// to run now, from..to in order: every slot due since the last one run,
// except those a later slot of the same phase has superseded (late by a
// whole period or more), which are skipped and counted. So a worker woken
// late catches up on the slots of the last period, ticking each room at
// most once, and never runs a room's missed ticks back to back (no burst);
// and scheduling from start rather than from the previous wake-up keeps
// the clock from drifting. When woken early it runs the next slot.
func dueSlots(start, now time.Time, last int64, slot time.Duration, phases int) (from, to, skipped int64) {
	due := int64(now.Sub(start) / slot)
	if due <= last {
		return last + 1, last + 1, 0
	}
	from = max(last+1, due-int64(phases)+1)
	return from, due, from - last - 1
}

// slotTime is when slot k is due.
func slotTime(start time.Time, k int64, slot time.Duration) time.Time {
	return start.Add(time.Duration(k) * slot)
}
