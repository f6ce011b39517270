package loadkit

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"time"
)

// Pct is the p-th percentile of v, nearest rank (p 100: the max); -1 when
// v is empty.
func Pct(v []time.Duration, p float64) time.Duration {
	if len(v) == 0 {
		return -1
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Ms is d in milliseconds, 8 wide with 3 decimals; "-" for a negative d
// (no value).
func Ms(d time.Duration) string {
	if d < 0 {
		return fmt.Sprintf("%8s", "-")
	}
	return fmt.Sprintf("%8.3f", float64(d)/float64(time.Millisecond))
}

// WriteFailures writes the failure reasons with their counts, the most
// frequent first, at most ten kinds; nothing when there are none.
func WriteFailures(w io.Writer, reasons map[string]int) {
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintln(w, "failures:")
	keys := slices.SortedFunc(maps.Keys(reasons), func(a, b string) int { return reasons[b] - reasons[a] })
	for i, k := range keys {
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more kinds\n", len(keys)-10)
			break
		}
		fmt.Fprintf(w, "  %6d  %s\n", reasons[k], k)
	}
}

// StartCPUProfile starts profiling this process's CPU into file path; the
// returned func stops it.
func StartCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		return nil, err
	}
	return pprof.StopCPUProfile, nil
}
