// Command originate is a load generator for third-party call control
// (RFC 3725) through Tandem: calls.originate at a fixed rate. It plays two
// phones on loopback UDP, A and B, and for each call sends
//
//	calls.originate {a: sip:a-<n>@127.0.0.1:A, b: sip:b-<n>@127.0.0.1:B, flow}
//
// over NATS with the plugin SDK (sdk.Do, the request OriginateCall sends),
// or with -via rest as POST /v1/calls to the REST gateway (apps/rcc, run
// by a started tandem as its built-in plugin rcc with one token; its calls
// are claimed by the token's controller); Tandem replies once A's INVITE
// is sent. Then, flow IV (the default):
// Tandem INVITEs A with an inactive offer, A answers 200 (inactive) and
// gets its ACK; Tandem INVITEs B without an offer, B answers 200 with its
// offer (after 180 and -answer-delay when that is set); Tandem re-INVITEs A
// with B's offer, A answers 200, Tandem ACKs A's 200 and ACKs B with A's
// answer: both legs are bridged. Flow I (-flow 1): A is called without an
// offer, its offer goes to B, B's answer to A in its ACK. After -hold A
// hangs up and B gets the BYE (with -controller the call is claimed: B
// stays up alone, as the core documents, and hangs up itself).
//
// At the same rate, interleaved with the calls, two cheap requests run as
// a baseline on the same connection, so that the machine's noise shows in
// both: a NATS request to the generator's own responder (echo: the round
// trip through Tandem's embedded NATS server, no command) and calls.get of
// an unknown call (Tandem's command path: decode, reply cache, worker,
// reply; no call work); with -via rest also GET /v1/calls/{unknown}
// through the gateway (404 from the core). -calls=false sends the
// baseline alone: the floor of the machine without the calls' load. A
// goroutine measures how late the generator's own 1 ms timer wakes up, to
// tell a stall of the machine from one of Tandem.
//
// It reports the calls completed, failed (anything the flow does not have)
// and stuck (not finished -stuck-after past the last start); latencies of
// the command (request -> reply), of the baseline, from the command to both
// legs bridged (B's ACK received) and its parts, and to Tandem's
// leg_bridged event; Tandem's own counters, memory and CPU time per call
// (-settle: its memory again some time after the run, after a garbage
// collection; -csv: every request's times, to see when tails happen); and
// checks that Tandem has no call left afterwards (tandem_calls_active). It
// exits 1 if any call failed or got stuck, a call was left, an ended event
// was missing, or a tandem it started did not exit 0 after SIGTERM; 2 on a
// usage or setup error.
//
//	go build -o /tmp/tandem ./cmd/tandem
//	go run ./test/load/originate -tandem /tmp/tandem           # starts and stops tandem itself
//	go run ./test/load/originate -tandem /tmp/tandem -via rest  # the same through the REST gateway
//	go run ./test/load/originate -nats nats://127.0.0.1:4222 -http 127.0.0.1:8080
//	                                                           # a running tandem (no authentication)
//
// With -phones sipp, two SIPp processes play A and B instead (sipp.go):
// less of the shared CPU goes to the generator; calls are then judged by
// Tandem's reply and events and by SIPp's own checks.
//
// Everything is on 127.0.0.1 and bounded: rate x duration calls, each given
// until the end of the schedule plus -stuck-after.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

type config struct {
	rate        int
	duration    time.Duration
	hold        time.Duration
	answerDelay time.Duration
	flow        int
	controller  string
	cmdTimeout  time.Duration
	stuckAfter  time.Duration
	baseline    bool
	calls       bool
	phones      string // go or sipp

	tandem   string // binary to start ("" = use -nats and -http)
	out      string
	natsURL  string
	httpAddr string
	sipPort  int
	httpPort int
	natsPort int
	aPort    int
	bPort    int
	verbose  bool
	cpuprof  string
	csv      string
	settle   time.Duration

	via       string // nats or rest
	restURL   string
	restToken string
	restPort  int
}

func main() { os.Exit(realMain()) }

func realMain() int {
	var cfg config
	flag.IntVar(&cfg.rate, "rate", 300, "calls.originate per second (1-2000)")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long new calls start (at most 10m)")
	flag.DurationVar(&cfg.hold, "hold", time.Second, "how long A and B talk once bridged before A hangs up")
	flag.DurationVar(&cfg.answerDelay, "answer-delay", 0, "B rings (180) this long before its 200; 0: B answers 200 at once")
	flag.IntVar(&cfg.flow, "flow", events.Flow4, "RFC 3725 flow: 4 (A on an inactive offer, then B's offer to A in a re-INVITE) or 1 (A's offer to B)")
	flag.StringVar(&cfg.controller, "controller", "", "claim the calls for this controller (B then stays up after A's BYE and hangs up itself); \"\": unclaimed")
	flag.DurationVar(&cfg.cmdTimeout, "command-timeout", 5*time.Second, "wait for a command's reply at most this long")
	flag.DurationVar(&cfg.stuckAfter, "stuck-after", 10*time.Second, "a call not finished this long after the last one started is stuck")
	flag.BoolVar(&cfg.baseline, "baseline", true, "send the baseline requests (echo, calls.get) at the same rate")
	flag.StringVar(&cfg.phones, "phones", "go", "who plays A and B: go (this program's sipgo phones, checking and timing every message) or sipp (two SIPp processes: less CPU on a shared machine; flow IV, no answer delay; calls judged by Tandem's reply and events and SIPp's exit status)")
	flag.BoolVar(&cfg.calls, "calls", true, "originate calls; -calls=false sends the baseline requests alone (the machine's floor)")
	flag.StringVar(&cfg.tandem, "tandem", "", "tandem binary to start (with its own config, embedded NATS in -out) and stop at the end")
	flag.StringVar(&cfg.out, "out", "", "with -tandem: directory for its config, log and NATS data (default: a new temp dir; the NATS data is removed at the end)")
	flag.StringVar(&cfg.natsURL, "nats", "", "without -tandem: NATS URL of a running tandem (its log says nats=...; no authentication)")
	flag.StringVar(&cfg.httpAddr, "http", "127.0.0.1:8080", "without -tandem: HTTP address of the running tandem (for /metrics)")
	flag.IntVar(&cfg.sipPort, "sip-port", 0, "with -tandem: its SIP UDP port (0: a free one)")
	flag.IntVar(&cfg.httpPort, "http-port", 0, "with -tandem: its HTTP port (0: a free one)")
	flag.IntVar(&cfg.natsPort, "nats-port", 0, "with -tandem: its embedded NATS port on 127.0.0.1 (0: a free one)")
	flag.IntVar(&cfg.aPort, "a-port", 0, "A's UDP port (0: a free one)")
	flag.IntVar(&cfg.bPort, "b-port", 0, "B's UDP port (0: a free one)")
	flag.BoolVar(&cfg.verbose, "v", false, "log sipgo warnings to stderr")
	flag.StringVar(&cfg.cpuprof, "cpuprofile", "", "write this program's CPU profile to the file")
	flag.DurationVar(&cfg.settle, "settle", 0, "after the run, wait this long, make tandem collect garbage (/debug/pprof/heap?gc=1, kept in -out) and read its memory from /metrics again (what ended calls leave behind; at most 5m)")
	flag.StringVar(&cfg.csv, "csv", "", "write one line per call and baseline request (start offset and latencies, µs) to the file")
	flag.StringVar(&cfg.via, "via", "nats", "send calls.originate over nats (the SDK) or rest (the REST gateway, apps/rcc: POST /v1/calls; its calls are claimed by the token)")
	flag.StringVar(&cfg.restURL, "rest", "", "-via rest without -tandem: the gateway's base URL (http://127.0.0.1:8089)")
	flag.StringVar(&cfg.restToken, "rest-token", os.Getenv("ORIGLOAD_REST_TOKEN"), "-via rest without -tandem: its bearer token, with permission calls.* (default $ORIGLOAD_REST_TOKEN)")
	flag.IntVar(&cfg.restPort, "rest-port", 0, "-via rest with -tandem: the gateway's port (0: a free one)")
	flag.Parse()
	if cfg.rate < 1 || cfg.rate > 2000 || cfg.duration <= 0 || cfg.duration > 10*time.Minute ||
		cfg.hold < 0 || cfg.hold > time.Minute || cfg.answerDelay < 0 || cfg.answerDelay > time.Minute ||
		(cfg.flow != events.Flow1 && cfg.flow != events.Flow4) ||
		cfg.cmdTimeout < time.Millisecond || cfg.cmdTimeout > time.Minute ||
		cfg.stuckAfter < time.Second || cfg.stuckAfter > 5*time.Minute ||
		cfg.settle < 0 || cfg.settle > 5*time.Minute || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "originate: bad arguments: -rate 1-2000, -duration up to 10m, -hold and -answer-delay up to 1m, -flow 1 or 4, -command-timeout 1ms-1m, -stuck-after 1s-5m")
		flag.Usage()
		return 2
	}
	if cfg.phones != "go" && cfg.phones != "sipp" {
		fmt.Fprintln(os.Stderr, "originate: -phones go or sipp")
		return 2
	}
	if cfg.phones == "sipp" && (cfg.flow != events.Flow4 || cfg.answerDelay != 0) {
		fmt.Fprintln(os.Stderr, "originate: -phones sipp plays flow IV, B answering at once: leave -flow and -answer-delay out")
		return 2
	}
	if !cfg.calls && !cfg.baseline {
		fmt.Fprintln(os.Stderr, "originate: -calls=false needs the baseline")
		return 2
	}
	if cfg.tandem == "" && cfg.natsURL == "" {
		fmt.Fprintln(os.Stderr, "originate: give -tandem BINARY, or -nats URL (and -http) of a running tandem")
		return 2
	}
	switch {
	case cfg.via != "nats" && cfg.via != "rest":
		fmt.Fprintln(os.Stderr, "originate: -via nats or rest")
		return 2
	case cfg.via == "rest" && cfg.tandem == "" && (cfg.restURL == "" || cfg.restToken == ""):
		fmt.Fprintln(os.Stderr, "originate: -via rest without -tandem needs -rest URL and -rest-token")
		return 2
	case cfg.via == "rest" && cfg.controller != "":
		fmt.Fprintln(os.Stderr, "originate: -via rest: the controller is the token's name; leave -controller out")
		return 2
	}
	if cfg.cpuprof != "" {
		stop, err := loadkit.StartCPUProfile(cfg.cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "originate: -cpuprofile:", err)
			return 2
		}
		defer stop()
	}
	r, err := newRun(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "originate:", err)
		return 2
	}
	defer r.close()
	if !r.loop() {
		return 1
	}
	return 0
}

// run is one load run: the two phones, the tandem (if started here), the
// NATS side, and the calls.
type run struct {
	cfg          config
	a, b         *loadkit.UA  // -phones go
	aPort, bPort int          // A's and B's UDP ports
	sipps        []*sippPhone // -phones sipp, once started
	dir          string       // for tandem's and SIPp's files (with -tandem or -phones sipp)
	tandem       *loadkit.Tandem
	natsDir      string // the started tandem's JetStream data, removed at the end
	nats         *natsSide
	orig         originator
	rest         *restOriginator // with -via rest
	via          string
	claimed      bool // the calls are claimed: B stays up after A's BYE
	metricsURL   string

	users  sync.Map // Request-URI user (a-<n>, b-<n>) -> *mailbox: how A and B find a new INVITE's call
	aCalls sync.Map // Call-ID -> *mailbox, per phone, while the call lasts
	bCalls sync.Map
}

func newRun(cfg config) (*run, error) {
	r := &run{cfg: cfg}
	log := slog.New(slog.DiscardHandler)
	if cfg.verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var err error
	if cfg.tandem != "" || cfg.phones == "sipp" {
		// for tandem's config, log and NATS data, and SIPp's files
		if r.dir = cfg.out; r.dir == "" {
			if r.dir, err = os.MkdirTemp("", "tandem-origload."); err != nil {
				return nil, err
			}
		} else if err := os.MkdirAll(r.dir, 0o755); err != nil {
			return nil, err
		}
	}
	if cfg.phones == "go" {
		if r.a, err = loadkit.NewUA("a", cfg.aPort, log.With("ua", "A")); err != nil {
			return nil, err
		}
		if r.b, err = loadkit.NewUA("b", cfg.bPort, log.With("ua", "B")); err != nil {
			r.close()
			return nil, err
		}
		r.a.Handle, r.b.Handle = r.onA, r.onB
		r.aPort, r.bPort = r.a.Port, r.b.Port
	} else {
		r.aPort, r.bPort = cfg.aPort, cfg.bPort
		for _, p := range []*int{&r.aPort, &r.bPort} {
			if *p == 0 {
				if *p, err = loadkit.FreePort("udp"); err != nil {
					return nil, err
				}
			}
		}
	}

	natsURL, httpAddr := cfg.natsURL, cfg.httpAddr
	if cfg.tandem != "" {
		dir := r.dir
		r.natsDir = filepath.Join(dir, "nats")
		ports := []*int{&cfg.sipPort, &cfg.httpPort, &cfg.natsPort, &cfg.restPort}
		for i, network := range []string{"udp", "tcp", "tcp", "tcp"} {
			if *ports[i] == 0 {
				if *ports[i], err = loadkit.FreePort(network); err != nil {
					r.close()
					return nil, err
				}
			}
		}
		fmt.Fprintf(os.Stderr, "originate: starting %s (SIP 127.0.0.1:%d, HTTP 127.0.0.1:%d, NATS 127.0.0.1:%d, files in %s)\n",
			cfg.tandem, cfg.sipPort, cfg.httpPort, cfg.natsPort, dir)
		extra := ""
		if cfg.via == "rest" {
			extra = restConfig(cfg.restPort)
			cfg.restURL, cfg.restToken = "http://127.0.0.1:"+strconv.Itoa(cfg.restPort), restToken
			fmt.Fprintf(os.Stderr, "originate: with the REST gateway (apps/rcc) on %s\n", cfg.restURL)
		}
		if r.tandem, err = startTandem(cfg.tandem, dir, cfg.sipPort, cfg.httpPort, cfg.natsPort, extra); err != nil {
			r.close()
			return nil, err
		}
		natsURL = "nats://127.0.0.1:" + strconv.Itoa(cfg.natsPort)
		httpAddr = "127.0.0.1:" + strconv.Itoa(cfg.httpPort)
	}
	if r.nats, err = connectNATS(natsURL); err != nil {
		r.close()
		return nil, err
	}
	r.orig, r.via, r.claimed = natsOriginator{c: r.nats.client}, "NATS "+natsURL, cfg.controller != ""
	if cfg.via == "rest" {
		r.rest = newRESTOriginator(cfg.restURL, cfg.restToken)
		r.orig, r.via, r.claimed = r.rest, "REST "+cfg.restURL+" (POST /v1/calls)", true
	}
	r.metricsURL = "http://" + httpAddr + "/metrics"
	return r, nil
}

func (r *run) close() {
	if r.nats != nil {
		r.nats.close()
		r.nats = nil
	}
	for _, u := range []*loadkit.UA{r.a, r.b} {
		if u != nil {
			u.Close()
		}
	}
	for _, p := range r.sipps {
		p.kill()
	}
	if r.tandem != nil {
		r.tandem.Kill()
	}
	if r.natsDir != "" {
		_ = os.RemoveAll(r.natsDir)
	}
}

// probeResult is one baseline request.
type probeResult struct {
	start time.Time
	lat   time.Duration
	err   error
}

// loop runs the calls and the baseline, prints the summary and reports
// whether every check passed.
func (r *run) loop() bool {
	cfg := r.cfg
	total := int(int64(cfg.rate) * int64(cfg.duration) / int64(time.Second))
	if total < 1 {
		total = 1
	}
	before, err := loadkit.Metrics(context.Background(), r.metricsURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "originate: /metrics before the run:", err)
	}
	var cpu0 time.Duration
	if r.tandem != nil {
		cpu0, _ = r.tandem.CPU()
	}
	self0, _ := loadkit.ProcCPU(os.Getpid())
	steal0, _ := loadkit.StealTime()
	load0 := loadavg()
	fmt.Fprintf(os.Stderr, "originate: %d calls at %d/s via %s (A 127.0.0.1:%d, B 127.0.0.1:%d), flow %d, hold %v, answer delay %v, controller %q\n",
		total, cfg.rate, r.via, r.aPort, r.bPort, cfg.flow, cfg.hold, cfg.answerDelay, cfg.controller)
	var sippErrs []error
	if cfg.phones == "sipp" && cfg.calls {
		b, bHold := sippB, time.Duration(0)
		if r.claimed {
			// the call stays up for its controller: B hangs up by itself
			b, bHold = sippBBye, cfg.hold+500*time.Millisecond
		}
		for _, s := range []struct {
			name     string
			scenario []byte
			port     int
			hold     time.Duration
		}{{"a", sippA, r.aPort, cfg.hold}, {"b", b, r.bPort, bHold}} {
			p, err := startSIPp(s.name, s.scenario, s.port, total, s.hold, r.dir)
			if err != nil {
				fmt.Fprintln(os.Stderr, "originate:", err)
				return false
			}
			r.sipps = append(r.sipps, p)
		}
	}

	// Open loop: the i-th call starts at i/rate s; a late one starts at
	// once, so a slow Tandem does not lower the offered rate. Baseline
	// request k of the i-th period goes (k+1)/(nProbes+1) of a period
	// later, on its own schedule.
	ncalls := total
	if !cfg.calls {
		ncalls = 0
	}
	xs := make([]*ocall, ncalls)
	var probes [nProbes][]probeResult
	period := time.Second / time.Duration(cfg.rate)
	start := time.Now().Add(50 * time.Millisecond)
	deadline := start.Add(cfg.duration + cfg.stuckAfter)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var wg, pwg sync.WaitGroup
	wake := newWakeProbe()
	wakeDone := make(chan struct{})
	go wake.run(start, wakeDone)
	lates := make([]int, 1+nProbes)
	at := func(i int, frac float64) time.Time {
		return start.Add(time.Duration(int64(i)*int64(time.Second)/int64(cfg.rate)) + time.Duration(frac*float64(period)))
	}
	wait := func(t time.Time, late *int) {
		if d := time.Until(t); d > 0 {
			time.Sleep(d)
		} else if d < -10*time.Millisecond {
			*late++
		}
	}
	if cfg.baseline {
		payload := []byte(fmt.Sprintf(`{"request_id":"0123456789abcdefghijkl","a":"sip:a-1234@127.0.0.1:%d","b":"sip:b-1234@127.0.0.1:%d","flow":%d}`,
			r.aPort, r.bPort, cfg.flow))
		for k := range nProbes {
			if k == probeRESTGet && r.rest == nil {
				continue
			}
			probes[k] = make([]probeResult, total)
			pwg.Add(1)
			go func() {
				defer pwg.Done()
				for i := range total {
					wait(at(i, float64(k+1)/float64(nProbes+1)), &lates[1+k])
					pwg.Add(1)
					go func() {
						defer pwg.Done()
						pctx, pcancel := context.WithTimeout(ctx, cfg.cmdTimeout)
						t0 := time.Now()
						var err error
						if k == probeRESTGet {
							err = r.rest.get(pctx)
						} else {
							err = r.nats.probe(pctx, k, payload)
						}
						probes[k][i] = probeResult{start: t0, lat: time.Since(t0), err: err}
						pcancel()
					}()
				}
			}()
		}
	}
	if !cfg.calls {
		wait(at(total, 0), &lates[0])
	}
	for i := range xs {
		wait(at(i, 0), &lates[0])
		x := newCall(i)
		xs[i] = x
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.call(ctx, x)
		}()
	}
	offered := time.Since(start)
	wg.Wait()
	pwg.Wait()
	var sippCPU time.Duration
	for _, p := range r.sipps {
		// B keeps each call 4 s after its BYE to absorb a retransmission
		if err := p.wait(time.Now().Add(15 * time.Second)); err != nil {
			sippErrs = append(sippErrs, err)
		}
		sippCPU += p.cpu
	}
	elapsed := time.Since(start)
	close(wakeDone)
	wake.wait()

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
		fmt.Fprintln(os.Stderr, "originate: /metrics after the run:", merr)
	}
	// and its last events a moment to arrive
	evWait := time.Now().Add(3 * time.Second)
	for time.Now().Before(evWait) && r.missingEnded(xs) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	var cpu time.Duration
	if r.tandem != nil {
		if c1, err := r.tandem.CPU(); err == nil {
			cpu = c1 - cpu0
		}
	}
	self1, _ := loadkit.ProcCPU(os.Getpid())
	steal1, _ := loadkit.StealTime()
	load1 := loadavg()
	// CPU and load were read above: the settling time is idle
	var settled map[string]float64
	if cfg.settle > 0 {
		time.Sleep(cfg.settle)
		// the heap profile with gc=1 collects first, so that the heap
		// read next is what is still referenced
		if path, err := r.heapProfile(); err != nil {
			fmt.Fprintln(os.Stderr, "originate: heap profile after -settle:", err)
		} else if path != "" {
			fmt.Fprintln(os.Stderr, "originate: tandem's heap profile after -settle:", path)
		}
		if settled, err = loadkit.Metrics(context.Background(), r.metricsURL); err != nil {
			fmt.Fprintln(os.Stderr, "originate: /metrics after -settle:", err)
		}
	}
	exit, exitTook, dir := 0, time.Duration(0), ""
	if r.tandem != nil {
		dir = r.tandem.LogDir
		exit, exitTook = r.tandem.Stop()
		r.tandem = nil
	}
	if cfg.csv != "" {
		if err := writeCSV(cfg.csv, start, xs, &probes, r.nats, wake); err != nil {
			fmt.Fprintln(os.Stderr, "originate: -csv:", err)
		}
	}
	dropped, derr := r.nats.dropped()
	if derr != nil {
		dropped = -1
	}
	return report(os.Stdout, reportIn{
		cfg: cfg, via: r.via, claimed: r.claimed, rest: r.rest != nil, xs: xs, probes: probes, nats: r.nats,
		offered: offered, elapsed: elapsed, lates: lates,
		before: before, after: after, active: active, cpu: cpu, selfCPU: self1 - self0,
		settled: settled,
		steal:   steal1 - steal0, wake: wake,
		started: cfg.tandem != "", exit: exit, exitTook: exitTook, dir: dir,
		load0: load0, load1: load1, start: start, evDropped: dropped,
		sipp: cfg.phones == "sipp", sippErrs: sippErrs, sippCPU: sippCPU,
	})
}

// heapProfile gets tandem's heap profile after a garbage collection
// (/debug/pprof/heap?gc=1) and keeps it in -out as heap-settled.pprof
// (returned), or discards it without -out.
func (r *run) heapProfile() (string, error) {
	res, err := http.Get(strings.TrimSuffix(r.metricsURL, "/metrics") + "/debug/pprof/heap?gc=1")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /debug/pprof/heap: %s", res.Status)
	}
	var w io.Writer = io.Discard
	path := ""
	if r.cfg.out != "" {
		path = filepath.Join(r.cfg.out, "heap-settled.pprof")
		f, err := os.Create(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		w = f
	}
	if _, err := io.Copy(w, res.Body); err != nil {
		return "", err
	}
	return path, nil
}

// missingEnded counts the answered calls whose ended event has not
// arrived.
func (r *run) missingEnded(xs []*ocall) int {
	n := 0
	for _, x := range xs {
		if x.replied && x.callID != "" {
			if _, e := r.nats.eventTimes(x.callID); e.IsZero() {
				n++
			}
		}
	}
	return n
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
