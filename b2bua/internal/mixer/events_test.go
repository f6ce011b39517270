package mixer_test

import (
	"testing"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// TestTalkEvents: a participant who talks for 400 ms then falls silent is
// reported once as started (after the attack) and once as stopped (after
// the hold); a silent one never.
func TestTalkEvents(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{Talk: mixer.TalkConfig{StartDBov: -30, StopDBov: -40, Attack: 40e6, Hold: 200e6}})
	a := tr.join("a", g711.Ulaw)
	b := tr.join("b", g711.Alaw)
	type ev struct {
		tick int
		kind mixer.EventKind
	}
	var got []ev
	for n := range 60 {
		if n < 20 {
			a.send(tone(freqA, amp, n)) // about -12 dBov
		} else {
			a.send(tone(freqA, 100, n)) // about -50 dBov: below the stop level
		}
		b.send(silence())
		tr.tick()
		for _, e := range tr.takeEvents() {
			if e.Participant != "a" || e.Room != "room-1" || !e.At.Equal(tr.now) {
				t.Fatalf("event %+v", e)
			}
			got = append(got, ev{n, e.Kind})
		}
		if n == 10 && !a.p.Talking() {
			t.Fatal("a not talking at tick 10")
		}
	}
	// Frame 0 plays at tick 1 (jitter delay), the attack is two frames:
	// started at tick 2. Frame 20 (quiet) plays at tick 21; the hold is 10
	// frames: stopped at tick 30.
	want := []ev{{2, mixer.EventTalkStarted}, {30, mixer.EventTalkStopped}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("events %v, want %v", got, want)
	}
	if a.p.Talking() || b.p.Talking() {
		t.Fatal("still talking")
	}
}

// TestTalkWhileMuted: talk detection works on a muted participant and the
// event says so.
func TestTalkWhileMuted(t *testing.T) {
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw, func(c *mixer.ParticipantConfig) { c.Muted = true })
	for n := range 5 {
		a.send(tone(freqA, amp, n))
		tr.tick()
	}
	evs := tr.takeEvents()
	if len(evs) != 1 || evs[0].Kind != mixer.EventTalkStarted || !evs[0].Muted {
		t.Fatalf("events %+v", evs)
	}
}

// TestDigits: RFC 4733 events are reported once each, whatever the
// redundant, end, reordered and late packets, interleaved with audio.
func TestDigits(t *testing.T) {
	const pt = 101
	tr := newTestRoom(t, mixer.Config{})
	a := tr.join("a", g711.Ulaw, func(c *mixer.ParticipantConfig) { c.EventPayloadType = pt })
	b := tr.join("b", g711.Alaw)
	type te = mixer.TelephoneEvent
	send := func(ts uint32, ev te) {
		t.Helper()
		if err := a.sendEvent(pt, ts, ev); err != nil {
			t.Fatal(err)
		}
	}
	tick := func() {
		a.send(silence())
		tr.tick()
	}
	// '1': start, two updates, three end packets over several ticks.
	send(8000, te{Code: 1, Duration: 160})
	tick()
	send(8000, te{Code: 1, Duration: 320})
	send(8000, te{Code: 1, Duration: 480})
	tick()
	for range 3 {
		send(8000, te{Code: 1, End: true, Duration: 640})
	}
	tick()
	// '#': the start packet lost, only end packets; then a late copy of
	// the '1' end.
	send(9600, te{Code: 11, End: true, Duration: 400})
	send(8000, te{Code: 1, End: true, Duration: 640})
	send(9600, te{Code: 11, End: true, Duration: 400})
	tick()
	// '1' again, pressed twice (new timestamps), the first one's end lost.
	send(11200, te{Code: 1, Duration: 160})
	tick()
	send(12800, te{Code: 1, Duration: 160})
	send(12800, te{Code: 1, End: true, Duration: 480})
	tick()
	// 'D', and an event code that is not a digit (16, flash): not reported.
	send(14400, te{Code: 15, End: true, Duration: 480})
	send(16000, te{Code: 16, End: true, Duration: 480})
	tick()

	var digits string
	for _, e := range tr.takeEvents() {
		if e.Kind == mixer.EventDigit {
			if e.Participant != "a" {
				t.Fatalf("digit from %q", e.Participant)
			}
			digits += string(e.Digit)
		}
	}
	if digits != "1#11D" {
		t.Fatalf("digits %q, want %q", digits, "1#11D")
	}
	if s := a.p.Stats(); s.Digits != 5 || s.Dropped != 0 {
		t.Fatalf("stats %+v", s)
	}

	// b negotiated no telephone-event: the packets are of a wrong type.
	if err := b.sendEvent(pt, 100, te{Code: 2}); err != mixer.ErrPayloadType {
		t.Fatalf("event to b: %v", err)
	}
	if err := a.p.WriteRTP(a.packet(silence()[:3])); err != mixer.ErrPayloadLength {
		t.Fatalf("short audio: %v", err)
	}
	bad := a.packet(silence())
	bad.PayloadType, bad.Payload = pt, []byte{1, 2, 3}
	if err := a.p.WriteRTP(bad); err != mixer.ErrTelephoneEventLength {
		t.Fatalf("short event: %v", err)
	}
	tr.tick()
	if evs := tr.takeEvents(); len(evs) != 0 {
		t.Fatalf("events %+v", evs)
	}
	if s := b.p.Stats(); s.WrongPayloadType != 1 || s.Digits != 0 {
		t.Fatalf("b stats %+v", s)
	}
	if s := a.p.Stats(); s.Malformed != 2 {
		t.Fatalf("a stats %+v", s)
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[mixer.EventKind]string{mixer.EventTalkStarted: "talk-started", mixer.EventTalkStopped: "talk-stopped", mixer.EventDigit: "digit", 9: "EventKind(9)"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}
