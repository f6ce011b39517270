package sdk

import (
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

func TestSeqTracker(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	type step struct {
		call    string
		seq     uint64
		typ     string
		at      time.Duration // after t0
		deliver bool
		gap     *Gap
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"in order", []step{{"a", 1, "", 0, true, nil}, {"a", 2, "", 0, true, nil}, {"a", 3, "", 0, true, nil}}},
		{"joined mid-call", []step{{"a", 7, "", 0, true, nil}, {"a", 8, "", 0, true, nil}}},
		{"jump", []step{{"a", 1, "", 0, true, nil}, {"a", 4, "", 0, true, &Gap{CallID: "a", First: 2, Last: 3}}}},
		{"late then duplicate", []step{
			{"a", 1, "", 0, true, nil}, {"a", 3, "", 0, true, &Gap{CallID: "a", First: 2, Last: 2}},
			{"a", 2, "", 0, true, nil}, {"a", 2, "", 0, false, nil}, {"a", 3, "", 0, false, nil}, {"a", 4, "", 0, true, nil},
		}},
		{"duplicate", []step{{"a", 1, "", 0, true, nil}, {"a", 1, "", 0, false, nil}}},
		{"calls apart", []step{{"a", 1, "", 0, true, nil}, {"b", 1, "", 0, true, nil}, {"a", 2, "", 0, true, nil}, {"b", 3, "", 0, true, &Gap{CallID: "b", First: 2, Last: 2}}}},
		{"no call or seq", []step{{"", 0, "", 0, true, nil}, {"", 5, "", 0, true, nil}, {"a", 0, "", 0, true, nil}}},
		{"ended call forgotten", []step{
			{"a", 1, "", 0, true, nil}, {"a", 2, events.TypeCallEndedV1, 0, true, nil},
			{"a", 2, "", 30 * time.Second, false, nil}, // still remembered: duplicate
			{"b", 1, "", 2 * time.Minute, true, nil},   // sweeps a
			{"a", 2, "", 2 * time.Minute, true, nil},   // a new baseline
		}},
		{"idle call forgotten", []step{{"a", 1, "", 0, true, nil}, {"b", 1, "", 2 * time.Hour, true, nil}, {"a", 5, "", 2 * time.Hour, true, nil}}},
		{"huge gap still reported", []step{{"a", 1, "", 0, true, nil}, {"a", 10000, "", 0, true, &Gap{CallID: "a", First: 2, Last: 9999}}, {"a", 5, "", 0, false, nil}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newSeqTracker()
			for i, s := range tc.steps {
				env := &events.Envelope{CallID: s.call, Seq: s.seq, Type: s.typ}
				deliver, gap, ok := tr.observe(env, t0.Add(s.at))
				if deliver != s.deliver {
					t.Errorf("step %d (%s #%d): deliver %v, want %v", i, s.call, s.seq, deliver, s.deliver)
				}
				switch {
				case s.gap == nil && ok:
					t.Errorf("step %d: unexpected gap %+v", i, gap)
				case s.gap != nil && (!ok || gap != *s.gap):
					t.Errorf("step %d: gap %+v (%v), want %+v", i, gap, ok, *s.gap)
				}
			}
		})
	}
}
