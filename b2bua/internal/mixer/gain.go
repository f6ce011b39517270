package mixer

import "math"

// Gain scales audio by a factor given in decibels (GainDB) or linearly
// (GainLinear): factor = 10^(dB/20), so +6 dB ≈ ×2 and -6 dB ≈ ×0.5. The
// zero Gain is 0 dB (×1, unchanged). Factors range from 0 (silence) to
// MaxGainDB (about ×15.85); the factor is kept in 1/65536 steps.
type Gain struct {
	// d is the factor in Q16 minus 1.0, so that the zero Gain is unity.
	d int32
}

// Gain limits: above MaxGainDB is clamped; at or below MinGainDB is silence.
const (
	MaxGainDB = 24.0
	MinGainDB = -96.0
)

const gainOne = 1 << 16

// GainDB is a gain of db decibels. NaN is 0 dB.
func GainDB(db float64) Gain {
	switch {
	case math.IsNaN(db):
		return Gain{}
	case db <= MinGainDB:
		return Gain{d: -gainOne}
	}
	return GainLinear(math.Pow(10, min(db, MaxGainDB)/20))
}

// GainLinear is a gain of factor f, clamped to [0, 10^(MaxGainDB/20)]. NaN
// is ×1.
func GainLinear(f float64) Gain {
	if math.IsNaN(f) {
		return Gain{}
	}
	f = max(0, min(f, math.Pow(10, MaxGainDB/20)))
	return Gain{d: int32(math.Round(f*gainOne)) - gainOne}
}

// Linear is the factor.
func (g Gain) Linear() float64 { return float64(g.q16()) / gainOne }

// DB is the factor in decibels, -Inf for silence.
func (g Gain) DB() float64 { return 20 * math.Log10(g.Linear()) }

// IsUnity reports whether g leaves audio unchanged.
func (g Gain) IsUnity() bool { return g.d == 0 }

// IsSilence reports whether g turns audio into silence.
func (g Gain) IsSilence() bool { return g.q16() == 0 }

func (g Gain) q16() int32 { return g.d + gainOne }
