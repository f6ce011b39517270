package mixer

import (
	"math"
	"testing"
)

func TestGain(t *testing.T) {
	tests := []struct {
		name    string
		g       Gain
		linear  float64
		unity   bool
		silence bool
	}{
		{"zero Gain is unity", Gain{}, 1, true, false},
		{"0 dB", GainDB(0), 1, true, false},
		{"+6.02 dB doubles", GainDB(20 * math.Log10(2)), 2, false, false},
		{"-6.02 dB halves", GainDB(-20 * math.Log10(2)), 0.5, false, false},
		{"-20 dB", GainDB(-20), 0.1, false, false},
		{"above the maximum is clamped", GainDB(100), math.Pow(10, MaxGainDB/20), false, false},
		{"minimum is silence", GainDB(MinGainDB), 0, false, true},
		{"-Inf is silence", GainDB(math.Inf(-1)), 0, false, true},
		{"NaN dB is unity", GainDB(math.NaN()), 1, true, false},
		{"linear 2", GainLinear(2), 2, false, false},
		{"linear 0 is silence", GainLinear(0), 0, false, true},
		{"negative linear is silence", GainLinear(-3), 0, false, true},
		{"linear NaN is unity", GainLinear(math.NaN()), 1, true, false},
		{"linear above the maximum is clamped", GainLinear(1000), math.Pow(10, MaxGainDB/20), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.g.Linear(); math.Abs(got-tt.linear) > 1.0/gainOne {
				t.Errorf("Linear() = %v, want %v", got, tt.linear)
			}
			if tt.g.IsUnity() != tt.unity || tt.g.IsSilence() != tt.silence {
				t.Errorf("IsUnity %v IsSilence %v", tt.g.IsUnity(), tt.g.IsSilence())
			}
		})
	}
	if db := GainLinear(2).DB(); math.Abs(db-6.0206) > 0.001 {
		t.Errorf("GainLinear(2).DB() = %v", db)
	}
	if db := GainLinear(0).DB(); !math.IsInf(db, -1) {
		t.Errorf("silence DB() = %v", db)
	}
}
