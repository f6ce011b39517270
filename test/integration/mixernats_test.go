package integration

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// The command server serves the mixer verbs only for a core that
// implements natsapi.MixerController: the core must keep doing so.
var _ natsapi.MixerController = (*b2bua.Core)(nil)

// natsConfCall places a call from p to "conf", which the route decision
// parks for controller conf, and joins it to room over NATS; it returns
// the leg and where Tandem receives its RTP.
func natsConfCall(t *testing.T, n *harness.Node, conf *sdk.Client, p *phone.Phone, m *phone.Media, room string) (string, string) {
	t.Helper()
	c := p.Invite(target(n, "conf"), phone.WithBody(m.SDP()))
	id := callID(t, n, c.CallID())
	n.Events.Await(events.TypeCallParkedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	leg := id + "-a"
	if err := conf.JoinMixer(ctx10(t), leg, room, false, false); err != nil {
		t.Fatalf("mixer.join %s: %v", leg, err)
	}
	ok := c.Expect(200, wait)
	c.Ack()
	n.Events.Await(events.TypeMixerJoinedV1, func(e harness.Event) bool { return e.LegID == leg }, wait)
	port := mediaPort(ok.Body())
	if port == 0 {
		t.Fatalf("200 OK to %s without an audio port:\n%s", leg, ok.Body())
	}
	return leg, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// The mixer verbs over the node's real NATS, end to end through the SDK:
// a controller creates a recorded room, joins two parked callers to it,
// each hears the other over real RTP; muted over NATS, one is heard by
// nobody; the list shows both; a gain change is heard; leave and destroy
// send their mixer_left events; refusals come back typed.
func TestMixerNATS(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RoutePark, Controller: "conf"}
	})
	conf := controller(t, n, "conf")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	rec := filepath.Join(t.TempDir(), "nats-room.wav")
	if err := conf.CreateRoom(ctx, "nats-r1", rec); err != nil {
		t.Fatalf("mixer.create: %v", err)
	}
	if err := conf.CreateRoom(ctx, "nats-r1", ""); err != nil {
		t.Errorf("mixer.create again: %v", err)
	}
	ma, mb := phone.NewMedia(t), phone.NewMedia(t)
	la, ra := natsConfCall(t, n, conf, a, ma, "nats-r1")
	lb, rb := natsConfCall(t, n, conf, b, mb, "nats-r1")

	const frames = 500 // 10 s of audio from each, more than the test needs
	go ma.Send(ra, 1000, frames)
	go mb.Send(rb, 2000, frames)
	ma.Hears(2000, 100, wait) // bob, not herself
	mb.Hears(1000, 60, wait)  // alice, not himself

	rooms, err := conf.ListRooms(ctx)
	if err != nil || len(rooms) != 1 || rooms[0].RoomID != "nats-r1" || rooms[0].Recording != rec || len(rooms[0].Participants) != 2 {
		t.Fatalf("mixer.list = %+v, %v; want nats-r1 recording to %s with two legs", rooms, err, rec)
	}
	parts := map[string]events.MixerParticipantV1{}
	for _, p := range rooms[0].Participants {
		parts[p.LegID] = p
	}
	for _, leg := range []string{la, lb} {
		if p, ok := parts[leg]; !ok || p.Codec != "PCMU" || p.Muted || p.Deaf || p.CallID == "" {
			t.Errorf("participant %s = %+v, %v; want PCMU, unmuted, hearing", leg, p, ok)
		}
	}

	// Bob muted over NATS: alice hears silence, bob still hears alice.
	mute := true
	if err := conf.SetMixer(ctx, lb, &mute, nil, nil); err != nil {
		t.Fatalf("mixer.set mute: %v", err)
	}
	ma.Hears(0, 20, wait)
	mb.Hears(1000, 60, wait)
	rooms, err = conf.ListRooms(ctx)
	if err != nil || len(rooms) != 1 {
		t.Fatalf("mixer.list after mute = %+v, %v", rooms, err)
	}
	for _, p := range rooms[0].Participants {
		if p.Muted != (p.LegID == lb) {
			t.Errorf("after mute, participant %+v", p)
		}
	}
	// Alice at -6 dB: bob hears her at half.
	gain := -6.0
	if err := conf.SetMixer(ctx, la, nil, nil, &gain); err != nil {
		t.Fatalf("mixer.set gain: %v", err)
	}
	mb.Hears(500, 40, wait)

	// Refusals, typed: checked by the command server or by the core.
	if err := conf.JoinMixer(ctx, la, "nats-r9", false, false); errCode(err) != events.ErrConflict {
		t.Errorf("join of an unknown room: %v, want conflict", err)
	}
	if err := conf.JoinMixer(ctx, la, "nats-r1", false, false); errCode(err) != events.ErrConflict {
		t.Errorf("second join: %v, want conflict", err)
	}
	if err := conf.CreateRoom(ctx, "nats-r2", "relative.wav"); errCode(err) != events.ErrBadRequest {
		t.Errorf("create with a relative record path: %v, want bad_request", err)
	}
	big := 30.0
	if err := conf.SetMixer(ctx, lb, nil, nil, &big); errCode(err) != events.ErrBadRequest {
		t.Errorf("set +30 dB: %v, want bad_request", err)
	}
	if err := conf.LeaveMixer(ctx, "no-such-leg"); errCode(err) != events.ErrUnknownLeg {
		t.Errorf("leave of an unknown leg: %v, want unknown_leg", err)
	}

	// Alice leaves by command; the room's end takes bob out.
	if err := conf.LeaveMixer(ctx, la); err != nil {
		t.Fatalf("mixer.leave: %v", err)
	}
	left := n.Events.Await(events.TypeMixerLeftV1, func(e harness.Event) bool { return e.LegID == la }, wait)
	if l := decode[events.MixerLeftV1](t, left); l.Why != "command" || l.RoomID != "nats-r1" {
		t.Errorf("alice left %+v, want by command from nats-r1", l)
	}
	// The node's own subject serves the mixer verbs too.
	rep, err := sdk.DoOn(ctx, conf, n.Config.Node, sdk.MixerList, events.MixerListRequestV1{})
	if err != nil || len(rep.Rooms) != 1 || len(rep.Rooms[0].Participants) != 1 || rep.Rooms[0].Participants[0].LegID != lb {
		t.Errorf("mixer.list on %s = %+v, %v; want bob alone", n.Config.Node, rep, err)
	}
	if err := conf.DestroyRoom(ctx, "nats-r1"); err != nil {
		t.Fatalf("mixer.destroy: %v", err)
	}
	left = n.Events.Await(events.TypeMixerLeftV1, func(e harness.Event) bool { return e.LegID == lb }, wait)
	if l := decode[events.MixerLeftV1](t, left); l.Why != "room_ended" {
		t.Errorf("bob left %+v, want room_ended", l)
	}
	if rooms, err := conf.ListRooms(ctx); err != nil || len(rooms) != 0 {
		t.Errorf("mixer.list after destroy = %+v, %v", rooms, err)
	}
	if err := conf.DestroyRoom(ctx, "nats-r1"); errCode(err) != events.ErrConflict {
		t.Errorf("second destroy: %v, want conflict", err)
	}
	if st, err := os.Stat(rec); err != nil || st.Size() <= 58 {
		t.Errorf("recording %s: %v, %v; want a WAV file with audio", rec, st, err)
	}
}
