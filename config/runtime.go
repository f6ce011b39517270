package config

// RuntimeConfig tunes the Go runtime of the tandem process (not of the
// packages when embedded in another program: cmd/tandem applies it).
//
// A call leaves garbage behind at a steady rate; with Go's default GOGC of
// 100 the collector runs whenever the heap has doubled, and each cycle
// takes CPU from SIP and NATS work on the same cores, which is what sets
// the tail of command and setup latencies under load (BENCHMARKS.md,
// originate-and-bridge load). Tandem's live heap is small, so it trades
// memory for fewer cycles: gc_percent 400 by default. A memory limit caps
// what that trade may cost: near it the collector runs as often as it must.
type RuntimeConfig struct {
	// GCPercent is GOGC: how many percent the heap may grow over the live
	// heap before the next collection (10-10000). The GOGC environment
	// variable, when set, wins.
	GCPercent int `yaml:"gc_percent"`
	// MemoryLimitMiB is GOMEMLIMIT in MiB, a soft limit on the memory the
	// Go runtime uses; 0: none. The GOMEMLIMIT environment variable, when
	// set, wins.
	MemoryLimitMiB int `yaml:"memory_limit_mib"`
}

// DefaultGCPercent is runtime.gc_percent's default.
const DefaultGCPercent = 400
