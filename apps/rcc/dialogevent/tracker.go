package dialogevent

import (
	"slices"

	"github.com/tandem-sip/tandem/events"
)

// DefaultMaxCalls bounds the calls the tracker remembers. A call is
// forgotten when its call_ended event comes; should that event be lost, the
// oldest calls are forgotten first once there are more than this many.
const DefaultMaxCalls = 100_000

// tracker follows Tandem's calls through their events and keeps the dialog
// of each leg, with the AORs it belongs to. It does no I/O: apply turns
// one event into the dialog changes to notify. It is not safe for
// concurrent use.
type tracker struct {
	max   int
	calls map[string]*callRec
	order []string // call ids, oldest first (some may be gone already)
}

// callRec is what the tracker knows of one call.
type callRec struct {
	from, to   nameAddr
	fromAOR    AOR   // the caller's
	calleeAORs []AOR // the callee's: To's and the Request-URI's
	hasA       bool  // it has an A leg (an INVITE came in), unlike an originated call
	connected  bool
	claimed    bool
	// transferors maps a transfer in progress to its transferor's leg.
	transferors map[string]string
	legs        map[string]*legRec
	legOrder    []string // leg ids, oldest first, for a stable order of changes
	// byes are answered legs a BYE ended whose sender the call_ended
	// event will tell.
	byes []string
}

// legRec is one leg's dialog and who watches it.
type legRec struct {
	d    Dialog
	side string
	aors []AOR
}

// change is a dialog that changed, to be notified to the subscriptions of
// its AORs.
type change struct {
	d    Dialog
	aors []AOR
}

func newTracker(maxCalls int) *tracker {
	if maxCalls <= 0 {
		maxCalls = DefaultMaxCalls
	}
	return &tracker{max: maxCalls, calls: map[string]*callRec{}}
}

// dialogsOf returns the live dialogs of aor (not terminated), calls and
// legs in the order they came.
func (t *tracker) dialogsOf(aor AOR) []Dialog {
	var out []Dialog
	for _, id := range t.order {
		c := t.calls[id]
		if c == nil {
			continue
		}
		for _, lid := range c.legOrder {
			if l := c.legs[lid]; l != nil && l.d.State != Terminated && slices.Contains(l.aors, aor) {
				out = append(out, l.d)
			}
		}
	}
	return out
}

// apply takes one call event into account and returns the dialogs it
// changed, in order. Events of other types change nothing.
func (t *tracker) apply(ev events.Event) []change {
	env := ev.Env()
	if env.CallID == "" {
		return nil
	}
	var out []change
	c := t.calls[env.CallID]
	if c != nil && len(c.byes) > 0 {
		switch ev.(type) {
		case *events.LegEndedV1, *events.CallEndedV1:
		default:
			// the legs a BYE ended left alone (a transferor, a claimed
			// call's leg): their own party hung up
			out = c.resolveByes(out, "")
		}
	}
	switch e := ev.(type) {
	case *events.CallCreatedV1:
		c = t.call(env.CallID)
		c.from, _ = parseNameAddr(e.From)
		c.to, _ = parseNameAddr(e.To)
		c.fromAOR, _ = aorOfURI(c.from.URI)
		c.calleeAORs = c.calleeAORs[:0]
		for _, u := range []string{c.to.URI, e.RequestURI} {
			if a, ok := aorOfURI(u); ok && !slices.Contains(c.calleeAORs, a) {
				c.calleeAORs = append(c.calleeAORs, a)
			}
		}
	case *events.LegCreatedV1:
		c = t.call(env.CallID)
		l := c.newLeg(env.LegID, e)
		if len(l.aors) > 0 {
			out = append(out, change{d: l.d, aors: l.aors})
		}
	case *events.LegMovedV1:
		t.move(e)
	case *events.CallRoutedV1:
		if c != nil && e.Action == "forward" {
			for _, lid := range c.legOrder {
				if l := c.legs[lid]; l.side == events.SideA {
					out = c.step(out, l, stepProceeding, "", 0)
				}
			}
		}
	case *events.LegRingingV1:
		if c == nil {
			break
		}
		l := c.legs[env.LegID]
		if l == nil {
			break
		}
		out = c.step(out, l, stepRinging, "", 0)
		if l.side == events.SideB {
			// relayed to the caller: its dialog is early too
			for _, lid := range c.legOrder {
				if caller := c.legs[lid]; caller.side == events.SideA {
					out = c.step(out, caller, stepRinging, "", 0)
				}
			}
		}
	case *events.LegAnsweredV1:
		if c != nil && c.legs[env.LegID] != nil {
			out = c.step(out, c.legs[env.LegID], stepAnswered, "", 0)
		}
	case *events.CallConnectedV1:
		if c != nil {
			c.connected = true
		}
	case *events.CallClaimedV1:
		if c != nil {
			c.claimed = true
		}
	case *events.CallReleasedV1:
		if c != nil {
			c.claimed = false
		}
	case *events.TransferRequestedV1:
		if c != nil && env.LegID != "" {
			if c.transferors == nil {
				c.transferors = map[string]string{}
			}
			c.transferors[e.TransferID] = env.LegID
		}
	case *events.TransferCompletedV1:
		if c != nil {
			delete(c.transferors, e.TransferID)
		}
	case *events.TransferFailedV1:
		if c != nil {
			delete(c.transferors, e.TransferID)
		}
	case *events.LegEndedV1:
		if c == nil || c.legs[env.LegID] == nil {
			break
		}
		l := c.legs[env.LegID]
		why, bye := endEvent(l.side, l.d.State == Confirmed, e.Code, e.Reason)
		if !bye {
			out = c.step(out, l, stepEnded, why, e.Code)
			break
		}
		if c.claimed || c.isTransferor(l.d.ID) {
			out = c.step(out, l, stepEnded, byeEvent(l.side, ""), e.Code)
			break
		}
		c.byes = append(c.byes, l.d.ID)
	case *events.CallEndedV1:
		if c == nil {
			break
		}
		out = c.resolveByes(out, e.HungUpBy)
		for _, lid := range slices.Clone(c.legOrder) {
			l := c.legs[lid]
			if l == nil {
				continue
			}
			// a leg whose leg_ended was lost ends with the call
			why, bye := endEvent(l.side, l.d.State == Confirmed, e.Code, e.Reason)
			if bye {
				why = byeEvent(l.side, e.HungUpBy)
			}
			out = c.step(out, l, stepEnded, why, e.Code)
		}
		delete(t.calls, env.CallID)
		t.compact()
	}
	return out
}

// call returns the record of call id, making it if needed (and forgetting
// the oldest call beyond the bound).
func (t *tracker) call(id string) *callRec {
	if c := t.calls[id]; c != nil {
		return c
	}
	c := &callRec{legs: map[string]*legRec{}}
	t.calls[id] = c
	t.order = append(t.order, id)
	for len(t.calls) > t.max {
		old := t.order[0]
		t.order = t.order[1:]
		delete(t.calls, old)
	}
	return c
}

// compact drops the ids of forgotten calls from order once they are the
// majority.
func (t *tracker) compact() {
	if len(t.order) < 64 || len(t.order) < 2*len(t.calls) {
		return
	}
	t.order = slices.DeleteFunc(t.order, func(id string) bool { return t.calls[id] == nil })
}

// move takes a leg over from its old call into the event's call.
func (t *tracker) move(e *events.LegMovedV1) {
	old := t.calls[e.FromCallID]
	if old == nil || old.legs[e.LegID] == nil {
		return
	}
	l := old.legs[e.LegID]
	delete(old.legs, e.LegID)
	old.legOrder = slices.DeleteFunc(old.legOrder, func(id string) bool { return id == e.LegID })
	old.byes = slices.DeleteFunc(old.byes, func(id string) bool { return id == e.LegID })
	c := t.call(e.CallID)
	c.legs[e.LegID] = l
	c.legOrder = append(c.legOrder, e.LegID)
}

// newLeg records a new leg: whose dialog it is, and its identities.
func (c *callRec) newLeg(id string, e *events.LegCreatedV1) *legRec {
	l := &legRec{side: e.Side, d: Dialog{ID: id, CallID: e.SIPCallID, State: Trying}}
	switch {
	case e.Side == events.SideA:
		// the caller's own INVITE
		c.hasA = true
		l.d.Direction = Initiator
		l.d.Local.Identity, l.d.Remote.Identity = c.from, c.to
		if !c.fromAOR.IsZero() {
			l.aors = []AOR{c.fromAOR}
		}
	case c.hasA && !c.connected:
		// an attempt to reach the callee: a fork, a redirect, a failover
		l.d.Direction = Recipient
		l.d.Local.Identity, l.d.Remote.Identity = c.to, c.from
		l.d.Local.Target = e.Target
		l.aors = slices.Clone(c.calleeAORs)
	default:
		// an originated leg, a transfer target: the party Tandem called
		l.d.Direction = Recipient
		l.d.Local.Identity = nameAddr{URI: e.Target}
		l.d.Local.Target = e.Target
		if a, ok := aorOfURI(e.Target); ok {
			l.aors = []AOR{a}
			switch {
			case a == c.fromAOR:
				l.d.Remote.Identity = c.to
			case slices.Contains(c.calleeAORs, a):
				l.d.Remote.Identity = c.from
			}
		}
	}
	c.legs[id] = l
	c.legOrder = append(c.legOrder, id)
	return l
}

// step moves leg l's dialog and, when it changed, appends the change to
// out. A terminated dialog is reported once and forgotten: later full
// states leave it out (RFC 4235 §3.7.1).
func (c *callRec) step(out []change, l *legRec, s step, ev Event, code int) []change {
	d, changed := next(l.d, s, ev, code)
	l.d = d
	if d.State == Terminated {
		delete(c.legs, d.ID)
		c.legOrder = slices.DeleteFunc(c.legOrder, func(id string) bool { return id == d.ID })
	}
	if changed && len(l.aors) > 0 {
		out = append(out, change{d: d, aors: l.aors})
	}
	return out
}

// resolveByes ends the legs waiting in byes: hungUpBy is the call's
// hung_up_by, or "" when they ended alone.
func (c *callRec) resolveByes(out []change, hungUpBy string) []change {
	byes := c.byes
	c.byes = nil
	for _, id := range byes {
		if l := c.legs[id]; l != nil {
			out = c.step(out, l, stepEnded, byeEvent(l.side, hungUpBy), 200)
		}
	}
	return out
}

// isTransferor reports whether leg id is the transferor of a transfer in
// progress: a BYE from it ends it alone.
func (c *callRec) isTransferor(id string) bool {
	for _, l := range c.transferors {
		if l == id {
			return true
		}
	}
	return false
}
