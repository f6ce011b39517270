// Command transfer is a load generator for blind transfers (in-dialog
// REFER) through Tandem. It plays three phones on loopback UDP, A, B and C,
// and at a fixed rate starts calls that each go:
//
//	A calls b through Tandem, B answers at once, A ACKs;
//	B sends REFER (Refer-To: C, Refer-Sub: false unless -subscription);
//	Tandem calls C (no offer); C answers 180, then 200 with an offer after
//	-answer-delay; Tandem re-INVITEs A with it; A answers; Tandem ACKs C
//	with A's answer (and with -subscription: NOTIFYs 100, 180 if Tandem
//	saw it, 200 to B) and sends BYE to B;
//	A and C talk for -hold, then A hangs up.
//
// It reports the transfers completed, failed (anything the flow does not
// have) and stuck (not finished -stuck-after past the last start), the time
// from B's REFER to A's re-INVITE (and its parts: before C is called,
// C's answer time, after C's 200), the call setup time A->B through Tandem
// of the same calls as a baseline, and Tandem's own counters; and checks
// that Tandem has no call left afterwards (tandem_calls_active). It exits
// 1 if any transfer failed or got stuck, a call was left, or a tandem it
// started did not exit 0 after SIGTERM; 2 on a usage or setup error.
//
//	go build -o /tmp/tandem ./cmd/tandem
//	go run ./test/load/transfer -tandem /tmp/tandem            # starts and stops tandem itself
//	go run ./test/load/transfer -target 127.0.0.1:5060 -http 127.0.0.1:8080 -b-port 5091
//	                                                           # a running tandem routing b to 127.0.0.1:5091
//
// Everything is on 127.0.0.1 and bounded: rate x duration transfers, each
// given until the end of the schedule plus -stuck-after.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

type config struct {
	rate         int
	duration     time.Duration
	answerDelay  time.Duration
	hold         time.Duration
	subscription bool
	stuckAfter   time.Duration

	tandem   string // binary to start ("" = use -target)
	out      string
	target   string
	httpAddr string
	sipPort  int
	httpPort int
	aPort    int
	bPort    int
	cPort    int
	verbose  bool
	cpuprof  string
}

func main() { os.Exit(realMain()) }

func realMain() int {
	var cfg config
	flag.IntVar(&cfg.rate, "rate", 100, "new transfers per second (1-2000)")
	flag.DurationVar(&cfg.duration, "duration", 60*time.Second, "how long new transfers start (at most 10m)")
	flag.DurationVar(&cfg.answerDelay, "answer-delay", 0, "C's time from its 180 to its 200")
	flag.DurationVar(&cfg.hold, "hold", time.Second, "how long A and C talk before A hangs up")
	flag.BoolVar(&cfg.subscription, "subscription", false, "REFER with the implicit subscription (NOTIFYs to B) instead of Refer-Sub: false")
	flag.DurationVar(&cfg.stuckAfter, "stuck-after", 10*time.Second, "a transfer not finished this long after the last one started is stuck")
	flag.StringVar(&cfg.tandem, "tandem", "", "tandem binary to start (with its own config, embedded NATS in -out) and stop at the end")
	flag.StringVar(&cfg.out, "out", "", "with -tandem: directory for its config, log and NATS data (default: a new temp dir; the NATS data is removed at the end)")
	flag.StringVar(&cfg.target, "target", "127.0.0.1:5060", "without -tandem: SIP UDP address of a running tandem")
	flag.StringVar(&cfg.httpAddr, "http", "127.0.0.1:8080", "without -tandem: HTTP address of the running tandem (for /metrics)")
	flag.IntVar(&cfg.sipPort, "sip-port", 0, "with -tandem: its SIP UDP port (0: a free one)")
	flag.IntVar(&cfg.httpPort, "http-port", 0, "with -tandem: its HTTP port (0: a free one)")
	flag.IntVar(&cfg.aPort, "a-port", 0, "A's UDP port (0: a free one)")
	flag.IntVar(&cfg.bPort, "b-port", 0, "B's UDP port (0: a free one; without -tandem, where the tandem routes user b)")
	flag.IntVar(&cfg.cPort, "c-port", 0, "C's UDP port (0: a free one)")
	flag.BoolVar(&cfg.verbose, "v", false, "log sipgo warnings to stderr")
	flag.StringVar(&cfg.cpuprof, "cpuprofile", "", "write this program's CPU profile to the file")
	flag.Parse()
	if cfg.rate < 1 || cfg.rate > 2000 || cfg.duration <= 0 || cfg.duration > 10*time.Minute ||
		cfg.answerDelay < 0 || cfg.answerDelay > time.Minute || cfg.hold < 0 || cfg.hold > time.Minute ||
		cfg.stuckAfter < time.Second || cfg.stuckAfter > 5*time.Minute || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "transfer: bad arguments: -rate 1-2000, -duration up to 10m, -answer-delay and -hold up to 1m, -stuck-after 1s-5m")
		flag.Usage()
		return 2
	}
	if cfg.tandem == "" && cfg.bPort == 0 {
		fmt.Fprintln(os.Stderr, "transfer: without -tandem, give -b-port: the port the running tandem routes user b to")
		return 2
	}
	if cfg.cpuprof != "" {
		stop, err := loadkit.StartCPUProfile(cfg.cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "transfer: -cpuprofile:", err)
			return 2
		}
		defer stop()
	}
	r, err := newRun(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "transfer:", err)
		return 2
	}
	defer r.close()
	if !r.loop() {
		return 1
	}
	return 0
}

// run is one load run: the three phones, the tandem (if started here),
// and the transfers.
type run struct {
	cfg        config
	a, b, c    *loadkit.UA
	tandem     *loadkit.Tandem
	natsDir    string // the started tandem's JetStream data, removed at the end
	targetHost string
	targetPort int
	metricsURL string

	users  sync.Map // A's From user -> *xfer: how B and C find a new INVITE's transfer
	aCalls sync.Map // Call-ID -> *xfer, per phone
	bCalls sync.Map
	cCalls sync.Map
}

func newRun(cfg config) (*run, error) {
	r := &run{cfg: cfg}
	log := slog.New(slog.DiscardHandler)
	if cfg.verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var err error
	if r.a, err = loadkit.NewUA("a", cfg.aPort, log.With("ua", "A")); err != nil {
		return nil, err
	}
	if r.b, err = loadkit.NewUA("b", cfg.bPort, log.With("ua", "B")); err != nil {
		r.close()
		return nil, err
	}
	if r.c, err = loadkit.NewUA("c", cfg.cPort, log.With("ua", "C")); err != nil {
		r.close()
		return nil, err
	}
	r.a.Handle, r.b.Handle, r.c.Handle = r.onA, r.onB, r.onC

	target, httpAddr := cfg.target, cfg.httpAddr
	if cfg.tandem != "" {
		dir := cfg.out
		if dir == "" {
			if dir, err = os.MkdirTemp("", "tandem-xferload."); err != nil {
				r.close()
				return nil, err
			}
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			r.close()
			return nil, err
		}
		r.natsDir = filepath.Join(dir, "nats")
		sipPort, httpPort := cfg.sipPort, cfg.httpPort
		if sipPort == 0 {
			if sipPort, err = loadkit.FreePort("udp"); err != nil {
				r.close()
				return nil, err
			}
		}
		if httpPort == 0 {
			if httpPort, err = loadkit.FreePort("tcp"); err != nil {
				r.close()
				return nil, err
			}
		}
		fmt.Fprintf(os.Stderr, "transfer: starting %s (SIP 127.0.0.1:%d, HTTP 127.0.0.1:%d, files in %s)\n", cfg.tandem, sipPort, httpPort, dir)
		if r.tandem, err = startTandem(cfg.tandem, dir, sipPort, httpPort, r.b.Port, r.c.Port); err != nil {
			r.close()
			return nil, err
		}
		target, httpAddr = "127.0.0.1:"+strconv.Itoa(sipPort), "127.0.0.1:"+strconv.Itoa(httpPort)
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		r.close()
		return nil, fmt.Errorf("-target %q: %w", target, err)
	}
	r.targetHost = host
	if r.targetPort, err = strconv.Atoi(port); err != nil {
		r.close()
		return nil, fmt.Errorf("-target %q: %w", target, err)
	}
	r.metricsURL = "http://" + httpAddr + "/metrics"
	return r, nil
}

func (r *run) close() {
	for _, u := range []*loadkit.UA{r.a, r.b, r.c} {
		if u != nil {
			u.Close()
		}
	}
	if r.tandem != nil {
		r.tandem.Kill()
	}
	if r.natsDir != "" {
		_ = os.RemoveAll(r.natsDir)
	}
}

// loop runs the transfers, prints the summary and reports whether every
// check passed.
func (r *run) loop() bool {
	cfg := r.cfg
	total := int(int64(cfg.rate) * int64(cfg.duration) / int64(time.Second))
	if total < 1 {
		total = 1
	}
	before, err := loadkit.Metrics(context.Background(), r.metricsURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "transfer: /metrics before the run:", err)
	}
	var cpu0 time.Duration
	if r.tandem != nil {
		cpu0, _ = r.tandem.CPU()
	}
	load0 := loadavg()
	fmt.Fprintf(os.Stderr, "transfer: %d transfers at %d/s against %s:%d (A %d, B %d, C %d), answer delay %v, hold %v, subscription %v\n",
		total, cfg.rate, r.targetHost, r.targetPort, r.a.Port, r.b.Port, r.c.Port, cfg.answerDelay, cfg.hold, cfg.subscription)

	// Open loop: the i-th transfer starts at i/rate s; a late one starts at
	// once, so a slow Tandem does not lower the offered rate.
	xs := make([]*xfer, total)
	start := time.Now()
	deadline := start.Add(cfg.duration + cfg.stuckAfter)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var wg sync.WaitGroup
	late := 0
	for i := range xs {
		at := start.Add(time.Duration(int64(i) * int64(time.Second) / int64(cfg.rate)))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		} else if d < -10*time.Millisecond {
			late++
		}
		x := newXfer(i)
		xs[i] = x
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.transfer(ctx, x)
		}()
	}
	offered := time.Since(start)
	wg.Wait()
	elapsed := time.Since(start)

	// Tandem ends a call as its last leg's BYE is answered: give it a moment.
	active, after := -1.0, map[string]float64(nil)
	var merr error
	for range 50 {
		m, err := loadkit.Metrics(context.Background(), r.metricsURL)
		if err == nil {
			after, active = m, m["tandem_calls_active"]
			if active == 0 {
				break
			}
		}
		merr = err
		time.Sleep(100 * time.Millisecond)
	}
	if after == nil {
		fmt.Fprintln(os.Stderr, "transfer: /metrics after the run:", merr)
	}
	var cpu time.Duration
	if r.tandem != nil {
		if c1, err := r.tandem.CPU(); err == nil {
			cpu = c1 - cpu0
		}
	}
	load1 := loadavg()
	exit, exitTook, dir := 0, time.Duration(0), ""
	if r.tandem != nil {
		dir = r.tandem.LogDir
		exit, exitTook = r.tandem.Stop()
		r.tandem = nil
	}
	return report(os.Stdout, reportIn{
		cfg: cfg, xs: xs, offered: offered, elapsed: elapsed, late: late,
		before: before, after: after, active: active, cpu: cpu,
		started: cfg.tandem != "", exit: exit, exitTook: exitTook, dir: dir,
		load0: load0, load1: load1, start: start,
	})
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 1 {
		return "?"
	}
	f := string(b)
	n := 0
	for i := range f {
		if f[i] == ' ' {
			n++
			if n == 3 {
				return f[:i]
			}
		}
	}
	return f
}
