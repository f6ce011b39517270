package mixer

import (
	"math"
	"time"
)

// talkParams are TalkConfig in the units of talkStep: frame energies (sum
// of squared samples over a frame) and counts of frames.
type talkParams struct {
	startEnergy int64 // a frame with at least this energy counts towards talking
	stopEnergy  int64 // a frame with less than this energy counts towards silence
	attack      int   // frames in a row at or above start to start talking, >= 1
	hold        int   // frames in a row below stop to stop talking, >= 1
}

func newTalkParams(c TalkConfig) talkParams {
	frames := func(d time.Duration) int { return max(1, int((d+Period-1)/Period)) }
	return talkParams{
		startEnergy: frameEnergy(c.StartDBov),
		stopEnergy:  frameEnergy(c.StopDBov),
		attack:      frames(c.Attack),
		hold:        frames(c.Hold),
	}
}

// frameEnergy is the energy of a frame whose RMS is dbov below full scale.
func frameEnergy(dbov float64) int64 {
	rms := 32768 * math.Pow(10, dbov/20)
	return int64(math.Ceil(rms * rms * FrameSamples))
}

// talkState is one participant's talk detector state.
type talkState struct {
	talking bool
	run     int // frames in a row counting towards the other state
}

// talkChange is what a frame did to the talk state.
type talkChange int8

const (
	talkNoChange talkChange = iota
	talkStarted
	talkStopped
)

// talkStep is the talk detector: it feeds one frame's energy to state s.
// Not talking, attack frames in a row at or above the start level start
// talking; talking, hold frames in a row below the stop level stop it.
// Energies between the two levels reset the run without changing state
// (hysteresis), as does a frame on the side of the current state.
func talkStep(s talkState, energy int64, p talkParams) (talkState, talkChange) {
	if !s.talking {
		if energy < p.startEnergy {
			return talkState{}, talkNoChange
		}
		s.run++
		if s.run >= p.attack {
			return talkState{talking: true}, talkStarted
		}
		return s, talkNoChange
	}
	if energy >= p.stopEnergy {
		return talkState{talking: true}, talkNoChange
	}
	s.run++
	if s.run >= p.hold {
		return talkState{}, talkStopped
	}
	return s, talkNoChange
}
