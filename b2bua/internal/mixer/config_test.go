package mixer

import (
	"errors"
	"testing"
	"time"
)

func TestConfigDefaultsValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero Config: %v", err)
	}
	if got, want := (Config{}).withDefaults(), Defaults(); got != want {
		t.Fatalf("zero Config defaults to %+v, want %+v", got, want)
	}
}

func TestConfigProblems(t *testing.T) {
	tests := []struct {
		key    string
		modify func(*Config)
	}{
		{"workers", func(c *Config) { c.Workers = -1 }},
		{"phases", func(c *Config) { c.Phases = MaxPhases + 1 }},
		{"late_after", func(c *Config) { c.LateAfter = 30 * time.Millisecond }},
		{"max_participants", func(c *Config) { c.MaxParticipants = MaxRoomParticipants + 1 }},
		{"input_queue", func(c *Config) { c.InputQueue = -5 }},
		{"jitter_max", func(c *Config) { c.JitterMax = MaxJitterFrames + 1 }},
		{"jitter_delay", func(c *Config) { c.JitterDelay = 9 }},
		{"conceal_frames", func(c *Config) { c.ConcealFrames = 51 }},
		{"conceal_step_db", func(c *Config) { c.ConcealStepDB = -1 }},
		{"ssrc_switch_after", func(c *Config) { c.SSRCSwitchAfter = -1 }},
		{"talk.start_dbov", func(c *Config) { c.Talk.StartDBov = 3 }},
		{"talk.stop_dbov", func(c *Config) { c.Talk.StopDBov = -30 }},
		{"talk.attack", func(c *Config) { c.Talk.Attack = -time.Second }},
		{"talk.hold", func(c *Config) { c.Talk.Hold = time.Hour }},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			c := Defaults()
			tt.modify(&c)
			ps := c.Problems()
			if len(ps) != 1 || ps[0].Key != tt.key {
				t.Fatalf("problems %v, want one for %q", ps, tt.key)
			}
			var ce *ConfigError
			if err := c.Validate(); !errors.As(err, &ce) || ce.Key != tt.key {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}
