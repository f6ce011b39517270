package conference

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// subscribe asks the subscribe decision for uri and, on accept, delivers
// the created event with expires.
func subscribe(t *testing.T, a *app, id, uri, accept string, expires int) events.SubscribeDecisionV1 {
	t.Helper()
	req := events.SubscribeRequestV1{Event: "conference", RequestURI: uri, Accept: accept, Expires: expires}
	req.LegID, req.Node = id, "n1"
	d, err := a.decideSubscribe(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Action == events.ActionAccept {
		ev := &events.SubscriptionCreatedV1{Event: "conference", Expires: expires}
		ev.LegID = id
		a.onSubCreated(ev)
	}
	return d
}

// docState is the state attribute of a document's conference-info.
func docState(body string) string {
	_, rest, _ := strings.Cut(body, "<conference-info")
	_, rest, _ = strings.Cut(rest, ` state="`)
	st, _, _ := strings.Cut(rest, `"`)
	return st
}

// versionOf is the version attribute of a document's conference-info.
func versionOf(body string) string {
	_, rest, _ := strings.Cut(body, "<conference-info")
	_, rest, _ = strings.Cut(rest, ` version="`)
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestSubscribeDecision(t *testing.T) {
	a, _, _ := testApp(t, `{"rooms": [{"uri": "1000"}, {"uri": "sip:2000@conf.test"}]}`)
	tests := []struct {
		event, uri, accept string
		action             string
		code               int
	}{
		{"conference", "sip:1000@h:5060", "", events.ActionAccept, 0},
		{"Conference;id=3", "sip:1000@h", "application/conference-info+xml, text/plain", events.ActionAccept, 0},
		{"conference", "sip:1000@h", "*/*", events.ActionAccept, 0},
		{"conference", "sip:1000@h", "application/pidf+xml", events.ActionReject, 406},
		{"conference", "sip:2000@other.test", "", events.ActionDefault, 0},
		{"conference", "sip:conf-gone@h", "", events.ActionReject, 404},
		{"conference", "sip:alice@h", "", events.ActionDefault, 0},
		{"dialog", "sip:1000@h", "", events.ActionDefault, 0},
		{"conference", "not a uri", "", events.ActionDefault, 0},
	}
	for i, tt := range tests {
		req := events.SubscribeRequestV1{Event: tt.event, RequestURI: tt.uri, Accept: tt.accept, Expires: 60}
		req.LegID = "s" + string(rune('a'+i))
		d, err := a.decideSubscribe(context.Background(), req)
		if err != nil || d.Action != tt.action || d.Code != tt.code || d.Validate() != nil {
			t.Errorf("%s %s (Accept %q): %+v %v, want %s %d", tt.event, tt.uri, tt.accept, d, err, tt.action, tt.code)
		}
	}
}

// A subscriber gets the full state (version 1) once the core created the
// subscription, partial NOTIFYs on every change, the full state again on
// a refresh, and a terminal NOTIFY when the room ends; a fetch gets one
// terminal full state.
func TestNotifySequence(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	leg, _ := dialIn(t, a, "c1", "1000")
	if d := subscribe(t, a, "s1", "sip:1000@conf.test:5060", "", 600); d.Action != events.ActionAccept {
		t.Fatalf("decision %+v", d)
	}
	n := f.sent()
	if len(n) != 1 || n[0].sub != "s1" || n[0].state != "" || !strings.Contains(n[0].body, `state="full" version="1"`) ||
		!strings.Contains(n[0].body, `entity="sip:1000@conf.test:5060"`) || !strings.Contains(n[0].body, "sip:c1@example.com") {
		t.Fatalf("first NOTIFY %+v", n)
	}
	dialIn(t, a, "c2", "1000")
	if _, err := a.participantCommand(VerbMute)(context.Background(), ParticipantRequestV1{LegID: leg}); err != nil {
		t.Fatal(err)
	}
	legEnded(a, leg)
	ref := &events.SubscriptionRefreshedV1{Expires: 600}
	ref.LegID = "s1"
	a.onSubRefreshed(ref)
	n = f.sent()
	var got []string
	for _, x := range n {
		got = append(got, docState(x.body)+versionOf(x.body))
	}
	if strings.Join(got, " ") != "partial2 partial3 partial4 full5" {
		t.Errorf("NOTIFYs %v", got)
	}
	if !strings.Contains(n[2].body, `state="deleted"`) || !strings.Contains(n[1].body, "muted-via-focus") {
		t.Errorf("NOTIFY bodies:\n%s\n%s", n[1].body, n[2].body)
	}

	if d := subscribe(t, a, "s2", "sip:1000@h", "", 0); d.Action != events.ActionAccept {
		t.Fatal(d)
	}
	if n := f.sent(); len(n) != 1 || n[0].state != stateTimeout || versionOf(n[0].body) != "1" {
		t.Errorf("fetch %+v", n)
	}
	if _, err := a.roomCommand(VerbEnd)(context.Background(), RoomRequestV1{Room: "1000"}); err != nil {
		t.Fatal(err)
	}
	n = f.sent()
	if len(n) != 1 || n[0].sub != "s1" || n[0].state != stateNoResource || versionOf(n[0].body) != "6" || !strings.Contains(n[0].body, "<active>false</active>") {
		t.Errorf("terminal NOTIFY %+v", n)
	}
	if len(a.subs) != 0 {
		t.Errorf("subscribers kept: %v", a.subs)
	}
}

// Changes while a NOTIFY is under way queue up; beyond maxQueued they
// become one full state whose version follows the last one sent.
func TestNotifyCoalesces(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	subscribe(t, a, "s1", "sip:1000@h", "", 600)
	f.sent()
	a.lock()
	s := a.subs["s1"]
	s.sending = true // as if a NOTIFY were in flight
	r := a.rooms["1000"]
	for range maxQueued + 5 {
		a.notifyRoom(r)
	}
	if len(s.queue) != 5 || s.queue[0].version != 2 || s.version != 6 || docState(string(s.queue[0].body)) != "full" {
		t.Errorf("queue of %d, first version %d, last %d", len(s.queue), s.queue[0].version, s.version)
	}
	a.unlock()
	a.sendQueue(context.Background(), s)
	var got []string
	for _, x := range f.sent() {
		got = append(got, versionOf(x.body))
	}
	if strings.Join(got, " ") != "2 3 4 5 6" {
		t.Errorf("versions sent %v", got)
	}
}

// A NOTIFY the core refuses ends the subscription; the ended event too.
func TestNotifyFailureDrops(t *testing.T) {
	a, f, ts := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	f.fail["notify"] = events.NewError(events.ErrUnknownLeg, "gone")
	subscribe(t, a, "s1", "sip:1000@h", "", 600)
	if len(a.subs) != 0 {
		t.Error("kept after a refused NOTIFY")
	}
	delete(f.fail, "notify")
	subscribe(t, a, "s2", "sip:1000@h", "", 600)
	ended := &events.SubscriptionEndedV1{Reason: events.SubscriptionExpired}
	ended.LegID = "s2"
	a.onSubEnded(ended)
	if len(a.subs) != 0 {
		t.Error("kept after its end")
	}
	// accepted but never created (another answer won): forgotten later
	req := events.SubscribeRequestV1{Event: "conference", RequestURI: "sip:1000@h"}
	req.LegID = "s3"
	if _, err := a.decideSubscribe(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if ts.fire(createdTimeout) != 1 || len(a.subs) != 0 {
		t.Error("an uncreated subscription is kept")
	}
}
