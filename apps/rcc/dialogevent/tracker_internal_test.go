package dialogevent

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// The call events of the scenarios below, as the core sends them.

func on[E events.Event](e E, call, leg string) events.Event {
	env := e.Env()
	env.CallID, env.LegID = call, leg
	return e
}

func callCreated(call, from, to string) events.Event {
	return on(&events.CallCreatedV1{From: from, To: to, RequestURI: to}, call, "")
}

func legCreated(call, leg, side, target string) events.Event {
	return on(&events.LegCreatedV1{Side: side, Target: target, SIPCallID: leg + "@sip"}, call, leg)
}

func routed(call string) events.Event {
	return on(&events.CallRoutedV1{Action: "forward"}, call, "")
}

func ringing(call, leg string) events.Event {
	return on(&events.LegRingingV1{Code: 180}, call, leg)
}

func answered(call, leg, side string) events.Event {
	return on(&events.LegAnsweredV1{Side: side}, call, leg)
}

func connected(call string) events.Event { return on(&events.CallConnectedV1{}, call, "") }

func legEnded(call, leg, side string, code int, reason string) events.Event {
	return on(&events.LegEndedV1{Side: side, Code: code, Reason: reason}, call, leg)
}

func callEnded(call, by string, code int, reason string) events.Event {
	return on(&events.CallEndedV1{HungUpBy: by, Code: code, Reason: reason}, call, "")
}

// describe is a change as the tests compare it: leg, state, event and
// code when terminated, the AORs (user@host).
func (c change) String() string {
	s := c.d.ID + " " + string(c.d.State)
	if c.d.State == Terminated {
		s += " " + string(c.d.Event)
		if c.d.Code != 0 {
			s += fmt.Sprintf(" %d", c.d.Code)
		}
	}
	var aors []string
	for _, a := range c.aors {
		aors = append(aors, a.User+"@"+a.Host)
	}
	return s + " " + strings.Join(aors, ",")
}

// run applies evs in turn and compares the changes of each with want
// (one line per event: its changes, "; "-separated; "" for none).
func run(t *testing.T, tr *tracker, evs []events.Event, want []string) {
	t.Helper()
	if len(evs) != len(want) {
		t.Fatalf("%d events, %d expectations", len(evs), len(want))
	}
	for i, ev := range evs {
		var got []string
		for _, c := range tr.apply(ev) {
			got = append(got, c.String())
		}
		if g := strings.Join(got, "; "); g != want[i] {
			t.Errorf("event %d (%s): changes\n  %s\nwant\n  %s", i, ev.Env().Type, g, want[i])
		}
	}
}

const (
	a, b  = events.SideA, events.SideB
	alice = `"Alice" <sip:alice@x.example>;tag=1`
	bobTo = "sip:bob@x.example"
)

// alice calls bob, bob answers, then hangs up: each side's dialog, early
// when the 180 comes, confirmed, then terminated once the call_ended event
// says who sent the BYE.
func TestTrackerBasicCall(t *testing.T) {
	tr := newTracker(0)
	run(t, tr, []events.Event{
		callCreated("c1", alice, bobTo),
		legCreated("c1", "c1-a", a, "sip:alice@x.example"),
		routed("c1"),
		legCreated("c1", "c1-b1", b, "sip:bob@10.0.0.2:5060"),
		ringing("c1", "c1-b1"),
		answered("c1", "c1-b1", b),
		answered("c1", "c1-a", a),
		connected("c1"),
		legEnded("c1", "c1-b1", b, 200, "bye"),
		legEnded("c1", "c1-a", a, 200, "bye"),
		callEnded("c1", b, 200, "bye"),
	}, []string{
		"",
		"c1-a trying alice@x.example",
		"c1-a proceeding alice@x.example",
		"c1-b1 trying bob@x.example",
		"c1-b1 early bob@x.example; c1-a early alice@x.example",
		"c1-b1 confirmed bob@x.example",
		"c1-a confirmed alice@x.example",
		"",
		"",
		"",
		"c1-b1 terminated local-bye bob@x.example; c1-a terminated remote-bye alice@x.example",
	})
	if len(tr.calls) != 0 {
		t.Errorf("calls left: %v", tr.calls)
	}
}

// The identities and directions of each side.
func TestTrackerIdentities(t *testing.T) {
	tr := newTracker(0)
	for _, ev := range []events.Event{
		callCreated("c1", alice, bobTo),
		legCreated("c1", "c1-a", a, "sip:alice@x.example"),
		legCreated("c1", "c1-b1", b, "sip:bob@10.0.0.2:5060"),
	} {
		tr.apply(ev)
	}
	bob, _ := aorOfURI(bobTo)
	al, _ := aorOfURI("sip:alice@x.example")
	bd, ad := tr.dialogsOf(bob), tr.dialogsOf(al)
	if len(bd) != 1 || len(ad) != 1 {
		t.Fatalf("bob's %+v, alice's %+v", bd, ad)
	}
	want := Dialog{ID: "c1-b1", CallID: "c1-b1@sip", Direction: Recipient, State: Trying,
		Local:  Party{Identity: nameAddr{URI: bobTo}, Target: "sip:bob@10.0.0.2:5060"},
		Remote: Party{Identity: nameAddr{Display: "Alice", URI: "sip:alice@x.example"}}}
	if bd[0] != want {
		t.Errorf("bob's dialog %+v, want %+v", bd[0], want)
	}
	want = Dialog{ID: "c1-a", CallID: "c1-a@sip", Direction: Initiator, State: Trying,
		Local:  Party{Identity: nameAddr{Display: "Alice", URI: "sip:alice@x.example"}},
		Remote: Party{Identity: nameAddr{URI: bobTo}}}
	if ad[0] != want {
		t.Errorf("alice's dialog %+v, want %+v", ad[0], want)
	}
}

// Two forks ring; the second answers and the first is cancelled. A full
// state taken then has the answered one only.
func TestTrackerForks(t *testing.T) {
	tr := newTracker(0)
	run(t, tr, []events.Event{
		callCreated("c1", alice, bobTo),
		legCreated("c1", "c1-a", a, "sip:alice@x.example"),
		legCreated("c1", "c1-b1", b, "sip:bob@10.0.0.2"),
		legCreated("c1", "c1-b2", b, "sip:bob@10.0.0.3"),
		ringing("c1", "c1-b1"),
		ringing("c1", "c1-b2"),
		answered("c1", "c1-b2", b),
		answered("c1", "c1-a", a),
		legEnded("c1", "c1-b1", b, 487, "request terminated"),
	}, []string{
		"",
		"c1-a trying alice@x.example",
		"c1-b1 trying bob@x.example",
		"c1-b2 trying bob@x.example",
		"c1-b1 early bob@x.example; c1-a early alice@x.example",
		"c1-b2 early bob@x.example",
		"c1-b2 confirmed bob@x.example",
		"c1-a confirmed alice@x.example",
		"c1-b1 terminated cancelled bob@x.example",
	})
	bob, _ := aorOfURI(bobTo)
	if ds := tr.dialogsOf(bob); len(ds) != 1 || ds[0].ID != "c1-b2" || ds[0].State != Confirmed {
		t.Errorf("bob's full state %+v", ds)
	}
}

// bob is busy: both dialogs are rejected with the code; alice cancels
// another call: both cancelled.
func TestTrackerFailures(t *testing.T) {
	tr := newTracker(0)
	run(t, tr, []events.Event{
		callCreated("c1", alice, bobTo),
		legCreated("c1", "c1-a", a, "sip:alice@x.example"),
		legCreated("c1", "c1-b1", b, "sip:bob@10.0.0.2"),
		ringing("c1", "c1-b1"),
		legEnded("c1", "c1-b1", b, 486, "busy here"),
		legEnded("c1", "c1-a", a, 486, "busy here"),
		callEnded("c1", b, 486, "busy here"),
		callCreated("c2", alice, bobTo),
		legCreated("c2", "c2-a", a, "sip:alice@x.example"),
		legCreated("c2", "c2-b1", b, "sip:bob@10.0.0.2"),
		legEnded("c2", "c2-b1", b, 487, "cancel"),
		legEnded("c2", "c2-a", a, 487, "cancel"),
		callEnded("c2", a, 487, "cancel"),
	}, []string{
		"",
		"c1-a trying alice@x.example",
		"c1-b1 trying bob@x.example",
		"c1-b1 early bob@x.example; c1-a early alice@x.example",
		"c1-b1 terminated rejected 486 bob@x.example",
		"c1-a terminated rejected 486 alice@x.example",
		"",
		"",
		"c2-a trying alice@x.example",
		"c2-b1 trying bob@x.example",
		"c2-b1 terminated cancelled bob@x.example",
		"c2-a terminated cancelled alice@x.example",
		"",
	})
}

// connectedCall is c1 up to connected: alice (A) to bob (b1).
func connectedCall() []events.Event {
	return []events.Event{
		callCreated("c1", alice, bobTo),
		legCreated("c1", "c1-a", a, "sip:alice@x.example"),
		legCreated("c1", "c1-b1", b, "sip:bob@10.0.0.2"),
		answered("c1", "c1-b1", b),
		answered("c1", "c1-a", a),
		connected("c1"),
	}
}

func applyAll(tr *tracker, evs []events.Event) {
	for _, ev := range evs {
		tr.apply(ev)
	}
}

// A BYE that ends a leg alone is its own party's: in a claimed call, from
// a transferor, or when the call goes on (the next event says so).
func TestTrackerByeAlone(t *testing.T) {
	t.Run("claimed", func(t *testing.T) {
		tr := newTracker(0)
		applyAll(tr, connectedCall())
		run(t, tr, []events.Event{
			on(&events.CallClaimedV1{Controller: "crm"}, "c1", ""),
			legEnded("c1", "c1-b1", b, 200, "bye"),
			on(&events.CallReleasedV1{Why: events.ReleasedCallEnded}, "c1", ""),
			legEnded("c1", "c1-a", a, 200, "hangup command"),
			callEnded("c1", "command", 200, "hangup command"),
		}, []string{
			"",
			"c1-b1 terminated local-bye bob@x.example",
			"",
			"c1-a terminated remote-bye alice@x.example",
			"",
		})
	})
	t.Run("transferor", func(t *testing.T) {
		tr := newTracker(0)
		applyAll(tr, connectedCall())
		run(t, tr, []events.Event{
			on(&events.TransferRequestedV1{TransferID: "t1", TargetLegID: "c1-a", Kind: "refer"}, "c1", "c1-b1"),
			legEnded("c1", "c1-b1", b, 200, "bye"),
			legCreated("c1", "c1-b2", b, "sip:carol@10.0.0.4"),
		}, []string{
			"",
			"c1-b1 terminated local-bye bob@x.example",
			"c1-b2 trying carol@10.0.0.4",
		})
	})
	t.Run("call goes on", func(t *testing.T) {
		tr := newTracker(0)
		applyAll(tr, connectedCall())
		run(t, tr, []events.Event{
			legEnded("c1", "c1-b1", b, 200, "bye"),
			on(&events.LegUnbridgedV1{PeerLegID: "c1-b1", Why: "peer_ended"}, "c1", "c1-a"),
		}, []string{
			"",
			"c1-b1 terminated local-bye bob@x.example",
		})
	})
}

// The core's BYE (max duration, hangup command) reaches both parties.
func TestTrackerCoreHangup(t *testing.T) {
	tr := newTracker(0)
	applyAll(tr, connectedCall())
	run(t, tr, []events.Event{
		legEnded("c1", "c1-b1", b, 200, "max call duration"),
		legEnded("c1", "c1-a", a, 200, "max call duration"),
		callEnded("c1", "core", 200, "max call duration"),
	}, []string{
		"c1-b1 terminated remote-bye bob@x.example",
		"c1-a terminated remote-bye alice@x.example",
		"",
	})
}

// A leg whose leg_ended was lost ends with its call.
func TestTrackerLostLegEnded(t *testing.T) {
	tr := newTracker(0)
	applyAll(tr, connectedCall())
	run(t, tr, []events.Event{
		callEnded("c1", a, 200, "bye"),
	}, []string{
		"c1-a terminated local-bye alice@x.example; c1-b1 terminated remote-bye bob@x.example",
	})
}

// An originated call (no A leg, every leg called by Tandem): each leg is
// the AOR of its target, talking to the other party.
func TestTrackerOriginated(t *testing.T) {
	tr := newTracker(0)
	run(t, tr, []events.Event{
		callCreated("c1", "sip:alice@x.example", "sip:bob@x.example"),
		legCreated("c1", "c1-b1", b, "sip:alice@x.example"),
		legCreated("c1", "c1-b2", b, "sip:bob@x.example"),
		legCreated("c1", "c1-b3", b, "tel:+1555"),
	}, []string{
		"",
		"c1-b1 trying alice@x.example",
		"c1-b2 trying bob@x.example",
		"", // no AOR: nobody to tell
	})
	al, _ := aorOfURI("sip:alice@x.example")
	bob, _ := aorOfURI("sip:bob@x.example")
	if d := tr.dialogsOf(al); len(d) != 1 || d[0].Direction != Recipient || d[0].Remote.Identity.URI != "sip:bob@x.example" {
		t.Errorf("alice's %+v", d)
	}
	if d := tr.dialogsOf(bob); len(d) != 1 || d[0].Remote.Identity.URI != "sip:alice@x.example" {
		t.Errorf("bob's %+v", d)
	}
}

// A leg moved into another call ends there.
func TestTrackerMove(t *testing.T) {
	tr := newTracker(0)
	applyAll(tr, connectedCall())
	run(t, tr, []events.Event{
		on(&events.LegMovedV1{FromCallID: "c1"}, "c9", "c1-b1"),
		legEnded("c1", "c1-a", a, 200, "no legs left"),
		callEnded("c1", "core", 200, "no legs left"),
		legEnded("c9", "c1-b1", b, 200, "hangup command"),
		callEnded("c9", "command", 200, "hangup command"),
	}, []string{
		"",
		"c1-a terminated remote-bye alice@x.example",
		"",
		"c1-b1 terminated remote-bye bob@x.example",
		"",
	})
}

// Beyond the bound the oldest call is forgotten; events of unknown calls
// and of no call change nothing.
func TestTrackerBound(t *testing.T) {
	tr := newTracker(2)
	for _, id := range []string{"c1", "c2", "c3"} {
		tr.apply(callCreated(id, alice, bobTo))
		tr.apply(legCreated(id, id+"-a", a, "sip:alice@x.example"))
	}
	al, _ := aorOfURI("sip:alice@x.example")
	var ids []string
	for _, d := range tr.dialogsOf(al) {
		ids = append(ids, d.ID)
	}
	if !slices.Equal(ids, []string{"c2-a", "c3-a"}) {
		t.Errorf("alice's dialogs %v", ids)
	}
	run(t, tr, []events.Event{
		ringing("c1", "c1-b1"),
		legEnded("c7", "c7-a", a, 200, "bye"),
		callEnded("c7", a, 200, "bye"),
		on(&events.SubscriptionEndedV1{}, "", "s1"),
	}, []string{"", "", "", ""})
	for i := 0; i < 100; i++ {
		id := fmt.Sprintf("x%d", i)
		tr.apply(callCreated(id, alice, bobTo))
		tr.apply(callEnded(id, a, 487, "cancel"))
	}
	if len(tr.calls) != 1 || tr.calls["c3"] == nil || len(tr.order) > 64 {
		t.Errorf("%d calls, %d ids kept", len(tr.calls), len(tr.order))
	}
}
