package mixer

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// The audio format every participant uses: G.711 at 8 kHz in 20 ms frames.
const (
	SampleRate   = 8000                  // samples per second
	FrameSamples = 160                   // samples (and G.711 bytes) per frame
	Period       = 20 * time.Millisecond // one frame, one tick
)

// Limits a Config must stay within.
const (
	MaxJitterFrames     = 32   // largest JitterMax
	MaxRoomParticipants = 2000 // largest MaxParticipants: keeps the int32 mix from overflowing at full gain
	MaxPhases           = 40   // largest Phases (slots of 500 µs)
)

// Config tunes the mixer, proposed for b2bua.Config under the key "mixer".
// A zero field takes its value from Defaults.
type Config struct {
	// Workers is the number of tick goroutines of an Engine; rooms are
	// spread over them. 0: GOMAXPROCS.
	Workers int `yaml:"workers"`
	// Phases splits each worker's period into this many slots (default 10:
	// 2 ms each); each room is ticked in one slot, so a worker's rooms are
	// spread over the period instead of all ticked at its start, which
	// keeps each room's lateness to about the work of one slot.
	Phases int `yaml:"phases"`
	// LateAfter: a room whose tick finishes more than this after its
	// scheduled time counts a late tick. Default 5ms.
	LateAfter time.Duration `yaml:"late_after"`
	// MaxParticipants per room, which bounds a room's work per tick.
	// Default 200.
	MaxParticipants int `yaml:"max_participants"`
	// InputQueue is the number of packets a participant may have waiting
	// between two ticks; more are dropped (a flood hurts only its sender).
	// Default 16.
	InputQueue int `yaml:"input_queue"`
	// JitterDelay is the number of frames buffered before playout starts
	// (the playout delay is about JitterDelay-1 periods). Default 2.
	JitterDelay int `yaml:"jitter_delay"`
	// JitterMax is the number of frames the jitter buffer holds at most
	// (the window of sequence numbers it keeps). Default 8.
	JitterMax int `yaml:"jitter_max"`
	// ConcealFrames is how many missing frames in a row are concealed by
	// repeating the last one before the participant falls silent.
	// Default 3; a negative value turns concealment off.
	ConcealFrames int `yaml:"conceal_frames"`
	// ConcealStepDB attenuates each repetition this much more than the
	// previous one. Default 6.
	ConcealStepDB float64 `yaml:"conceal_step_db"`
	// SSRCSwitchAfter is the number of consecutive packets of a new SSRC
	// (none of the locked one in between) after which the participant's
	// stream is taken to be that SSRC. Default 4.
	SSRCSwitchAfter int `yaml:"ssrc_switch_after"`
	// Talk tunes talk detection.
	Talk TalkConfig `yaml:"talk"`
}

// TalkConfig tunes talk detection: levels are the RMS of a 20 ms frame in
// dB relative to full scale (32768), taken before the participant's gain.
type TalkConfig struct {
	// StartDBov: a frame at or above this level counts towards talking.
	// Default -40.
	StartDBov float64 `yaml:"start_dbov"`
	// StopDBov: a frame below this level counts towards silence; between
	// StopDBov and StartDBov nothing changes (hysteresis). Must not be
	// above StartDBov. Default -46.
	StopDBov float64 `yaml:"stop_dbov"`
	// Attack: the level must stay at or above StartDBov this long before
	// talking starts (rounded up to whole frames, at least one). Default 40ms.
	Attack time.Duration `yaml:"attack"`
	// Hold: the level must stay below StopDBov this long before talking
	// stops. Default 600ms.
	Hold time.Duration `yaml:"hold"`
}

// Defaults returns the embedded configuration.
func Defaults() Config {
	return Config{
		Phases:          10,
		LateAfter:       5 * time.Millisecond,
		MaxParticipants: 200,
		InputQueue:      16,
		JitterDelay:     2,
		JitterMax:       8,
		ConcealFrames:   3,
		ConcealStepDB:   6,
		SSRCSwitchAfter: 4,
		Talk: TalkConfig{
			StartDBov: -40,
			StopDBov:  -46,
			Attack:    40 * time.Millisecond,
			Hold:      600 * time.Millisecond,
		},
	}
}

// withDefaults fills the zero fields of c from Defaults.
func (c Config) withDefaults() Config {
	d := Defaults()
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.Phases, d.Phases)
	set(&c.MaxParticipants, d.MaxParticipants)
	set(&c.InputQueue, d.InputQueue)
	set(&c.JitterDelay, d.JitterDelay)
	set(&c.JitterMax, d.JitterMax)
	set(&c.ConcealFrames, d.ConcealFrames)
	set(&c.SSRCSwitchAfter, d.SSRCSwitchAfter)
	if c.LateAfter == 0 {
		c.LateAfter = d.LateAfter
	}
	if c.ConcealStepDB == 0 {
		c.ConcealStepDB = d.ConcealStepDB
	}
	if c.Talk.StartDBov == 0 {
		c.Talk.StartDBov = d.Talk.StartDBov
	}
	if c.Talk.StopDBov == 0 {
		c.Talk.StopDBov = min(d.Talk.StopDBov, c.Talk.StartDBov)
	}
	if c.Talk.Attack == 0 {
		c.Talk.Attack = d.Talk.Attack
	}
	if c.Talk.Hold == 0 {
		c.Talk.Hold = d.Talk.Hold
	}
	return c
}

// LogValue logs the tunables as a group.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("workers", c.Workers), slog.Int("phases", c.Phases), slog.Duration("late_after", c.LateAfter),
		slog.Int("max_participants", c.MaxParticipants), slog.Int("input_queue", c.InputQueue),
		slog.Int("jitter_delay", c.JitterDelay), slog.Int("jitter_max", c.JitterMax),
		slog.Int("conceal_frames", c.ConcealFrames), slog.Int("ssrc_switch_after", c.SSRCSwitchAfter),
	)
}

// ConfigError is one problem of a Config; Key is relative to the section
// ("jitter_max", "talk.stop_dbov").
type ConfigError struct {
	Key string
	Err error
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Problems lists what is wrong with c once its zero fields are defaulted.
func (c Config) Problems() []*ConfigError {
	c = c.withDefaults()
	var ps []*ConfigError
	bad := func(key, format string, args ...any) {
		ps = append(ps, &ConfigError{Key: key, Err: fmt.Errorf(format, args...)})
	}
	if c.Workers < 0 || c.Workers > 1024 {
		bad("workers", "must be 0 (one per CPU) to 1024")
	}
	if c.Phases < 1 || c.Phases > MaxPhases {
		bad("phases", "must be 1 to %d", MaxPhases)
	}
	if c.LateAfter < 0 || c.LateAfter > Period {
		bad("late_after", "must be between 0 and %v", Period)
	}
	if c.MaxParticipants < 1 || c.MaxParticipants > MaxRoomParticipants {
		bad("max_participants", "must be 1 to %d", MaxRoomParticipants)
	}
	if c.InputQueue < 1 || c.InputQueue > 1024 {
		bad("input_queue", "must be 1 to 1024")
	}
	if c.JitterMax < 1 || c.JitterMax > MaxJitterFrames {
		bad("jitter_max", "must be 1 to %d", MaxJitterFrames)
	}
	if c.JitterDelay < 1 || c.JitterDelay > c.JitterMax {
		bad("jitter_delay", "must be 1 to jitter_max (%d)", c.JitterMax)
	}
	if c.ConcealFrames > 50 {
		bad("conceal_frames", "must be at most 50")
	}
	if math.IsNaN(c.ConcealStepDB) || c.ConcealStepDB < 0 || c.ConcealStepDB > 60 {
		bad("conceal_step_db", "must be 0 to 60")
	}
	if c.SSRCSwitchAfter < 1 || c.SSRCSwitchAfter > 1000 {
		bad("ssrc_switch_after", "must be 1 to 1000")
	}
	t := c.Talk
	if math.IsNaN(t.StartDBov) || t.StartDBov < -96 || t.StartDBov > 0 {
		bad("talk.start_dbov", "must be -96 to 0")
	}
	if math.IsNaN(t.StopDBov) || t.StopDBov < -96 || t.StopDBov > t.StartDBov {
		bad("talk.stop_dbov", "must be -96 to talk.start_dbov (%g)", t.StartDBov)
	}
	if t.Attack < 0 || t.Attack > 10*time.Second {
		bad("talk.attack", "must be 0 to 10s")
	}
	if t.Hold < 0 || t.Hold > time.Minute {
		bad("talk.hold", "must be 0 to 1m")
	}
	return ps
}

// Validate is Problems joined with errors.Join, or nil.
func (c Config) Validate() error {
	var errs []error
	for _, p := range c.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}
