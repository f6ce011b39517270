package integration

import (
	"context"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/apps/conference"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/plugins/sdk"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// withConference runs the built-in conference app (apps/conference) with
// cfg on the node's embedded NATS, as plugins.list configures it; every
// other call goes where setup routes it (the app answers "default").
func withConference(cfg map[string]any) harness.Option {
	return harness.WithConfig(func(c *config.Config) {
		c.Plugins.List = append(c.Plugins.List, host.PluginConfig{
			Name: "conference", Kind: host.KindBuiltin, Decisions: []string{"route", "subscribe"}, Config: cfg,
		})
		c.RouteDeadline = wait
	})
}

// confSetup starts a node with the conference app (callee bob for other
// calls, caller alice) and an SDK client to send the app's commands.
func confSetup(t *testing.T, cfg map[string]any) (*harness.Node, *phone.Phone, *phone.Phone, *sdk.Client) {
	t.Helper()
	n, a, b := setup(t, withConference(cfg))
	if st := n.Server.Plugins().Status(); len(st) != 1 || !st[0].Up {
		t.Fatalf("conference app not up: %+v", st)
	}
	return n, a, b, controller(t, n, "moderator")
}

// awaitConf waits for one of the app's events of type typ, of leg (any
// when "") and matching match (nil: any).
func awaitConf(t *testing.T, n *harness.Node, typ, leg string, match func(harness.Event) bool) harness.Event {
	t.Helper()
	return n.Events.Await(typ, func(e harness.Event) bool {
		return (leg == "" || e.LegID == leg) && (match == nil || match(e))
	}, wait)
}

// dialIn calls room at the node from p with m's media and returns the
// call, its leg and where Tandem receives its RTP, once the app has put
// it in the room's mixer (in the lobby when the room has a PIN).
func dialIn(t *testing.T, n *harness.Node, p *phone.Phone, m *phone.Media, room string) (*phone.Call, string, string) {
	t.Helper()
	c := p.Invite(target(n, room), phone.WithBody(m.SDP()))
	leg := callID(t, n, c.CallID()) + "-a"
	ok := c.Expect(200, wait)
	if !strings.Contains(header(ok, "Contact"), "isfocus") {
		t.Errorf("200 Contact %q lacks isfocus (RFC 4579)", header(ok, "Contact"))
	}
	c.Ack()
	awaitConf(t, n, conference.TypeParticipantJoinedV1, leg, nil)
	return c, leg, rtpAddr(t, ok.Body())
}

// keys types digits (0-9, *, #) as RFC 4733 events; a silent frame after
// each moves the RTP timestamp on, so each is a new event.
func keys(m *phone.Media, addr, digits string) {
	for _, d := range digits {
		code := byte(d - '0')
		switch d {
		case '*':
			code = 10
		case '#':
			code = 11
		}
		m.SendDigit(addr, code)
		m.Send(addr, 0, 1)
	}
}

// confDo sends one of the app's commands.
func confDo[Req, Rep any](t *testing.T, c *sdk.Client, cmd sdk.Command[Req, Rep], req Req) (Rep, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return sdk.Do(ctx, c, cmd, req)
}

// mustDo is confDo that fails the test on an error.
func mustDo[Req, Rep any](t *testing.T, c *sdk.Client, cmd sdk.Command[Req, Rep], req Req) Rep {
	t.Helper()
	rep, err := confDo(t, c, cmd, req)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Verb, err)
	}
	return rep
}

// Three callers of a static room hear each other and not themselves
// (N-1 mixing of real RTP); a fourth finds it full (486); muted by
// command, one is heard by nobody; conference.list shows them; a kick
// sends BYE and the kicked one is gone from the mix; ending the room hangs
// the others up and leaves its recording, a WAV file.
func TestConferenceDialIn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, alice, bob, mod := confSetup(t, map[string]any{
		"record_dir": dir,
		"rooms":      []map[string]any{{"uri": "1000", "max_participants": 3, "record": true}},
	})
	carol, dave := phone.New(t, "carol"), phone.New(t, "dave")
	ma, mb, mc := phone.NewMedia(t), phone.NewMedia(t), phone.NewMedia(t)
	ca, la, ra := dialIn(t, n, alice, ma, "1000")
	created := awaitConf(t, n, conference.TypeRoomCreatedV1, "", nil)
	rec := decode[conference.RoomCreatedV1](t, created).Recording
	if filepath.Dir(rec) != dir || !strings.HasPrefix(filepath.Base(rec), "1000-") || filepath.Ext(rec) != ".wav" {
		t.Errorf("recording %q, want %s/1000-<time>.wav", rec, dir)
	}
	cb, lb, rb := dialIn(t, n, bob, mb, "1000")
	cc, _, rc := dialIn(t, n, carol, mc, "1000")

	// a fourth caller: the room is full
	if res := dave.Invite(target(n, "1000")).Final(wait); res.StatusCode != 486 {
		t.Errorf("fourth caller got %d, want 486", res.StatusCode)
	}

	const frames = 250 // 5 s of audio from each
	go ma.Send(ra, 1000, frames)
	go mb.Send(rb, 2000, frames)
	go mc.Send(rc, 4000, frames)
	ma.Hears(6000, 250, wait) // bob + carol
	mb.Hears(5000, 250, wait) // alice + carol
	mc.Hears(3000, 150, wait) // alice + bob

	mustDo(t, mod, conference.CmdMute, conference.ParticipantRequestV1{LegID: lb})
	awaitConf(t, n, conference.TypeParticipantUpdatedV1, lb, func(e harness.Event) bool {
		return decode[conference.ParticipantUpdatedV1](t, e).Muted
	})
	ma.Hears(4000, 200, wait) // carol only
	mc.Hears(1000, 60, wait)  // alice only

	l := mustDo(t, mod, conference.CmdList, conference.ListRequestV1{Room: "1000"})
	if len(l.Rooms) != 1 || len(l.Rooms[0].Participants) != 3 || l.Rooms[0].Kind != "static" || l.Rooms[0].State != "open" {
		t.Fatalf("list %+v", l)
	}
	for _, p := range l.Rooms[0].Participants {
		if p.State != "joined" || p.Muted != (p.LegID == lb) || p.Via != "dial-in" {
			t.Errorf("participant %+v", p)
		}
	}

	mustDo(t, mod, conference.CmdKick, conference.ParticipantRequestV1{LegID: la})
	ca.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	left := awaitConf(t, n, conference.TypeParticipantLeftV1, la, nil)
	if r := decode[conference.ParticipantLeftV1](t, left).Reason; r != conference.LeftKicked {
		t.Errorf("left reason %q", r)
	}
	mc.Hears(0, 20, wait) // bob muted, alice gone

	if _, err := confDo(t, mod, conference.CmdKick, conference.ParticipantRequestV1{LegID: la}); errCode(err) != events.ErrConflict {
		t.Errorf("kick of a participant gone: %v, want conflict", err)
	}

	mustDo(t, mod, conference.CmdEnd, conference.RoomRequestV1{Room: "1000"})
	cb.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	cc.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	awaitConf(t, n, conference.TypeRoomEndedV1, "", nil)
	head := make([]byte, 12)
	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if _, err := io.ReadFull(f, head); err != nil || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" || st.Size() < 58+160 { // the header and a frame at least
		t.Errorf("recording: header %q, %d bytes, %v", head, st.Size(), err)
	}
}

// A room with a PIN: a caller is answered into the lobby (muted, deaf),
// types a wrong PIN and then the right one by RFC 4733 and is in; another
// types three wrong PINs and is hung up.
func TestConferencePIN(t *testing.T) {
	t.Parallel()
	n, alice, bob, _ := confSetup(t, map[string]any{"rooms": []map[string]any{{"uri": "2000", "pin": "1234", "moderator_pin": "999"}}})
	carol := phone.New(t, "carol")
	ma, mb, mc := phone.NewMedia(t), phone.NewMedia(t), phone.NewMedia(t)

	_, la, ra := dialIn(t, n, alice, ma, "2000")
	j := awaitConf(t, n, conference.TypeParticipantJoinedV1, la, nil)
	if s := decode[conference.ParticipantJoinedV1](t, j).State; s != "lobby" {
		t.Fatalf("alice joined %q, want lobby", s)
	}
	keys(ma, ra, "1111") // wrong (as long as the PIN: no # needed)
	keys(ma, ra, "1234")
	up := awaitConf(t, n, conference.TypeParticipantUpdatedV1, la, nil)
	if u := decode[conference.ParticipantUpdatedV1](t, up); u.State != "joined" || u.Role != "participant" {
		t.Errorf("alice after her PIN: %+v", u)
	}

	_, lb, rb := dialIn(t, n, bob, mb, "2000")
	keys(mb, rb, "999") // the moderator PIN
	up = awaitConf(t, n, conference.TypeParticipantUpdatedV1, lb, nil)
	if u := decode[conference.ParticipantUpdatedV1](t, up); u.State != "joined" || u.Role != "moderator" {
		t.Errorf("bob after his PIN: %+v", u)
	}
	go ma.Send(ra, 1000, 150)
	go mb.Send(rb, 2000, 150)
	ma.Hears(2000, 100, wait)
	mb.Hears(1000, 60, wait)

	cc, lc, rc := dialIn(t, n, carol, mc, "2000")
	keys(mc, rc, "5#")
	keys(mc, rc, "12#")
	keys(mc, rc, "4321")
	cc.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	left := awaitConf(t, n, conference.TypeParticipantLeftV1, lc, nil)
	if r := decode[conference.ParticipantLeftV1](t, left).Reason; r != conference.LeftWrongPIN {
		t.Errorf("carol left: %q", r)
	}
}

// ackThenInvite takes the ACK of an answered INVITE and the re-INVITE
// the core sends right after it, which may overtake it (the phone hands
// each request over from its own goroutine), and returns the re-INVITE.
func ackThenInvite(t *testing.T, d *phone.Dialog) *phone.ServerRequest {
	t.Helper()
	var re *phone.ServerRequest
	for acked := false; !acked || re == nil; {
		r := d.NextRequest(wait)
		switch {
		case r.Method == sip.ACK && !acked:
			acked = true
		case r.Method == sip.INVITE && re == nil:
			re = r
		default:
			t.Fatalf("got %s, want the ACK and a re-INVITE:\n%s", r.Method, r.Req)
		}
	}
	return re
}

// confDoc is the part of a conference-info document (RFC 4575) the tests
// check.
type confDoc struct {
	Entity    string `xml:"entity,attr"`
	State     string `xml:"state,attr"`
	Version   int    `xml:"version,attr"`
	ConfState *struct {
		UserCount int  `xml:"user-count"`
		Active    bool `xml:"active"`
		Locked    bool `xml:"locked"`
	} `xml:"conference-state"`
	Users []struct {
		Entity   string `xml:"entity,attr"`
		State    string `xml:"state,attr"`
		Endpoint struct {
			Status string `xml:"status"`
			Media  struct {
				Status string `xml:"status"`
			} `xml:"media"`
		} `xml:"endpoint"`
	} `xml:"users>user"`
}

// expectConfNotify takes the next NOTIFY of the subscription, checks its
// headers, answers it and returns its document and Subscription-State.
func expectConfNotify(t *testing.T, d *phone.Dialog) (confDoc, string) {
	t.Helper()
	r := d.ExpectRequest(sip.NOTIFY, wait)
	if ev := header(r.Req, "Event"); ev != "conference" {
		t.Errorf("NOTIFY Event %q", ev)
	}
	if ct := header(r.Req, "Content-Type"); ct != "application/conference-info+xml" {
		t.Errorf("NOTIFY Content-Type %q", ct)
	}
	var ci confDoc
	if err := xml.Unmarshal(r.Body(), &ci); err != nil {
		t.Fatalf("NOTIFY body: %v\n%s", err, r.Body())
	}
	state := header(r.Req, "Subscription-State")
	r.OK(nil)
	return ci, state
}

// RFC 4575: a SUBSCRIBE to a room gets the full state (version 1, alice
// connected), then partial NOTIFYs as bob joins (version 2), is muted
// (3), and alice leaves (4, deleted); ending the room sends the terminal
// NOTIFY and hangs bob up.
func TestConferenceInfo(t *testing.T) {
	t.Parallel()
	n, alice, bob, mod := confSetup(t, map[string]any{"rooms": []map[string]any{{"uri": "3000"}}})
	watcher := phone.New(t, "watcher")
	ma, mb := phone.NewMedia(t), phone.NewMedia(t)
	ca, la, _ := dialIn(t, n, alice, ma, "3000")

	res, d := watcher.SubscribeEvent(target(n, "3000"), "conference", 600, sip.NewHeader("Accept", "application/conference-info+xml"))
	if res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %d", res.StatusCode)
	}
	entity := target(n, "3000")
	ci, state := expectConfNotify(t, d)
	if ci.State != "full" || ci.Version != 1 || ci.Entity != entity || !strings.HasPrefix(state, "active") ||
		ci.ConfState == nil || ci.ConfState.UserCount != 1 || !ci.ConfState.Active || len(ci.Users) != 1 ||
		!strings.HasPrefix(ci.Users[0].Entity, "sip:alice@") || ci.Users[0].Endpoint.Status != "connected" ||
		ci.Users[0].Endpoint.Media.Status != "sendrecv" {
		t.Fatalf("first NOTIFY %+v (%s)", ci, state)
	}

	cb, lb, _ := dialIn(t, n, bob, mb, "3000")
	ci, _ = expectConfNotify(t, d)
	if ci.State != "partial" || ci.Version != 2 || ci.ConfState.UserCount != 2 || len(ci.Users) != 1 ||
		!strings.HasPrefix(ci.Users[0].Entity, "sip:bob@") || ci.Users[0].State != "full" || ci.Users[0].Endpoint.Status != "connected" {
		t.Fatalf("NOTIFY on bob's join %+v", ci)
	}

	mustDo(t, mod, conference.CmdMute, conference.ParticipantRequestV1{LegID: lb})
	ci, _ = expectConfNotify(t, d)
	if ci.State != "partial" || ci.Version != 3 || len(ci.Users) != 1 || ci.Users[0].Endpoint.Status != "muted-via-focus" ||
		ci.Users[0].Endpoint.Media.Status != "recvonly" {
		t.Fatalf("NOTIFY on bob's mute %+v", ci)
	}

	bye := ca.Bye()
	bye.Expect(200, wait)
	n.Events.Await(events.TypeLegEndedV1, func(e harness.Event) bool { return e.LegID == la }, wait)
	ci, _ = expectConfNotify(t, d)
	if ci.Version != 4 || ci.ConfState.UserCount != 1 || len(ci.Users) != 1 || ci.Users[0].State != "deleted" ||
		!strings.HasPrefix(ci.Users[0].Entity, "sip:alice@") {
		t.Fatalf("NOTIFY on alice's leaving %+v", ci)
	}

	mustDo(t, mod, conference.CmdEnd, conference.RoomRequestV1{Room: "3000"})
	cb.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	ci, state = expectConfNotify(t, d)
	if ci.Version != 5 || ci.ConfState.Active || state != "terminated;reason=noresource" {
		t.Fatalf("terminal NOTIFY %+v (%s)", ci, state)
	}
	awaitConf(t, n, conference.TypeRoomEndedV1, "", nil)
	// a static room opens again
	if res, _ := watcher.SubscribeEvent(target(n, "3000"), "conference", 0); res.StatusCode != 200 {
		t.Errorf("fetch after the end: %d", res.StatusCode)
	}
}

// An ad-hoc room's URI is a lease (lease draft REQ 1-5): it routes to the
// room while the lease lives; renewed with a short TTL, the lease expires,
// the room ends (its participant hung up), and the URI gets 404, to
// INVITE and SUBSCRIBE alike.
func TestConferenceLease(t *testing.T) {
	t.Parallel()
	n, alice, bob, mod := confSetup(t, map[string]any{"adhoc": map[string]any{"lease_ttl": "1m", "max_lease_ttl": "10m"}})
	ma := phone.NewMedia(t)
	cr := mustDo(t, mod, conference.CmdCreate, conference.CreateRequestV1{Domain: n.SIPAddr, TTLMS: time.Hour.Milliseconds()})
	if !strings.HasPrefix(cr.URI, "sip:conf-") || !strings.HasSuffix(cr.URI, "@"+n.SIPAddr) || cr.TTLMS > (10*time.Minute).Milliseconds() {
		t.Fatalf("create %+v: want a conf- URI and the lease capped at 10m", cr)
	}
	c := alice.Invite(cr.URI, phone.WithBody(ma.SDP()))
	leg := callID(t, n, c.CallID()) + "-a"
	c.Expect(200, wait)
	c.Ack()
	awaitConf(t, n, conference.TypeParticipantJoinedV1, leg, nil)

	rr := mustDo(t, mod, conference.CmdRenew, conference.RenewRequestV1{Room: cr.URI, TTLMS: 300})
	if !rr.ExpiresAt.Before(cr.ExpiresAt) {
		t.Errorf("renewed to %v, was %v", rr.ExpiresAt, cr.ExpiresAt)
	}
	end := awaitConf(t, n, conference.TypeRoomEndedV1, "", nil)
	if e := decode[conference.RoomEndedV1](t, end); e.Room != cr.Room || e.Reason != conference.EndLeaseExpired {
		t.Errorf("ended %+v", e)
	}
	c.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)

	if res := bob.Invite(cr.URI).Final(wait); res.StatusCode != 404 {
		t.Errorf("INVITE after the lease: %d, want 404", res.StatusCode)
	}
	if res, _ := bob.SubscribeEvent(cr.URI, "conference", 600); res.StatusCode != 404 {
		t.Errorf("SUBSCRIBE after the lease: %d, want 404", res.StatusCode)
	}
	if _, err := confDo(t, mod, conference.CmdRenew, conference.RenewRequestV1{Room: cr.Room}); errCode(err) != events.ErrConflict {
		t.Errorf("renew after the lease: %v, want conflict", err)
	}
}

// A call between alice and bob merged into an ad-hoc room: both are
// re-INVITEd with Tandem's media and hear each other through the mixer;
// carol, dialled out into the room by command, hears both.
func TestConferenceMerge(t *testing.T) {
	t.Parallel()
	n, alice, bob, mod := confSetup(t, nil)
	carol := phone.New(t, "carol")
	c, in := connect(t, n, alice, bob)
	id := callID(t, n, c.CallID())
	ma, mb, mc := phone.NewMedia(t), phone.NewMedia(t), phone.NewMedia(t)

	type merged struct {
		rep conference.MergeReplyV1
		err error
	}
	done := make(chan merged, 1)
	go func() {
		rep, err := confDo(t, mod, conference.CmdMerge, conference.MergeRequestV1{CallID: id, Domain: n.SIPAddr})
		done <- merged{rep, err}
	}()
	reA := c.Dialog.ExpectRequest(sip.INVITE, wait)
	ra := rtpAddr(t, reA.Body())
	reA.OK(ma.SDP())
	c.Dialog.ExpectRequest(sip.ACK, wait)
	reB := in.ExpectRequest(sip.INVITE, wait)
	rb := rtpAddr(t, reB.Body())
	reB.OK(mb.SDP())
	in.ExpectRequest(sip.ACK, wait)
	m := <-done
	if m.err != nil || len(m.rep.LegIDs) != 2 || !strings.HasPrefix(m.rep.URI, "sip:conf-") {
		t.Fatalf("merge: %+v %v", m.rep, m.err)
	}
	go ma.Send(ra, 1000, 250)
	go mb.Send(rb, 2000, 250)
	ma.Hears(2000, 100, wait)
	mb.Hears(1000, 60, wait)

	dr := mustDo(t, mod, conference.CmdDial, conference.DialRequestV1{Room: m.rep.Room, Target: carol.URI("carol")})
	inv := carol.NextInvite(wait)
	if len(inv.Body()) != 0 {
		t.Errorf("dial-out INVITE with an offer:\n%s", inv.Body())
	}
	inv.Answer(mc.SDP())
	re := ackThenInvite(t, inv.Dialog) // into the mixer
	rc := rtpAddr(t, re.Body())
	re.OK(mc.SDP())
	inv.ExpectRequest(sip.ACK, wait)
	awaitConf(t, n, conference.TypeParticipantJoinedV1, dr.LegID, nil)
	go mc.Send(rc, 4000, 100)
	mc.Hears(3000, 150, wait)
	ma.Hears(6000, 250, wait)
}
