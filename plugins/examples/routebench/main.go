package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/examples/prefixrouter/prefix"
	"github.com/tandem-sip/tandem/plugins/host"
)

func main() {
	rate := flag.Int("rate", 500, "decisions per second")
	duration := flag.Duration("duration", 10*time.Second, "measured time")
	warmup := flag.Duration("warmup", time.Second, "time at the rate before measuring")
	deadline := flag.Duration("deadline", 100*time.Millisecond, "the core's decision deadline (route_deadline)")
	modes := flag.String("modes", "in-process,process", "modes to measure, comma-separated")
	bin := flag.String("plugin", "", "a built prefixrouter (default: go build it)")
	flag.Parse()
	if err := run(*rate, *duration, *warmup, *deadline, strings.Split(*modes, ","), *bin); err != nil {
		fmt.Fprintln(os.Stderr, "routebench:", err)
		os.Exit(1)
	}
}

func run(rate int, duration, warmup, deadline time.Duration, modes []string, bin string) error {
	fmt.Printf("routebench: %d decisions/s for %s after %s warm-up, deadline %s; %s, GOMAXPROCS %d, %s\n",
		rate, duration, warmup, deadline, runtime.Version(), runtime.GOMAXPROCS(0), cpuModel())
	fmt.Printf("%-11s %7s %8s %6s %9s %9s %9s %9s %9s\n", "mode", "sent", "answered", "errors", "p50", "p90", "p99", "p99.9", "max")
	for _, mode := range modes {
		pc := host.PluginConfig{
			Name: "prefixrouter", Decisions: []string{"route"},
			Config: map[string]any{"prefixes": map[string]any{"9": "sip:$rest@127.0.0.1:5090"}},
		}
		switch mode {
		case "in-process":
			pc.Kind = host.KindBuiltin
		case "process":
			pc.Kind = host.KindProcess
			if bin == "" {
				dir, err := os.MkdirTemp("", "routebench-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				bin = filepath.Join(dir, "prefixrouter")
				if out, err := exec.Command("go", "build", "-o", bin, "github.com/tandem-sip/tandem/plugins/examples/prefixrouter").CombinedOutput(); err != nil {
					return fmt.Errorf("go build: %w\n%s", err, out)
				}
			}
			pc.Path = bin
		default:
			return fmt.Errorf("unknown mode %q", mode)
		}
		r, err := measure(pc, rate, duration, warmup, deadline)
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		r.print(mode)
	}
	return nil
}

// result is one mode's measurement.
type result struct {
	sent   int
	lat    []time.Duration // answered requests
	errors map[string]int
}

func (r result) print(mode string) {
	slices.Sort(r.lat)
	p := func(q float64) string {
		if len(r.lat) == 0 {
			return "-"
		}
		return r.lat[int(q*float64(len(r.lat)-1))].Round(time.Microsecond).String()
	}
	nerr := 0
	for _, n := range r.errors {
		nerr += n
	}
	fmt.Printf("%-11s %7d %8d %6d %9s %9s %9s %9s %9s\n", mode, r.sent, len(r.lat), nerr, p(0.5), p(0.9), p(0.99), p(0.999), p(1))
	for e, n := range r.errors {
		fmt.Printf("  %d × %s\n", n, e)
	}
}

// measure runs a node's NATS side and a host with one plugin, then drives
// decisions at rate.
func measure(pc host.PluginConfig, rate int, duration, warmup, deadline time.Duration) (result, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := host.Defaults()
	cfg.List = []host.PluginConfig{pc}
	h, err := host.New(cfg, "bench", host.WithLogger(log), host.WithBuiltins(host.Registry{"prefixrouter": prefix.Plugin}))
	if err != nil {
		return result{}, err
	}
	dir, err := os.MkdirTemp("", "routebench-nats-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	ncfg := natsapi.Defaults()
	ncfg.Embedded.DataDir = dir
	for _, g := range h.Users() {
		ncfg.Embedded.Users = append(ncfg.Embedded.Users, natsapi.User{
			User: g.User, Password: natsapi.Secret(g.PasswordHash), Publish: g.Publish, Subscribe: g.Subscribe,
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api, err := natsapi.Start(ctx, ncfg, "bench", log, nil)
	if err != nil {
		return result{}, err
	}
	defer api.Close()
	if err := h.Start(ctx, host.NATS{URL: api.ClientURL(), Connect: api.Connect, Conn: api.Conn()}); err != nil {
		return result{}, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(sctx)
	}()
	if st := h.Status(); len(st) != 1 || !st[0].Up {
		return result{}, fmt.Errorf("plugin not up: %+v", st)
	}

	drive(api, rate, warmup, deadline) // warm-up, discarded
	return drive(api, rate, duration, deadline), nil
}

// drive sends rate·d routing decisions, the i-th at i/rate after the
// start (at once when late, so a stall does not lower the rate), each on
// its own goroutine, and collects the latencies of the answers.
func drive(api *natsapi.API, rate int, d, deadline time.Duration) result {
	var (
		mu  sync.Mutex
		res = result{errors: map[string]int{}, lat: make([]time.Duration, 0, int(float64(rate)*d.Seconds()))}
		wg  sync.WaitGroup
	)
	req := events.RouteRequestV1{User: "9123456", Host: "127.0.0.1", RequestURI: "sip:9123456@127.0.0.1", From: "sip:alice@127.0.0.1"}
	req.Type = events.TypeRouteRequestV1
	n := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	begin := time.Now()
	for i := range n {
		time.Sleep(time.Until(begin.Add(time.Duration(i) * interval)))
		res.sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			dec, err := api.Route(ctx, req)
			took := time.Since(start)
			if err == nil && dec.Action != events.RouteForward {
				err = fmt.Errorf("unexpected answer %+v", dec)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors[errorKind(err)]++
				return
			}
			res.lat = append(res.lat, took)
		}()
	}
	wg.Wait()
	return res
}

func errorKind(err error) string {
	switch {
	case errors.Is(err, natsapi.ErrNoDecision):
		return "no decision within the deadline"
	case errors.Is(err, natsapi.ErrInvalidDecision):
		return "invalid decision"
	}
	return err.Error()
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return runtime.GOARCH
}
