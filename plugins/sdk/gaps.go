package sdk

import (
	"time"

	"github.com/tandem-sip/tandem/events"
)

// Gap is a hole in one call's event sequence: the events with sequence
// numbers First to Last (inclusive) did not arrive before a later one did,
// and could not be read from the events stream either (they never reached
// it, the plugin may not read it, or the catch-up is off: NoCatchUp). Such
// an event that arrives later is still delivered. A plugin that needs the
// state it missed can take a fresh snapshot with GetCall.
type Gap struct {
	CallID string
	Node   string
	First  uint64
	Last   uint64
}

// Missing is how many events the gap holds.
func (g Gap) Missing() uint64 { return g.Last - g.First + 1 }

// Limits of the sequence tracker.
const (
	// maxMissing bounds the missing sequence numbers remembered per call
	// (to let a late event through); a larger gap is still reported.
	maxMissing = 256
	// endedTTL is how long a call is remembered after its call.ended event,
	// for late and duplicate events.
	endedTTL = time.Minute
	// idleTTL forgets a call that has had no event for this long (its
	// call.ended was lost, or it is a very long call; its next event then
	// starts a new sequence without a gap).
	idleTTL = time.Hour
	// sweepEvery is how often forgotten calls are swept, at most.
	sweepEvery = 10 * time.Second
)

// seqTracker follows each call's Seq for one subscription. It is used from
// the subscription's goroutine only.
//
// The first event seen of a call sets its baseline: a subscriber that starts
// in the middle of a call is not told about the events before it. From then
// on Seq must grow by one: a jump is a Gap (the event is delivered); an
// event whose number was missing is delivered late; any other number at or
// below the last one is a duplicate (a publish the core retried) and
// dropped.
type seqTracker struct {
	calls     map[string]*callSeq
	lastSweep time.Time
}

type callSeq struct {
	last     uint64
	missing  map[uint64]struct{}
	lastSeen time.Time
	ended    bool
}

func newSeqTracker() *seqTracker {
	return &seqTracker{calls: make(map[string]*callSeq)}
}

// observe records env and says whether to deliver its event and, when ok
// is true, the gap before it.
func (t *seqTracker) observe(env *events.Envelope, now time.Time) (deliver bool, gap Gap, ok bool) {
	t.sweep(now)
	if env.CallID == "" || env.Seq == 0 {
		return true, Gap{}, false
	}
	cs := t.calls[env.CallID]
	if cs == nil {
		cs = &callSeq{last: env.Seq}
		t.calls[env.CallID] = cs
		cs.seen(env, now)
		return true, Gap{}, false
	}
	switch {
	case env.Seq == cs.last+1:
		cs.last = env.Seq
	case env.Seq > cs.last+1:
		gap = Gap{CallID: env.CallID, Node: env.Node, First: cs.last + 1, Last: env.Seq - 1}
		ok = true
		if gap.Missing() <= maxMissing-uint64(len(cs.missing)) {
			if cs.missing == nil {
				cs.missing = make(map[uint64]struct{}, gap.Missing())
			}
			for s := gap.First; s <= gap.Last; s++ {
				cs.missing[s] = struct{}{}
			}
		}
		cs.last = env.Seq
	default:
		if _, late := cs.missing[env.Seq]; !late {
			return false, Gap{}, false // a duplicate
		}
		delete(cs.missing, env.Seq)
	}
	cs.seen(env, now)
	return true, gap, ok
}

// recovered records that the event env, of a gap observe reported, was
// read from the stream: a copy that arrives later is a duplicate.
func (t *seqTracker) recovered(env *events.Envelope, now time.Time) {
	cs := t.calls[env.CallID]
	if cs == nil {
		return
	}
	delete(cs.missing, env.Seq)
	cs.seen(env, now)
}

func (cs *callSeq) seen(env *events.Envelope, now time.Time) {
	cs.lastSeen = now
	if env.Type == events.TypeCallEndedV1 {
		cs.ended = true
	}
}

// sweep forgets ended and idle calls.
func (t *seqTracker) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < sweepEvery {
		return
	}
	t.lastSweep = now
	for id, cs := range t.calls {
		idle := now.Sub(cs.lastSeen)
		if cs.ended && idle >= endedTTL || idle >= idleTTL {
			delete(t.calls, id)
		}
	}
}
