package integration

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// rtpAddr is where a session description receives audio (host:port).
func rtpAddr(t *testing.T, body []byte) string {
	t.Helper()
	p := mediaPort(body)
	if p == 0 {
		t.Fatalf("no audio port in:\n%s", body)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
}

// confCall places a call to "conf" that the route decision parks, and
// joins it to room by command; it returns the phone's call, the leg and
// where Tandem receives its RTP.
func confCall(t *testing.T, n *harness.Node, p *phone.Phone, m *phone.Media, room string) (*phone.Call, string, string) {
	t.Helper()
	c := p.Invite(target(n, "conf"), phone.WithBody(m.SDP()))
	id := callID(t, n, c.CallID())
	n.Events.Await(events.TypeCallParkedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	if err := n.Server.Core().JoinMixer(ctx10(t), id+"-a", room, "conf", false, false); err != nil {
		t.Fatalf("join: %v", err)
	}
	ok := c.Expect(200, wait)
	c.Ack()
	n.Events.Await(events.TypeMixerJoinedV1, func(e harness.Event) bool { return e.LegID == id+"-a" }, wait)
	return c, id + "-a", rtpAddr(t, ok.Body())
}

// Three parked callers joined to a room, each sending its own level of
// real RTP: each hears the other two and not itself (N-1); muted, one is
// heard by nobody; an RFC 4733 digit becomes a mixer_digit event; a
// recording of the room is a WAV file; hanging a leg up removes it.
func TestMixerRoom(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RoutePark, Controller: "conf"}
	})
	carol := phone.New(t, "carol")
	core := n.Server.Core()
	rec := filepath.Join(t.TempDir(), "room.wav")
	if err := core.CreateRoom(ctx10(t), "r1", rec); err != nil {
		t.Fatal(err)
	}
	ma, mb, mc := phone.NewMedia(t), phone.NewMedia(t), phone.NewMedia(t)
	ca, la, ra := confCall(t, n, a, ma, "r1")
	_, lb, rb := confCall(t, n, b, mb, "r1")
	_, _, rc := confCall(t, n, carol, mc, "r1")

	const frames = 150 // 3 s of audio from each
	go ma.Send(ra, 1000, frames)
	go mb.Send(rb, 2000, frames)
	go mc.Send(rc, 4000, frames)
	// N-1: what each hears is the sum of the others (µ-law rounding: ±4%)
	ma.Hears(6000, 250, wait)
	mb.Hears(5000, 250, wait)
	mc.Hears(3000, 150, wait)

	mute := true
	if err := core.SetMixer(ctx10(t), lb, "conf", &mute, nil, nil); err != nil {
		t.Fatal(err)
	}
	ma.Hears(4000, 200, wait) // carol only
	mc.Hears(1000, 60, wait)  // alice only

	mb.SendDigit(rb, 11)
	d := n.Events.Await(events.TypeMixerDigitV1, func(e harness.Event) bool { return e.LegID == lb }, wait)
	if dd := decode[events.MixerDigitV1](t, d); dd.Digit != "#" || dd.RoomID != "r1" {
		t.Errorf("digit event %+v", dd)
	}
	if rooms := core.ListRooms(); len(rooms) != 1 || len(rooms[0].Participants) != 3 || !rooms[0].Participants[1].Muted && !rooms[0].Participants[0].Muted && !rooms[0].Participants[2].Muted {
		t.Errorf("rooms %+v", rooms)
	}

	// kick alice: BYE, and she leaves the room
	if err := core.HangupLeg(ctx10(t), la, "conf", 0, "kicked"); err != nil {
		t.Fatal(err)
	}
	ca.Dialog.ExpectRequest(sip.BYE, wait).OK(nil)
	left := n.Events.Await(events.TypeMixerLeftV1, func(e harness.Event) bool { return e.LegID == la }, wait)
	if l := decode[events.MixerLeftV1](t, left); l.Why != "leg_ended" {
		t.Errorf("left %+v", l)
	}
	mc.Hears(0, 20, wait) // bob muted, alice gone: silence

	if err := core.DestroyRoom(ctx10(t), "r1"); err != nil {
		t.Fatal(err)
	}
	// the recording: a µ-law WAV whose data is the room's mix, frame by frame
	wav, err := os.ReadFile(rec)
	if err != nil || len(wav) < 58+160 {
		t.Fatalf("recording: %d bytes, %v", len(wav), err)
	}
	le := binary.LittleEndian
	if string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" || le.Uint16(wav[20:22]) != 7 || le.Uint32(wav[24:28]) != 8000 {
		t.Errorf("recording header % x", wav[:58])
	}
	data := wav[58:]
	if string(wav[50:54]) != "data" || int(le.Uint32(wav[54:58])) != len(data) || len(data)%160 != 0 {
		t.Errorf("recording data chunk %q of %d bytes, file has %d", wav[50:54], le.Uint32(wav[54:58]), len(data))
	}
	loud := false
	for _, b := range data {
		if b != 0xFF && b != 0x7F { // µ-law silence
			loud = true
			break
		}
	}
	if !loud {
		t.Error("the recording is silent")
	}
}

// RTP to a participant's port from another address than its SDP's (a
// spoofer on 127.0.0.2) is dropped: the others never hear it.
func TestMixerSpoofedSource(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RoutePark, Controller: "conf"}
	})
	if err := n.Server.Core().CreateRoom(ctx10(t), "r2", ""); err != nil {
		t.Fatal(err)
	}
	ma, mb := phone.NewMedia(t), phone.NewMedia(t)
	_, _, ra := confCall(t, n, a, ma, "r2")
	confCall(t, n, b, mb, "r2")
	spoof, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatalf("127.0.0.2: %v", err)
	}
	defer spoof.Close()
	to, _ := net.ResolveUDPAddr("udp", ra)
	// the spoofer floods alice's port with a loud stream of its own SSRC
	go func() {
		pkt := make([]byte, 12+160)
		pkt[0] = 0x80
		for i := 12; i < len(pkt); i++ {
			pkt[i] = 0x8F // loud µ-law
		}
		for i := 0; i < 200; i++ {
			pkt[2], pkt[3] = byte(i>>8), byte(i)
			pkt[11] = 0x99
			if _, err := spoof.WriteToUDP(pkt, to); err != nil {
				return
			}
			if i%10 == 0 {
				ma.Send(ra, 1000, 1) // alice herself, paced at 20 ms
			}
		}
	}()
	go ma.Send(ra, 1000, 100)
	mb.Hears(1000, 60, wait) // bob hears alice, not the spoofer
}
