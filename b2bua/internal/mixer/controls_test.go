package mixer_test

import (
	"math"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// TestControls: mute, deaf and gains change exactly who hears what. The
// matrix gives the amplitude each listener hears of each speaker.
func TestControls(t *testing.T) {
	half, double := 20*math.Log10(0.5), 20*math.Log10(2)
	type hears map[string]map[string]float64 // listener → speaker → amplitude
	all := func(m hears) hears {             // fill in the default: amp from every other
		for _, l := range []string{"a", "b", "c"} {
			if m[l] == nil {
				m[l] = map[string]float64{}
			}
			for _, s := range []string{"a", "b", "c"} {
				if _, ok := m[l][s]; !ok {
					if s == l {
						m[l][s] = 0
					} else {
						m[l][s] = amp
					}
				}
			}
		}
		return m
	}
	tests := []struct {
		name string
		set  func(a, b, c *mixer.Participant)
		want hears
	}{
		{"nothing set", func(a, b, c *mixer.Participant) {}, all(hears{})},
		{"a muted: nobody hears a, a hears all", func(a, b, c *mixer.Participant) { a.SetMuted(true) },
			all(hears{"b": {"a": 0}, "c": {"a": 0}})},
		{"a deaf: a hears nothing, all hear a", func(a, b, c *mixer.Participant) { a.SetDeaf(true) },
			all(hears{"a": {"b": 0, "c": 0}})},
		{"a muted and deaf", func(a, b, c *mixer.Participant) { a.SetMuted(true); a.SetDeaf(true) },
			all(hears{"a": {"b": 0, "c": 0}, "b": {"a": 0}, "c": {"a": 0}})},
		{"a input -6 dB: the others hear a at half", func(a, b, c *mixer.Participant) { a.SetInputGain(mixer.GainDB(half)) },
			all(hears{"b": {"a": amp / 2}, "c": {"a": amp / 2}})},
		{"a input linear 0: as if muted", func(a, b, c *mixer.Participant) { a.SetInputGain(mixer.GainLinear(0)) },
			all(hears{"b": {"a": 0}, "c": {"a": 0}})},
		{"b output +6 dB: b hears all at double", func(a, b, c *mixer.Participant) { b.SetOutputGain(mixer.GainDB(double)) },
			all(hears{"b": {"a": 2 * amp, "c": 2 * amp}})},
		{"b output linear 0.5", func(a, b, c *mixer.Participant) { b.SetOutputGain(mixer.GainLinear(0.5)) },
			all(hears{"b": {"a": amp / 2, "c": amp / 2}})},
		{"a input ×2 and c output ×0.5", func(a, b, c *mixer.Participant) {
			a.SetInputGain(mixer.GainLinear(2))
			c.SetOutputGain(mixer.GainLinear(0.5))
		}, all(hears{"b": {"a": 2 * amp}, "c": {"a": amp, "b": amp / 2}})},
		{"c muted, b output ×2 (b adds nothing else)", func(a, b, c *mixer.Participant) {
			c.SetMuted(true)
			b.SetOutputGain(mixer.GainLinear(2))
		}, all(hears{"a": {"c": 0}, "b": {"a": 2 * amp, "c": 0}})},
	}
	freqs := map[string]float64{"a": freqA, "b": freqB, "c": freqC}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTestRoom(t, mixer.Config{})
			ph := map[string]*phone{"a": tr.join("a", g711.Ulaw), "b": tr.join("b", g711.Alaw), "c": tr.join("c", g711.Ulaw)}
			tt.set(ph["a"].p, ph["b"].p, ph["c"].p)
			for n := range 4 {
				for name, p := range ph {
					p.send(tone(freqs[name], amp, n))
				}
				tr.tick()
			}
			for l, row := range tt.want {
				heard := ph[l].last()
				for s, want := range row {
					if got := level(heard, freqs[s]); !near(got, want) {
						t.Errorf("%s hears %s at %.0f, want %.0f", l, s, got, want)
					}
				}
			}
		})
	}
}

func TestControlAccessors(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw, func(c *mixer.ParticipantConfig) {
		c.Muted, c.Deaf, c.InputGain, c.OutputGain = true, true, mixer.GainLinear(2), mixer.GainLinear(0.5)
	})
	p := a.p
	if !p.Muted() || !p.Deaf() || p.InputGain() != mixer.GainLinear(2) || p.OutputGain() != mixer.GainLinear(0.5) || p.PayloadType() != 0 || p.ID() != "a" {
		t.Fatal("initial settings not applied")
	}
	p.SetMuted(false)
	p.SetDeaf(false)
	if p.Muted() || p.Deaf() {
		t.Fatal("setters")
	}
	if s := p.Stats(); s.Muted || s.Deaf || s.Talking {
		t.Fatalf("stats %+v", s)
	}
}
