package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// mixerCore is a fakeCore that also implements natsapi.MixerController:
// legs "leg-1a" and "leg-2a" exist, rooms are kept as the core keeps
// them, every call is recorded.
type mixerCore struct {
	*fakeCore

	mmu   sync.Mutex // guards the fields below
	log   []string
	rooms map[string]*events.MixerRoomV1
	last  events.MixerSetRequestV1 // SetMixer's last arguments
}

var _ natsapi.MixerController = (*mixerCore)(nil)

// startMixerAPI serves core's commands on the real natsapi.
func startMixerAPI(t *testing.T) (*mixerCore, *natsapi.API) {
	t.Helper()
	core := &mixerCore{fakeCore: &fakeCore{calls: sampleCalls()}, rooms: map[string]*events.MixerRoomV1{}}
	return core, serveAPI(t, core)
}

// in returns the room legID is in and its place there, or nil; mmu is
// held.
func (c *mixerCore) in(legID string) (*events.MixerRoomV1, int) {
	for _, r := range c.rooms {
		for i, p := range r.Participants {
			if p.LegID == legID {
				return r, i
			}
		}
	}
	return nil, -1
}

func (c *mixerCore) CreateRoom(_ context.Context, roomID, recordPath string) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("create %s %s", roomID, recordPath))
	if c.rooms[roomID] == nil {
		c.rooms[roomID] = &events.MixerRoomV1{RoomID: roomID, Recording: recordPath, Participants: []events.MixerParticipantV1{}}
	}
	return nil
}

func (c *mixerCore) DestroyRoom(_ context.Context, roomID string) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.log = append(c.log, "destroy "+roomID)
	if c.rooms[roomID] == nil {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	delete(c.rooms, roomID)
	return nil
}

func (c *mixerCore) ListRooms() []events.MixerRoomV1 {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	var out []events.MixerRoomV1
	for _, r := range c.rooms {
		cp := *r
		cp.Participants = append([]events.MixerParticipantV1(nil), r.Participants...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoomID < out[j].RoomID })
	return out
}

func (c *mixerCore) JoinMixer(_ context.Context, legID, roomID, controller string, muted, deaf bool) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("join %s %s %s %v %v", legID, roomID, controller, muted, deaf))
	r := c.rooms[roomID]
	switch {
	case r == nil:
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	case legID != "leg-1a" && legID != "leg-2a":
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	if in, _ := c.in(legID); in != nil {
		return events.NewError(events.ErrConflict, "leg %s is in room %s already", legID, in.RoomID)
	}
	callID := strings.TrimSuffix(strings.Replace(legID, "leg-", "call-", 1), "a")
	r.Participants = append(r.Participants, events.MixerParticipantV1{LegID: legID, CallID: callID, Muted: muted, Deaf: deaf, Codec: "PCMU"})
	return nil
}

func (c *mixerCore) LeaveMixer(_ context.Context, legID, controller string) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.log = append(c.log, fmt.Sprintf("leave %s %s", legID, controller))
	r, i := c.in(legID)
	if r == nil {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	r.Participants = append(r.Participants[:i], r.Participants[i+1:]...)
	return nil
}

func (c *mixerCore) SetMixer(_ context.Context, legID, controller string, muted, deaf *bool, gainDB *float64) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.last = events.MixerSetRequestV1{Controller: controller, LegID: legID, Muted: muted, Deaf: deaf, GainDB: gainDB}
	c.log = append(c.log, "set "+legID)
	r, i := c.in(legID)
	if r == nil {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	if muted != nil {
		r.Participants[i].Muted = *muted
	}
	if deaf != nil {
		r.Participants[i].Deaf = *deaf
	}
	return nil
}

func (c *mixerCore) done() []string {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	return append([]string(nil), c.log...)
}

func (c *mixerCore) lastSet() events.MixerSetRequestV1 {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	return c.last
}

func TestMixerCommands(t *testing.T) {
	core, api := startMixerAPI(t)
	url := api.ClientURL()
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"mixer", "create", "r1", "--record", "/srv/rec/r1.wav"}, "room r1: created, recording to /srv/rec/r1.wav\n"},
		{[]string{"mixer", "create", "--node", testNode, "r2"}, "room r2: created\n"},
		{[]string{"mixer", "create", "empty"}, "room empty: created\n"},
		{[]string{"mixer", "join", "leg-1a", "r1", "--controller", "conf"}, "leg leg-1a: in room r1\n"},
		{[]string{"mixer", "join", "--muted", "leg-2a", "r1"}, "leg leg-2a: in room r1, muted\n"},
		{[]string{"mixer", "set", "leg-1a", "--deaf", "--gain-db", "-6.5"}, "leg leg-1a: deaf, gain -6.5 dB\n"},
		{[]string{"mixer", "set", "leg-2a", "--unmute"}, "leg leg-2a: unmuted\n"},
		{[]string{"mixer", "list"},
			"ROOM   RECORDING        LEG     CALL    CODEC  MUTED  DEAF  TALKING\n" +
				"empty  -                -       -       -      -      -     -\n" +
				"r1     /srv/rec/r1.wav  leg-1a  call-1  PCMU   no     yes   no\n" +
				"r1     /srv/rec/r1.wav  leg-2a  call-2  PCMU   no     no    no\n" +
				"r2     -                -       -       -      -      -     -\n"},
		{[]string{"mixer", "set", "leg-2a", "--mute", "--undeaf", "--gain-db", "0"}, "leg leg-2a: muted, hearing, gain 0 dB\n"},
		{[]string{"mixer", "leave", "leg-1a"}, "leg leg-1a: left its room (it stays up, alone)\n"},
		{[]string{"mixer", "destroy", "r1"}, "room r1: destroyed (its legs stay up, alone)\n"},
		{[]string{"mixer", "destroy", "r2", "--node", testNode}, "room r2: destroyed (its legs stay up, alone)\n"},
		{[]string{"mixer", "list"}, "ROOM   RECORDING  LEG  CALL  CODEC  MUTED  DEAF  TALKING\nempty  -          -    -     -      -      -     -\n"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitOK || r.stdout != tc.out {
			t.Errorf("%q: exit %d stdout %q stderr %q, want 0 and %q", tc.args, r.code, r.stdout, r.stderr, tc.out)
		}
	}
	want := []string{
		"create r1 /srv/rec/r1.wav", "create r2 ", "create empty ",
		"join leg-1a r1 conf false false", "join leg-2a r1  true false",
		"set leg-1a", "set leg-2a", "set leg-2a",
		"leave leg-1a ", "destroy r1", "destroy r2",
	}
	if got := core.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
	yes, no, zero := true, false, 0.0
	if got, want := core.lastSet(), (events.MixerSetRequestV1{LegID: "leg-2a", Muted: &yes, Deaf: &no, GainDB: &zero}); !reflect.DeepEqual(got, want) {
		t.Errorf("last set %+v, want %+v", got, want)
	}
}

// What mixer set sends: only the fields given, the controller with it.
func TestMixerSetSendsOnlyWhatIsGiven(t *testing.T) {
	core, api := startMixerAPI(t)
	url := api.ClientURL()
	for _, args := range [][]string{{"mixer", "create", "r1"}, {"mixer", "join", "leg-1a", "r1"}} {
		if r := runCLI(t, append([]string{"--nats", url}, args...)...); r.code != exitOK {
			t.Fatalf("%q: exit %d", args, r.code)
		}
	}
	yes, no, gain := true, false, 20.0
	for _, tc := range []struct {
		args []string
		want events.MixerSetRequestV1
	}{
		{[]string{"--mute"}, events.MixerSetRequestV1{Muted: &yes}},
		{[]string{"--unmute"}, events.MixerSetRequestV1{Muted: &no}},
		{[]string{"--deaf"}, events.MixerSetRequestV1{Deaf: &yes}},
		{[]string{"--undeaf", "--controller", "ops"}, events.MixerSetRequestV1{Controller: "ops", Deaf: &no}},
		{[]string{"--gain-db", "20"}, events.MixerSetRequestV1{GainDB: &gain}},
	} {
		r := runCLI(t, append([]string{"--nats", url, "mixer", "set", "leg-1a"}, tc.args...)...)
		tc.want.LegID = "leg-1a"
		if got := core.lastSet(); r.code != exitOK || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: exit %d, core got %+v, want %+v", tc.args, r.code, got, tc.want)
		}
	}
}

// --json prints the replies as sent; a repeated request id is answered
// from memory.
func TestMixerJSONAndRequestID(t *testing.T) {
	core, api := startMixerAPI(t)
	url := api.ClientURL()
	r := runCLI(t, "--nats", url, "--json", "mixer", "list")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, `{"request_id":"tandemctl-`) || !strings.HasSuffix(r.stdout, `,"rooms":[]}`+"\n") {
		t.Errorf("empty list: exit %d stdout %q", r.code, r.stdout)
	}
	for range 2 {
		r = runCLI(t, "--nats", url, "--json", "--request-id", "mx-1", "mixer", "create", "r1")
		if r.code != exitOK || r.stdout != `{"request_id":"mx-1"}`+"\n" {
			t.Errorf("create: exit %d stdout %q", r.code, r.stdout)
		}
	}
	if got := core.done(); len(got) != 1 {
		t.Errorf("core calls %q, want one create", got)
	}
	runCLI(t, "--nats", url, "mixer", "join", "leg-1a", "r1", "--deaf")
	r = runCLI(t, "--nats", url, "--json", "mixer", "list")
	var rep events.MixerListReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK || len(rep.Rooms) != 1 ||
		!reflect.DeepEqual(rep.Rooms[0].Participants, []events.MixerParticipantV1{{LegID: "leg-1a", CallID: "call-1", Deaf: true, Codec: "PCMU"}}) {
		t.Errorf("list: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
}

// Refusals exit 1 with the typed error; --json prints the reply too.
func TestMixerRefused(t *testing.T) {
	_, api := startMixerAPI(t)
	url := api.ClientURL()
	runCLI(t, "--nats", url, "mixer", "create", "r1")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mixer", "destroy", "r9"}, `mixer destroy: conflict (code 4): no room "r9"`},
		{[]string{"mixer", "join", "leg-1a", "r9"}, `mixer join: conflict (code 4): no room "r9"`},
		{[]string{"mixer", "join", "leg-7", "r1"}, "mixer join: unknown_leg (code 3)"},
		{[]string{"mixer", "leave", "leg-1a"}, "mixer leave: conflict (code 4): leg leg-1a is in no room"},
		{[]string{"mixer", "set", "leg-1a", "--mute"}, "mixer set: conflict (code 4): leg leg-1a is in no room"},
	} {
		r := runCLI(t, append([]string{"--nats", url}, tc.args...)...)
		if r.code != exitCommand || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q, want 1 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "--nats", url, "--json", "mixer", "leave", "leg-2a")
	var rep events.MixerLeaveReplyV1
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitCommand || rep.Error == nil || rep.Error.Code != events.ErrConflict {
		t.Errorf("--json leave: exit %d stdout %q (%v)", r.code, r.stdout, err)
	}
}

func TestMixerUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mixer"}, "mixer: which one? mixer create, mixer destroy, mixer list, mixer join, mixer leave, mixer set"},
		{[]string{"mixer", "kick"}, `unknown command "mixer kick"`},
		{[]string{"mixer", "create"}, "mixer create takes one ROOM_ID"},
		{[]string{"mixer", "create", "r1", "r2"}, "mixer create takes one ROOM_ID"},
		{[]string{"mixer", "create", ""}, "mixer create: ROOM_ID is empty"},
		{[]string{"mixer", "create", "my room"}, `ROOM_ID "my room" contains a space or a control character`},
		{[]string{"mixer", "create", "r\x01"}, "contains a space or a control character"},
		{[]string{"mixer", "create", strings.Repeat("r", 129)}, "ROOM_ID is 129 bytes, at most 128"},
		{[]string{"mixer", "create", "r1", "--record", "r1.wav"}, `--record "r1.wav" is not an absolute path`},
		{[]string{"mixer", "destroy"}, "mixer destroy takes one ROOM_ID"},
		{[]string{"mixer", "destroy", "a b"}, "contains a space"},
		{[]string{"mixer", "list", "r1"}, "mixer list takes no arguments"},
		{[]string{"mixer", "join", "leg-1a"}, "mixer join takes a LEG_ID and a ROOM_ID"},
		{[]string{"mixer", "join", "leg-1a", "r1", "r2"}, "mixer join takes a LEG_ID and a ROOM_ID"},
		{[]string{"mixer", "join", "leg-1a", "r 1"}, "contains a space"},
		{[]string{"mixer", "join", "leg-1a", "r1", "--mute"}, "flag provided but not defined: -mute"},
		{[]string{"mixer", "leave"}, "mixer leave takes one LEG_ID"},
		{[]string{"mixer", "set"}, "mixer set takes one LEG_ID"},
		{[]string{"mixer", "set", "leg-1a"}, "mixer set: nothing to set"},
		{[]string{"mixer", "set", "leg-1a", "--mute", "--unmute"}, "--mute and --unmute together"},
		{[]string{"mixer", "set", "leg-1a", "--deaf", "--undeaf"}, "--deaf and --undeaf together"},
		{[]string{"mixer", "set", "leg-1a", "--gain-db", "21"}, "--gain-db 21 not between -60 and 20"},
		{[]string{"mixer", "set", "leg-1a", "--gain-db", "-60.1"}, "--gain-db -60.1 not between -60 and 20"},
		{[]string{"mixer", "set", "leg-1a", "--gain-db", "NaN"}, "--gain-db NaN not between -60 and 20"},
		{[]string{"mixer", "set", "leg-1a", "--gain-db", "loud"}, "invalid value"},
		{[]string{"mixer", "set", "leg-1a", "--muted"}, "flag provided but not defined: -muted"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runCLI(t, "help")
	for _, want := range []string{"mixer create ROOM_ID", "mixer join LEG_ID ROOM_ID", "mixer set LEG_ID", "mixer list "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	r = runCLI(t, "mixer", "set", "-h")
	for _, want := range []string{"usage: tandemctl mixer set [flags] LEG_ID", "-mute", "-unmute", "-undeaf", "-gain-db dB", "-controller name"} {
		if r.code != exitOK || !strings.Contains(r.stderr, want) {
			t.Errorf("mixer set -h: exit %d, lacks %q", r.code, want)
		}
	}
}

// A core without MixerController does not serve the mixer verbs, and
// another node's subject has nobody: exit 3.
func TestMixerNotServed(t *testing.T) {
	_, flow := startFlowAPI(t) // FlowController only
	r := runCLI(t, "--nats", flow.ClientURL(), "mixer", "list")
	if r.code != exitConnect || !strings.Contains(r.stderr, "nobody serves tandem.v1.cmd.mixer.list") {
		t.Errorf("exit %d stderr %q, want 3", r.code, r.stderr)
	}
	_, api := startMixerAPI(t)
	r = runCLI(t, "--nats", api.ClientURL(), "--node", "node-2", "mixer", "create", "r1")
	if r.code != exitConnect || !strings.Contains(r.stderr, `nobody serves tandem.v1.cmd.node-2.mixer.create: is node "node-2" running`) {
		t.Errorf("--node node-2: exit %d stderr %q, want 3", r.code, r.stderr)
	}
}
