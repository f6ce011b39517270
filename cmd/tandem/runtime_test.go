package main

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"

	"github.com/tandem-sip/tandem/config"
)

func TestApplyRuntime(t *testing.T) {
	pct := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(pct); debug.SetMemoryLimit(limit) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	for _, tc := range []struct {
		name      string
		cfg       config.RuntimeConfig
		env       map[string]string
		wantPct   int
		wantLimit int64
	}{
		{"config", config.RuntimeConfig{GCPercent: 400, MemoryLimitMiB: 512}, nil, 400, 512 << 20},
		{"no limit", config.RuntimeConfig{GCPercent: 250}, nil, 250, math.MaxInt64},
		// what the runtime took from the environment at start stays
		{"env wins", config.RuntimeConfig{GCPercent: 400, MemoryLimitMiB: 512}, map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}, 100, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			applyRuntime(tc.cfg, func(k string) string { return tc.env[k] }, log)
			if got := debug.SetGCPercent(100); got != tc.wantPct {
				t.Errorf("GOGC = %d, want %d", got, tc.wantPct)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit = %d, want %d", got, tc.wantLimit)
			}
		})
	}
}
