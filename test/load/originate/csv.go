package main

import (
	"bufio"
	"fmt"
	"os"
	"time"
)

// writeCSV writes one line per call and per baseline request: what it was,
// when it started (µs after the schedule's start) and its latencies in µs
// (-1: did not happen), for looking at when the tails happen; and per
// second of the run the generator's worst timer wake-up lateness (kind
// wake, in command_us).
func writeCSV(path string, start time.Time, xs []*ocall, probes *[nProbes][]probeResult, s *natsSide, wake *wakeProbe) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	us := func(from, to time.Time) int64 {
		if from.IsZero() || to.IsZero() {
			return -1
		}
		return to.Sub(from).Microseconds()
	}
	fmt.Fprintln(w, "kind,n,start_us,outcome,command_us,to_a_invite_us,bridged_us,leg_bridged_event_us")
	for _, x := range xs {
		ev, _ := s.eventTimes(x.callID)
		reply := time.Time{}
		if x.replied {
			reply = x.replyAt
		}
		fmt.Fprintf(w, "call,%d,%d,%s,%d,%d,%d,%d\n", x.n, us(start, x.cmdAt), x.outcome,
			us(x.cmdAt, reply), us(x.cmdAt, x.aInvAt), us(x.cmdAt, x.bridgedAt), us(x.cmdAt, ev))
	}
	for k := range nProbes {
		for i, p := range probes[k] {
			outcome, lat := "ok", p.lat.Microseconds()
			if p.err != nil {
				outcome, lat = "error", -1
			}
			fmt.Fprintf(w, "%s,%d,%d,%s,%d,-1,-1,-1\n", probeNames[k], i, p.start.Sub(start).Microseconds(), outcome, lat)
		}
	}
	// the timer probe: one line per second, its worst wake-up lateness
	secs, worst := wake.seconds()
	for _, sec := range secs {
		fmt.Fprintf(w, "wake,%d,%d,ok,%d,-1,-1,-1\n", sec, sec*1e6, worst[sec].Microseconds())
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
