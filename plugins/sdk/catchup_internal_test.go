package sdk

import (
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

func TestSubjectMatches(t *testing.T) {
	for _, tt := range []struct {
		filter, subject string
		want            bool
	}{
		{"a.b.c", "a.b.c", true},
		{"a.b.c", "a.b", false},
		{"a.b", "a.b.c", false},
		{"a.*.c", "a.x.c", true},
		{"a.*.c", "a.x.d", false},
		{"a.*", "a.x.c", false},
		{"a.>", "a.x.c", true},
		{"a.>", "a.x", true},
		{"a.>", "a", false},
		{">", "a.b", true},
		{"*", "a", true},
		{"*", "a.b", false},
		{AllCallEvents, events.EventSubject("n1", "c1", "ended"), true},
		{AllCallEvents, events.NodeEventSubject("n1", "binding_added"), false},
		{events.CallEventsFilter("c1"), events.EventSubject("n1", "c1", "ended"), true},
		{events.CallEventsFilter("c1"), events.EventSubject("n1", "c2", "ended"), false},
		{events.EventPrefix + ".*.call.*.leg_ringing", events.EventSubject("n1", "c1", "leg_ringing"), true},
		{events.EventPrefix + ".*.call.*.leg_ringing", events.EventSubject("n1", "c1", "leg_answered"), false},
	} {
		if got := subjectMatches(tt.filter, tt.subject); got != tt.want {
			t.Errorf("subjectMatches(%q, %q) = %v, want %v", tt.filter, tt.subject, got, tt.want)
		}
	}
}

// An event read from the stream is no longer missing: its live copy,
// arriving later, is a duplicate; the others of the gap still arrive late.
func TestSeqTrackerRecovered(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tr := newSeqTracker()
	env := func(seq uint64) *events.Envelope { return &events.Envelope{CallID: "a", Seq: seq} }
	tr.observe(env(1), now)
	if _, g, ok := tr.observe(env(5), now); !ok || g.First != 2 || g.Last != 4 {
		t.Fatalf("gap %+v, %v", g, ok)
	}
	tr.recovered(env(2), now)
	tr.recovered(env(4), now)
	tr.recovered(&events.Envelope{CallID: "b", Seq: 1}, now) // no such call: nothing
	for _, s := range []struct {
		seq     uint64
		deliver bool
	}{{2, false}, {3, true}, {4, false}, {3, false}, {6, true}} {
		if deliver, _, gap := tr.observe(env(s.seq), now); deliver != s.deliver || gap {
			t.Errorf("#%d: deliver %v (gap %v), want %v", s.seq, deliver, gap, s.deliver)
		}
	}
	if len(tr.calls) != 1 {
		t.Errorf("calls %v", tr.calls)
	}
}
