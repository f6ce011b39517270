package b2bua

import (
	"testing"
	"time"
)

func TestGlareBackoff(t *testing.T) {
	tests := []struct {
		owner    bool
		r        float64
		min, max time.Duration
	}{
		{true, 0, 2100 * time.Millisecond, 2100 * time.Millisecond},
		{true, 0.999999, 3990 * time.Millisecond, 4000 * time.Millisecond},
		{true, 0.5, 2100 * time.Millisecond, 4000 * time.Millisecond},
		{false, 0, 0, 0},
		{false, 0.999999, 1990 * time.Millisecond, 2000 * time.Millisecond},
		{false, 0.5, 0, 2000 * time.Millisecond},
	}
	for _, tt := range tests {
		got := glareBackoff(tt.owner, tt.r)
		if got < tt.min || got > tt.max || got%(10*time.Millisecond) != 0 {
			t.Errorf("glareBackoff(%v, %v) = %v, want in [%v, %v] in 10 ms units", tt.owner, tt.r, got, tt.min, tt.max)
		}
	}
}
