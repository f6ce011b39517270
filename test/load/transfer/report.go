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

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// reportIn is what the summary is made of.
type reportIn struct {
	cfg              config
	xs               []*xfer
	start            time.Time
	offered, elapsed time.Duration
	late             int
	before, after    map[string]float64 // tandem's /metrics before and after (nil if unread)
	active           float64            // tandem_calls_active at the end (-1 if unread)
	cpu              time.Duration      // tandem's CPU time over the run (0 if not started here)
	started          bool               // tandem was started (and stopped) here
	exit             int
	exitTook         time.Duration
	dir              string
	load0, load1     string
}

// targetAdded is issue 5's target for Tandem's part of REFER -> re-INVITE.
const targetAdded = 20 * time.Millisecond

// report prints the summary to w and returns whether the run passed: no
// transfer failed or stuck, no call left in tandem, tandem (if started
// here) exited 0.
func report(w io.Writer, in reportIn) bool {
	cfg := in.cfg
	var setup, total, before, target, after, added, referRT []time.Duration
	counts := map[string]int{}
	no180 := 0
	reasons := map[string]int{}
	for _, x := range in.xs {
		counts[x.outcome]++
		if x.inviteRes != nil && x.inviteRes.StatusCode == 200 {
			setup = append(setup, x.setup)
		}
		if x.referRes != nil {
			referRT = append(referRT, x.referRT)
		}
		switch x.outcome {
		case outCompleted:
			if x.no180 {
				no180++
			}
			total = append(total, x.total)
			before = append(before, x.before)
			target = append(target, x.target)
			after = append(after, x.after)
			added = append(added, x.total-x.target)
		default:
			msg := x.err.Error()
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			reasons[x.outcome+" at "+x.stage+": "+msg]++
		}
	}
	sub := "Refer-Sub: false"
	if cfg.subscription {
		sub = "with subscription (NOTIFY 100/180/200)"
	}
	host, _ := os.Hostname()
	fmt.Fprintln(w, "================ Tandem blind transfer load (test/load/transfer) ================")
	fmt.Fprintf(w, "started:    %s   host %s, %d CPUs, %s\n", in.start.UTC().Format("2006-01-02 15:04:05 UTC"), host, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(w, "load avg:   %s at start, %s at end (other processes share the cores)\n", in.load0, in.load1)
	fmt.Fprintf(w, "settings:   %d/s for %v = %d transfers; C answers %v after its 180; hold %v; %s; stuck after +%v\n",
		cfg.rate, cfg.duration, len(in.xs), cfg.answerDelay, cfg.hold, sub, cfg.stuckAfter)
	fmt.Fprintf(w, "schedule:   started in %.1f s (%d more than 10 ms late), all ended after %.1f s\n",
		in.offered.Seconds(), in.late, in.elapsed.Seconds())
	fmt.Fprintf(w, "transfers:  %d completed, %d failed, %d stuck\n", counts[outCompleted], counts[outFailed], counts[outStuck])
	if cfg.subscription {
		fmt.Fprintf(w, "            %d of the completed got no NOTIFY 180 (only 100 and 200)\n", no180)
	}
	fmt.Fprintln(w, "latency, ms (nearest rank)               n      p50      p90      p99      max")
	row := func(name string, v []time.Duration) {
		fmt.Fprintf(w, "  %-34s %6d %s %s %s %s\n", name, len(v), loadkit.Ms(loadkit.Pct(v, 50)), loadkit.Ms(loadkit.Pct(v, 90)), loadkit.Ms(loadkit.Pct(v, 99)), loadkit.Ms(loadkit.Pct(v, 100)))
	}
	row("call setup A->B (INVITE -> 200)", setup)
	row("REFER -> 2xx to the REFER", referRT)
	row("REFER -> re-INVITE of A", total)
	row("  REFER -> INVITE at C", before)
	row("  C's INVITE -> C's 200 (target)", target)
	row("  C's 200 -> re-INVITE of A", after)
	row("  Tandem's part (total - target)", added)
	p99 := loadkit.Pct(added, 99)
	verdict := "missed"
	if len(added) > 0 && p99 < targetAdded {
		verdict = "met"
	}
	fmt.Fprintf(w, "target:     Tandem's part p99 < %v: %s (%s ms); zero failed or stuck: %v\n",
		targetAdded, verdict, loadkit.Ms(p99), counts[outFailed]+counts[outStuck] == 0)

	active := "unknown (/metrics unread)"
	if in.active >= 0 {
		active = fmt.Sprintf("%.0f", in.active)
	}
	fmt.Fprintf(w, "tandem:     tandem_calls_active at the end: %s\n", active)
	if in.before != nil && in.after != nil {
		delta := func(name string) string {
			return fmt.Sprintf("%.0f", in.after[name]-in.before[name])
		}
		fmt.Fprintf(w, "            tandem_transfers_total during the run: accepted %s, completed %s, failed %s, refused %s\n",
			delta(`tandem_transfers_total{outcome="accepted"}`), delta(`tandem_transfers_total{outcome="completed"}`),
			delta(`tandem_transfers_total{outcome="failed"}`), delta(`tandem_transfers_total{outcome="refused"}`))
		var calls []string
		for _, k := range slices.Sorted(maps.Keys(in.after)) {
			if strings.HasPrefix(k, "tandem_calls_total{") {
				if d := in.after[k] - in.before[k]; d != 0 {
					calls = append(calls, fmt.Sprintf("%s %.0f", strings.TrimSuffix(strings.TrimPrefix(k, `tandem_calls_total{outcome="`), `"}`), d))
				}
			}
		}
		fmt.Fprintf(w, "            tandem_calls_total: %s; refer NOTIFY failures %s; 2xx retransmissions %s\n",
			strings.Join(calls, ", "), delta("tandem_refer_notify_failures_total"), delta("tandem_2xx_retransmissions_total"))
	}
	ok := counts[outFailed] == 0 && counts[outStuck] == 0 && in.active == 0
	if in.started {
		if n := len(in.xs); in.cpu > 0 && n > 0 {
			fmt.Fprintf(w, "            CPU (utime+stime) %.2f s over the run: %.2f ms per transfer\n",
				in.cpu.Seconds(), float64(in.cpu)/float64(time.Millisecond)/float64(n))
		}
		fmt.Fprintf(w, "            exit status after SIGTERM: %d (%.1f s); config and log in %s\n", in.exit, in.exitTook.Seconds(), in.dir)
		ok = ok && in.exit == 0
	}
	loadkit.WriteFailures(w, reasons)
	if ok {
		fmt.Fprintln(w, "result:     PASS")
	} else {
		fmt.Fprintln(w, "result:     FAIL (failed or stuck transfers, calls left in tandem, or tandem's exit)")
	}
	fmt.Fprintln(w, "===================================================================================")
	return ok
}
