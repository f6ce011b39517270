package main

import (
	"log/slog"
	"runtime/debug"
	"strconv"

	"github.com/tandem-sip/tandem/config"
)

// applyRuntime sets the garbage collector from cfg, except where the
// GOGC or GOMEMLIMIT environment variable (getenv) already did: the Go
// runtime read those at start, and an operator who set them meant them.
// It logs what is in force and where it came from.
func applyRuntime(cfg config.RuntimeConfig, getenv func(string) string, log *slog.Logger) {
	gogc, gogcFrom := getenv("GOGC"), "env GOGC"
	if gogc == "" {
		debug.SetGCPercent(cfg.GCPercent)
		gogc, gogcFrom = strconv.Itoa(cfg.GCPercent), "runtime.gc_percent"
	}
	limitFrom := "env GOMEMLIMIT"
	if getenv("GOMEMLIMIT") == "" {
		limitFrom = "none"
		if cfg.MemoryLimitMiB > 0 {
			debug.SetMemoryLimit(int64(cfg.MemoryLimitMiB) << 20)
			limitFrom = "runtime.memory_limit_mib"
		}
	}
	// a negative limit reads the current one without changing it
	log.Info("tandem: garbage collector", "gogc", gogc, "gogc_from", gogcFrom,
		"memory_limit_bytes", debug.SetMemoryLimit(-1), "memory_limit_from", limitFrom)
}
