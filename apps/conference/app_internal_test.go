package conference

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// A caller of a room with a PIN is parked, answered into the lobby (muted
// and deaf), types a wrong PIN then the right one, and is unmuted and
// undeafened; the events say lobby, then joined.
func TestDialInThroughLobby(t *testing.T) {
	a, f, ts := testApp(t, `{"rooms": [{"uri": "2000", "pin": "1234"}]}`)
	leg, d := dialIn(t, a, "c1", "2000")
	if d.Action != events.RoutePark || d.Controller != "conference" {
		t.Fatalf("decision %+v", d)
	}
	wantCommands(t, f,
		`create n1 2000 rec=""`,
		"join n1 c1-a 2000 muted=true deaf=true")
	evs := f.published()
	if eventNames(evs) != "room_created participant_joined" {
		t.Fatalf("events %s", eventNames(evs))
	}
	if j := evs[1].(*ParticipantJoinedV1); j.State != "lobby" || j.Entity != "sip:c1@example.com" || j.Env().LegID != leg {
		t.Errorf("joined %+v", j)
	}
	digits(a, leg, "2000", "1111")
	wantCommands(t, f)
	digits(a, leg, "2000", "12")
	digits(a, leg, "other-room", "34") // not its room: ignored
	digits(a, leg, "2000", "34")
	wantCommands(t, f, "set n1 c1-a muted=false deaf=false")
	if evs := f.published(); eventNames(evs) != "participant_updated" || evs[0].(*ParticipantUpdatedV1).State != "joined" {
		t.Errorf("events %s", eventNames(evs))
	}
	if n := ts.fire(DefaultPINTimeout); n != 0 {
		t.Errorf("%d PIN timers still live after the PIN", n)
	}
}

// Three wrong PINs hang the caller up; its leg's end then reports why.
func TestWrongPINsHangUp(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "2000", "pin": "1234"}], "pin_attempts": 3}`)
	leg, _ := dialIn(t, a, "c1", "2000")
	f.commands()
	f.published()
	digits(a, leg, "2000", "1#")
	digits(a, leg, "2000", "9999")
	wantCommands(t, f)
	digits(a, leg, "2000", "*4321")
	wantCommands(t, f, "hangup n1 c1-a conference: wrong_pin")
	digits(a, leg, "2000", "1234") // too late
	wantCommands(t, f)
	legEnded(a, leg)
	evs := f.published()
	if eventNames(evs) != "participant_left" || evs[0].(*ParticipantLeftV1).Reason != LeftWrongPIN {
		t.Errorf("events %s %+v", eventNames(evs), evs)
	}
	if len(a.legs) != 0 || len(a.rooms["2000"].parts) != 0 {
		t.Errorf("participant not forgotten")
	}
}

// The PIN timeout hangs up a caller still in the lobby; digits sent
// before the lobby join's reply count.
func TestLobbyTimeoutAndEarlyDigits(t *testing.T) {
	a, f, ts := testApp(t, `{"rooms": [{"uri": "2000", "pin": "12"}], "pin_timeout": "20s"}`)
	_, _ = dialIn(t, a, "c1", "2000")
	f.commands()
	if n := ts.fire(20 * time.Second); n != 1 {
		t.Fatalf("%d PIN timers fired", n)
	}
	wantCommands(t, f, "hangup n1 c1-a conference: pin_timeout")

	// early digits: the join's reply comes after them
	req := events.RouteRequestV1{User: "2000"}
	req.CallID, req.LegID, req.Node = "c2", "c2-a", "n1"
	if _, err := a.route(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	a.lock()
	p := a.legs["c2-a"]
	p.state = partJoining // as if the join were under way
	a.unlock()
	digits(a, "c2-a", "2000", "12")
	wantCommands(t, f)
	if err := a.join(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, f, "join n1 c2-a 2000 muted=true deaf=true", "set n1 c2-a muted=false deaf=false")
}

// Admission: a locked room refuses with 403, a full one with 486, an
// unknown ad-hoc URI with 404, a room bound to another node with 480; other
// URIs are the core's.
func TestRouteDecisions(t *testing.T) {
	a, _, _ := testApp(t, `{"rooms": [{"uri": "1000", "max_participants": 1}, {"uri": "sip:2000@conf.test"}, {"uri": "3000"}]}`)
	n := 0
	route := func(user, host, node string) events.RouteDecisionV1 {
		n++
		req := events.RouteRequestV1{User: user, Host: host}
		req.CallID, req.LegID, req.Node = fmt.Sprint("c", n), fmt.Sprint("c", n, "-a"), node
		d, err := a.route(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		user, host, node string
		action           string
		code             int
	}{
		{"1000", "x.test", "n1", events.RoutePark, 0},
		{"1000", "x.test", "n1", events.RouteReject, 486}, // full: the first holds its seat
		{"2000", "CONF.test", "n1", events.RoutePark, 0},
		{"2000", "other.test", "n1", events.RouteDefault, 0}, // the room is conf.test's only
		{"conf-nothere", "x.test", "n1", events.RouteReject, 404},
		{"alice", "x.test", "n1", events.RouteDefault, 0},
		{"3000", "x.test", "n2", events.RoutePark, 0},
		{"3000", "x.test", "n1", events.RouteReject, 480}, // bound to n2
	}
	for _, tt := range tests {
		d := route(tt.user, tt.host, tt.node)
		if d.Action != tt.action || d.Code != tt.code {
			t.Errorf("%s@%s on %s: %+v, want %s %d", tt.user, tt.host, tt.node, d, tt.action, tt.code)
		}
	}
	a.lock()
	if err := a.changeLock(a.rooms["3000"], opLock, "test"); err != nil {
		t.Fatal(err)
	}
	a.unlock()
	if d := route("3000", "x.test", "n2"); d.Code != 403 {
		t.Errorf("locked room: %+v", d)
	}
}

// *6 toggles a joined participant's mute; *5 locks and unlocks the room
// for a moderator only.
func TestKeypad(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000", "moderator_pin": "99"}]}`)
	m, _ := dialIn(t, a, "c1", "1000")
	p, _ := dialIn(t, a, "c2", "1000")
	digits(a, m, "1000", "99")
	digits(a, p, "1000", "#") // no participant PIN: # lets in
	f.commands()
	f.published()
	digits(a, p, "1000", "*6")
	digits(a, p, "1000", "*5") // not a moderator
	digits(a, p, "1000", "6")  // no star
	digits(a, p, "1000", "*6")
	wantCommands(t, f, "set n1 c2-a muted=true deaf=-", "set n1 c2-a muted=false deaf=-")
	digits(a, m, "1000", "*5")
	if a.rooms["1000"].state != roomLocked {
		t.Errorf("room %v after a moderator's *5", a.rooms["1000"].state)
	}
	digits(a, m, "1000", "*5")
	if a.rooms["1000"].state != roomOpen {
		t.Errorf("room %v after a moderator's second *5", a.rooms["1000"].state)
	}
	if evs := f.published(); eventNames(evs) != "participant_updated participant_updated room_locked room_locked" {
		t.Errorf("events %s", eventNames(evs))
	}
}

// A right PIN into a room locked meanwhile hangs a participant up, not a
// moderator.
func TestLockedWhileInLobby(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000", "pin": "1", "moderator_pin": "2"}]}`)
	p, _ := dialIn(t, a, "c1", "1000")
	m, _ := dialIn(t, a, "c2", "1000")
	a.lock()
	_ = a.changeLock(a.rooms["1000"], opLock, "test")
	a.unlock()
	f.commands()
	digits(a, p, "1000", "1")
	digits(a, m, "1000", "2")
	wantCommands(t, f, "hangup n1 c1-a conference: locked", "set n1 c2-a muted=false deaf=false")
}

// A failed join hangs the caller up; a failed hangup (the leg is gone)
// forgets it at once.
func TestJoinFails(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	f.fail["join"] = errors.New("no media")
	f.fail["hangup"] = events.NewError(events.ErrUnknownLeg, "gone")
	leg, _ := dialIn(t, a, "c1", "1000")
	wantCommands(t, f, `create n1 1000 rec=""`, "join n1 c1-a 1000 muted=false deaf=false", "hangup n1 c1-a conference: failed")
	if a.legs[leg] != nil {
		t.Error("participant kept")
	}
}

// An ad-hoc room lives while its lease does: renewed, the old timer is
// stopped; expired, the room ends (participants hung up, mixer room
// destroyed) and its URI gets 404.
func TestAdhocLease(t *testing.T) {
	a, f, ts := testApp(t, `{"domain": "conf.test", "adhoc": {"lease_ttl": "5m", "max_lease_ttl": "1h"}}`)
	ctx := context.Background()
	if _, err := a.create(ctx, CreateRequestV1{}); err == nil {
		// the domain comes from the config: fine
	} else {
		t.Fatal(err)
	}
	cr, err := a.create(ctx, CreateRequestV1{Domain: "other.test:5080", TTLMS: (2 * time.Hour).Milliseconds(), PIN: "77"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cr.URI, "sip:conf-") || !strings.HasSuffix(cr.URI, "@other.test:5080") || cr.TTLMS != time.Hour.Milliseconds() {
		t.Fatalf("create %+v", cr)
	}
	leg, d := dialIn(t, a, "c1", cr.Room)
	if d.Action != events.RoutePark {
		t.Fatalf("decision %+v", d)
	}
	f.commands()
	f.published()
	if _, err := a.renew(ctx, RenewRequestV1{Room: cr.URI, TTLMS: 1000}); err != nil {
		t.Fatal(err)
	}
	if n := ts.fire(time.Hour); n != 0 {
		t.Errorf("%d old lease timers fired", n)
	}
	if n := ts.fire(time.Second); n != 1 {
		t.Fatalf("%d lease timers fired", n)
	}
	wantCommands(t, f, "hangup n1 "+leg+" conference: room_ended", "destroy n1 "+cr.Room)
	evs := f.published()
	if eventNames(evs) != "lease_renewed room_ended" || evs[1].(*RoomEndedV1).Reason != EndLeaseExpired {
		t.Errorf("events %s", eventNames(evs))
	}
	if _, d := dialIn(t, a, "c2", cr.Room); d.Action != events.RouteReject || d.Code != 404 {
		t.Errorf("after the lease: %+v", d)
	}
	if _, err := a.renew(ctx, RenewRequestV1{Room: cr.Room}); err == nil {
		t.Error("renewed an ended room")
	}
	if a.adhocs != 1 {
		t.Errorf("%d ad-hoc rooms, want 1", a.adhocs)
	}
}

// A dial-out joins its room when it answers, once, whether the answer is
// seen by event or by query.
func TestDialOut(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "sip:1000@conf.test"}]}`)
	ctx := context.Background()
	rep, err := a.dial(ctx, DialRequestV1{Room: "1000", Target: "sip:carol@example.com", Muted: true})
	if err != nil {
		t.Fatal(err)
	}
	wantCommands(t, f, `create n1 1000 rec=""`, "originate n1 sip:carol@example.com from=sip:1000@conf.test")
	ans := &events.LegAnsweredV1{}
	ans.LegID = rep.LegID
	a.onAnswered(ans)
	a.onAnswered(ans)
	wantCommands(t, f, "join n1 "+rep.LegID+" 1000 muted=true deaf=false")
	if _, err := a.dial(ctx, DialRequestV1{Room: "1000", Target: "tel:+1"}); err == nil {
		t.Error("dialled a tel: URI")
	}
	if _, err := a.dial(ctx, DialRequestV1{Room: "nope", Target: "sip:x@y"}); err == nil {
		t.Error("dialled into no room")
	}
}

// The moderation commands act on participants and rooms, and say what is
// wrong.
func TestModeration(t *testing.T) {
	a, f, _ := testApp(t, `{"rooms": [{"uri": "1000"}]}`)
	ctx := context.Background()
	leg, _ := dialIn(t, a, "c1", "1000")
	f.commands()
	mute := a.participantCommand(VerbMute)
	if _, err := mute(ctx, ParticipantRequestV1{LegID: leg}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.participantCommand(VerbDeaf)(ctx, ParticipantRequestV1{LegID: leg}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.participantCommand(VerbKick)(ctx, ParticipantRequestV1{LegID: leg}); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, f, "set n1 c1-a muted=true deaf=-", "set n1 c1-a muted=- deaf=true", "hangup n1 c1-a conference: kicked")
	l, _ := a.list(ctx, ListRequestV1{})
	if len(l.Rooms) != 1 || len(l.Rooms[0].Participants) != 1 || !l.Rooms[0].Participants[0].Muted || !l.Rooms[0].Participants[0].Deaf {
		t.Errorf("list %+v", l)
	}
	if _, err := mute(ctx, ParticipantRequestV1{LegID: "nobody"}); code(err) != events.ErrConflict {
		t.Errorf("mute of nobody: %v", err)
	}
	if _, err := mute(ctx, ParticipantRequestV1{}); code(err) != events.ErrBadRequest {
		t.Errorf("mute without leg: %v", err)
	}
	if _, err := a.roomCommand(VerbLock)(ctx, RoomRequestV1{Room: "sip:1000@any.test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.roomCommand(VerbEnd)(ctx, RoomRequestV1{Room: "1000"}); err != nil {
		t.Fatal(err)
	}
	if a.rooms["1000"].state != roomOpen {
		t.Errorf("static room %v after its end, want open again", a.rooms["1000"].state)
	}
	if _, err := a.roomCommand(VerbUnlock)(ctx, RoomRequestV1{Room: "9"}); code(err) != events.ErrConflict {
		t.Errorf("unlock of no room: %v", err)
	}
}

func code(err error) events.ErrorCode {
	var e *events.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
