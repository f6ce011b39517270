package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// reportIn is what the summary is made of.
type reportIn struct {
	cfg              config
	via              string
	claimed, rest    bool
	xs               []*ocall
	probes           [nProbes][]probeResult
	nats             *natsSide
	start            time.Time
	offered, elapsed time.Duration
	lates            []int              // calls, then each probe: starts more than 10 ms late
	before, after    map[string]float64 // tandem's /metrics before and after (nil if unread)
	active           float64            // tandem_calls_active at the end (-1 if unread)
	cpu              time.Duration      // tandem's CPU time over the run (0 if not started here)
	selfCPU          time.Duration      // the generator's
	steal            time.Duration      // taken by the hypervisor while the CPUs had work
	wake             *wakeProbe
	settled          map[string]float64 // tandem's /metrics -settle after the run (nil: not read)
	started          bool               // tandem was started (and stopped) here
	exit             int
	exitTook         time.Duration
	dir              string
	load0, load1     string
	evDropped        int           // event messages the watcher dropped (-1 unknown)
	sipp             bool          // -phones sipp: no per-message times
	sippErrs         []error       // how the SIPps ended, if not well
	sippCPU          time.Duration // both SIPps' utime+stime
}

// Issue 7's target: 300 originated calls/s via NATS with p99 command
// latency under 5 ms.
const (
	targetRate = 300
	targetP99  = 5 * time.Millisecond
)

// report prints the summary to w and returns whether the run passed: no
// call failed or stuck, no call left in tandem, every answered call's
// ended event seen, tandem (if started here) exited 0.
func report(w io.Writer, in reportIn) bool {
	cfg := in.cfg
	flow4 := cfg.flow == events.Flow4
	var (
		cmd, toA, bridged, aAns, aToB, bAns, bToRe, reAns, reToAck, bToAAck, bToBAck, phones, tandemPart, evBridged, bye []time.Duration
	)
	counts := map[string]int{}
	reasons := map[string]int{}
	noBridgedEv, noEndedEv := 0, 0
	for _, x := range in.xs {
		counts[x.outcome]++
		if x.replied {
			cmd = append(cmd, x.replyAt.Sub(x.cmdAt))
			if _, e := in.nats.eventTimes(x.callID); e.IsZero() {
				noEndedEv++
			}
		}
		if x.outcome != outCompleted {
			msg := x.err.Error()
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			reasons[x.outcome+" at "+x.stage+": "+msg]++
			continue
		}
		if in.sipp {
			// SIPp times nothing for us: Tandem's events only
			if b, _ := in.nats.eventTimes(x.callID); !b.IsZero() {
				evBridged = append(evBridged, b.Sub(x.cmdAt))
			} else {
				noBridgedEv++
			}
			continue
		}
		toA = append(toA, x.aInvAt.Sub(x.cmdAt))
		bridged = append(bridged, x.bridgedAt.Sub(x.cmdAt))
		aAns = append(aAns, x.aAnsAt.Sub(x.aInvAt))
		aToB = append(aToB, x.bInvAt.Sub(x.aAnsAt))
		bAns = append(bAns, x.bAnsAt.Sub(x.bInvAt))
		ph := x.aAnsAt.Sub(x.aInvAt) + x.bAnsAt.Sub(x.bInvAt)
		if flow4 {
			bToRe = append(bToRe, x.aReAt.Sub(x.bAnsAt))
			reAns = append(reAns, x.aReAnsAt.Sub(x.aReAt))
			reToAck = append(reToAck, x.bAckAt.Sub(x.aReAnsAt))
			ph += x.aReAnsAt.Sub(x.aReAt)
		} else {
			bToAAck = append(bToAAck, x.aAckAt.Sub(x.bAnsAt))
			bToBAck = append(bToBAck, x.bAckAt.Sub(x.bAnsAt))
		}
		phones = append(phones, ph)
		tandemPart = append(tandemPart, x.bridgedAt.Sub(x.cmdAt)-ph)
		if b, _ := in.nats.eventTimes(x.callID); !b.IsZero() {
			evBridged = append(evBridged, b.Sub(x.cmdAt))
		} else {
			noBridgedEv++
		}
		bye = append(bye, x.byeResAt.Sub(x.byeAt))
	}
	var base [nProbes][]time.Duration
	baseErr := [nProbes]map[string]int{}
	for k := range nProbes {
		baseErr[k] = map[string]int{}
		for _, p := range in.probes[k] {
			if p.err != nil {
				baseErr[k][p.err.Error()]++
				continue
			}
			base[k] = append(base[k], p.lat)
		}
	}

	flowName := "IV (A inactive, B's offer to A in a re-INVITE)"
	if !flow4 {
		flowName = "I (A's offer to B, B's answer in A's ACK)"
	}
	host, _ := os.Hostname()
	n := len(in.xs)
	fmt.Fprintln(w, "================ Tandem originate-and-bridge load (test/load/originate) ================")
	fmt.Fprintf(w, "started:    %s   host %s, %d CPUs, %s\n", in.start.UTC().Format("2006-01-02 15:04:05.000 UTC"), host, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(w, "load avg:   %s at start, %s at end (other processes share the cores)\n", in.load0, in.load1)
	claim := "unclaimed"
	switch {
	case cfg.controller != "":
		claim = "claimed by " + cfg.controller
	case in.claimed:
		claim = "claimed by the token's controller"
	}
	fmt.Fprintf(w, "settings:   %d/s for %v = %d calls.originate via %s; flow %s; %s;\n",
		cfg.rate, cfg.duration, n, in.via, flowName, claim)
	fmt.Fprintf(w, "            B answers %v after its INVITE; hold %v, then A hangs up; stuck after +%v; baseline %v\n",
		cfg.answerDelay, cfg.hold, cfg.stuckAfter, cfg.baseline)
	fmt.Fprintf(w, "schedule:   started in %.2f s (%.1f calls/s offered; %d calls, %d echo, %d calls.get, %d REST GET more than 10 ms late), all ended after %.1f s\n",
		in.offered.Seconds(), float64(n)/in.offered.Seconds(), in.lates[0], in.lates[1+probeEcho], in.lates[1+probeGet], in.lates[1+probeRESTGet], in.elapsed.Seconds())
	fmt.Fprintf(w, "calls:      %d completed, %d failed, %d stuck; %d commands answered\n",
		counts[outCompleted], counts[outFailed], counts[outStuck], len(cmd))
	fmt.Fprintln(w, "latency, ms (nearest rank)                   n      p50      p90      p99    p99.9      max")
	row := func(name string, v []time.Duration) {
		fmt.Fprintf(w, "  %-38s %6d %s %s %s %s %s\n", name, len(v), loadkit.Ms(loadkit.Pct(v, 50)), loadkit.Ms(loadkit.Pct(v, 90)), loadkit.Ms(loadkit.Pct(v, 99)), loadkit.Ms(loadkit.Pct(v, 99.9)), loadkit.Ms(loadkit.Pct(v, 100)))
	}
	if cfg.baseline {
		row("baseline: NATS echo (no command)", base[probeEcho])
		row("baseline: calls.get of no call", base[probeGet])
		if in.rest {
			row("baseline: REST GET /v1/calls/{no call}", base[probeRESTGet])
		}
	}
	if in.rest {
		row("POST /v1/calls -> response", cmd)
	} else {
		row("calls.originate -> reply", cmd)
	}
	if !in.sipp { // the phones' times
		phoneRows(row, flow4, toA, bridged, aAns, aToB, bAns, bToRe, reAns, reToAck, bToBAck, bToAAck, tandemPart)
	}
	row("command -> leg_bridged event", evBridged)
	if !in.sipp {
		row("A's BYE -> 200", bye)
	}
	p99 := loadkit.Pct(cmd, 99)
	verdict := "missed"
	switch {
	case !cfg.calls:
		verdict = "not tested (-calls=false: the baseline alone)"
	case in.rest:
		verdict = "not tested (the target is for NATS; this run went through the REST gateway)"
	case cfg.rate < targetRate:
		verdict = fmt.Sprintf("not tested (rate %d < %d)", cfg.rate, targetRate)
	case counts[outCompleted] == n && len(cmd) > 0 && p99 < targetP99:
		verdict = "met"
	}
	fmt.Fprintf(w, "target:     %d calls/s via NATS, every call bridged and p99 command latency < %v: %s (%d/s offered, %d of %d completed, p99 %s ms)\n",
		targetRate, targetP99, verdict, cfg.rate, counts[outCompleted], n, strings.TrimSpace(loadkit.Ms(p99)))
	diff := func(a, b time.Duration) float64 { return float64(a-b) / float64(time.Millisecond) }
	baseK, baseName := probeGet, "calls.get"
	if in.rest {
		baseK, baseName = probeRESTGet, "REST GET"
	}
	if cfg.baseline && len(base[baseK]) > 0 && len(cmd) > 0 {
		fmt.Fprintf(w, "            the command minus the %s baseline: p50 %+.3f ms, p99 %+.3f ms\n",
			baseName, diff(loadkit.Pct(cmd, 50), loadkit.Pct(base[baseK], 50)), diff(p99, loadkit.Pct(base[baseK], 99)))
	}
	for k := range nProbes {
		if len(baseErr[k]) > 0 {
			fmt.Fprintf(w, "baseline:   %s errors: %v\n", probeNames[k], baseErr[k])
		}
	}

	active := "unknown (/metrics unread)"
	if in.active >= 0 {
		active = fmt.Sprintf("%.0f", in.active)
	}
	fmt.Fprintf(w, "tandem:     tandem_calls_active at the end: %s\n", active)
	if in.before != nil && in.after != nil {
		delta := func(name string) string {
			return fmt.Sprintf("%.0f", in.after[name]-in.before[name])
		}
		var calls, cmds []string
		for _, k := range slices.Sorted(maps.Keys(in.after)) {
			d := in.after[k] - in.before[k]
			if d == 0 {
				continue
			}
			switch {
			case strings.HasPrefix(k, "tandem_calls_total{"):
				calls = append(calls, fmt.Sprintf("%s %.0f", strings.TrimSuffix(strings.TrimPrefix(k, `tandem_calls_total{outcome="`), `"}`), d))
			case strings.HasPrefix(k, "tandem_nats_commands_total{"):
				cmds = append(cmds, fmt.Sprintf("%s %.0f", strings.TrimPrefix(k, "tandem_nats_commands_total"), d))
			}
		}
		fmt.Fprintf(w, "            tandem_calls_total: %s\n", strings.Join(calls, ", "))
		fmt.Fprintf(w, "            tandem_nats_commands_total: %s\n", strings.Join(cmds, ", "))
		fmt.Fprintf(w, "            after the run: Go heap %.1f MiB (%.1f MiB before), %.0f goroutines, RSS %.1f MiB\n",
			in.after["go_memstats_heap_alloc_bytes"]/(1<<20), in.before["go_memstats_heap_alloc_bytes"]/(1<<20),
			in.after["go_goroutines"], in.after["process_resident_memory_bytes"]/(1<<20))
		if m := in.settled; m != nil {
			fmt.Fprintf(w, "            %v later, after a GC: Go heap %.1f MiB, %.0f goroutines, RSS %.1f MiB, tandem_calls_active %.0f\n",
				cfg.settle, m["go_memstats_heap_alloc_bytes"]/(1<<20), m["go_goroutines"], m["process_resident_memory_bytes"]/(1<<20), m["tandem_calls_active"])
		}
		fmt.Fprintf(w, "            2xx retransmissions %s; events published %s, dropped %s; SIP requests received: INVITE %s, ACK %s, BYE %s\n",
			delta("tandem_2xx_retransmissions_total"), delta("tandem_nats_events_published_total"),
			sumPrefix(in.before, in.after, "tandem_nats_events_dropped_total"),
			delta(`tandem_sip_requests_total{method="INVITE"}`), delta(`tandem_sip_requests_total{method="ACK"}`), delta(`tandem_sip_requests_total{method="BYE"}`))
	}
	fmt.Fprintf(w, "events:     leg_bridged missing for %d completed calls; ended missing for %d answered calls; watcher dropped %d\n",
		noBridgedEv, noEndedEv, in.evDropped)
	ok := counts[outFailed] == 0 && counts[outStuck] == 0 && in.active == 0 && noEndedEv == 0 && len(in.sippErrs) == 0
	if in.sipp {
		fmt.Fprintf(w, "phones:     SIPp for A and B: %v; their CPU %.2f s (%.3f ms per call)\n",
			sippVerdict(in.sippErrs), in.sippCPU.Seconds(), float64(in.sippCPU)/float64(time.Millisecond)/float64(max(n, 1)))
	}
	if in.started {
		switch {
		case in.cpu > 0 && n > 0:
			fmt.Fprintf(w, "cpu:        tandem (utime+stime) %.2f s over the run: %.3f ms per call; the generator %.2f s (%.3f ms per call)\n",
				in.cpu.Seconds(), float64(in.cpu)/float64(time.Millisecond)/float64(n),
				in.selfCPU.Seconds(), float64(in.selfCPU)/float64(time.Millisecond)/float64(n))
		case in.cpu > 0:
			fmt.Fprintf(w, "cpu:        tandem (utime+stime) %.2f s over the run; the generator %.2f s\n", in.cpu.Seconds(), in.selfCPU.Seconds())
		}
		fmt.Fprintf(w, "            exit status after SIGTERM: %d (%.1f s); config and log in %s\n", in.exit, in.exitTook.Seconds(), in.dir)
		ok = ok && in.exit == 0
	} else if n > 0 {
		fmt.Fprintf(w, "cpu:        the generator %.2f s (%.3f ms per call); tandem's not measured (not started here)\n",
			in.selfCPU.Seconds(), float64(in.selfCPU)/float64(time.Millisecond)/float64(n))
	}
	if in.wake != nil {
		p50, p99, mx, over := in.wake.stats()
		fmt.Fprintf(w, "machine:    the generator's 1 ms timer woke late by p50 %s, p99 %s, max %s ms; %d seconds of the run had a wake-up > 10 ms late; CPU steal %.1f s\n",
			strings.TrimSpace(loadkit.Ms(p50)), strings.TrimSpace(loadkit.Ms(p99)), strings.TrimSpace(loadkit.Ms(mx)), over, in.steal.Seconds())
	}
	loadkit.WriteFailures(w, reasons)
	if ok {
		fmt.Fprintln(w, "result:     PASS")
	} else {
		fmt.Fprintln(w, "result:     FAIL (failed or stuck calls, calls left in tandem, missing ended events, or tandem's exit)")
	}
	fmt.Fprintln(w, "========================================================================================")
	return ok
}

// sumPrefix is the change of every sample whose name starts with prefix.
func sumPrefix(before, after map[string]float64, prefix string) string {
	d := 0.0
	for k, v := range after {
		if strings.HasPrefix(k, prefix) {
			d += v - before[k]
		}
	}
	return fmt.Sprintf("%.0f", d)
}

func sippVerdict(errs []error) string {
	if len(errs) == 0 {
		return "both exited 0 (every call as scripted)"
	}
	var b strings.Builder
	for i, err := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// phoneRows prints the rows timed by the Go phones.
func phoneRows(row func(string, []time.Duration), flow4 bool, toA, bridged, aAns, aToB, bAns, bToRe, reAns, reToAck, bToBAck, bToAAck, tandemPart []time.Duration) {
	row("command -> A's INVITE", toA)
	row("command -> both legs bridged", bridged)
	row("  A's INVITE -> its 200 (phone)", aAns)
	row("  A's 200 -> B's INVITE", aToB)
	row("  B's INVITE -> its 200 (phone)", bAns)
	if flow4 {
		row("  B's 200 -> A's re-INVITE", bToRe)
		row("  A's re-INVITE -> its 200 (phone)", reAns)
		row("  A's 200 -> B's ACK (bridged)", reToAck)
	} else {
		row("  B's 200 -> B's ACK", bToBAck)
		row("  B's 200 -> A's ACK", bToAAck)
	}
	row("  Tandem's part (bridged - phones)", tandemPart)
}
