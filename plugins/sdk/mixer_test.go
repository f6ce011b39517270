package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// mixerCore is a core that also implements natsapi.MixerController: legs
// "l1" and "l2" exist, rooms are kept as the core keeps them, every core
// call is recorded.
type mixerCore struct {
	*core

	mu    sync.Mutex // guards the fields below
	log   []string
	rooms map[string][]events.MixerParticipantV1 // by room id
}

var _ natsapi.MixerController = (*mixerCore)(nil)

func startMixerCore(t *testing.T) *mixerCore {
	t.Helper()
	c := &mixerCore{
		core:  &core{api: startAPI(t), calls: map[string]events.CallInfoV1{}},
		rooms: map[string][]events.MixerParticipantV1{},
	}
	serve(t, c.api, c)
	return c
}

func (c *mixerCore) record(format string, args ...any) {
	c.log = append(c.log, fmt.Sprintf(format, args...))
}

// room returns the room legID is in and its place there, or "" and -1;
// mu is held.
func (c *mixerCore) room(legID string) (string, int) {
	for id, ps := range c.rooms {
		for i, p := range ps {
			if p.LegID == legID {
				return id, i
			}
		}
	}
	return "", -1
}

func (c *mixerCore) CreateRoom(_ context.Context, roomID, recordPath string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("create %s %s", roomID, recordPath)
	if _, ok := c.rooms[roomID]; !ok {
		c.rooms[roomID] = nil
	}
	return nil
}

func (c *mixerCore) DestroyRoom(_ context.Context, roomID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("destroy %s", roomID)
	if _, ok := c.rooms[roomID]; !ok {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	delete(c.rooms, roomID)
	return nil
}

func (c *mixerCore) ListRooms() []events.MixerRoomV1 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []events.MixerRoomV1
	for id, ps := range c.rooms {
		out = append(out, events.MixerRoomV1{RoomID: id, Participants: append([]events.MixerParticipantV1(nil), ps...)})
	}
	return out
}

func (c *mixerCore) JoinMixer(_ context.Context, legID, roomID, controller string, muted, deaf bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("join %s %s %s %v %v", legID, roomID, controller, muted, deaf)
	if _, ok := c.rooms[roomID]; !ok {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	if legID != "l1" && legID != "l2" {
		return events.NewError(events.ErrUnknownLeg, "no leg %q", legID)
	}
	if in, _ := c.room(legID); in != "" {
		return events.NewError(events.ErrConflict, "leg %s is in room %s already", legID, in)
	}
	c.rooms[roomID] = append(c.rooms[roomID], events.MixerParticipantV1{LegID: legID, CallID: "c-" + legID, Muted: muted, Deaf: deaf, Codec: "PCMA"})
	return nil
}

func (c *mixerCore) LeaveMixer(_ context.Context, legID, controller string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("leave %s %s", legID, controller)
	in, i := c.room(legID)
	if in == "" {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	c.rooms[in] = append(c.rooms[in][:i], c.rooms[in][i+1:]...)
	return nil
}

func (c *mixerCore) SetMixer(_ context.Context, legID, controller string, muted, deaf *bool, gainDB *float64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	opt := func(v any) string {
		switch v := v.(type) {
		case *bool:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *float64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		}
		return "-"
	}
	c.record("set %s %s %s %s %s", legID, controller, opt(muted), opt(deaf), opt(gainDB))
	in, i := c.room(legID)
	if in == "" {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	if muted != nil {
		c.rooms[in][i].Muted = *muted
	}
	if deaf != nil {
		c.rooms[in][i].Deaf = *deaf
	}
	return nil
}

func (c *mixerCore) done() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// The mixer methods send the client's controller name and come back typed;
// the core's checks refuse bad requests before it is called.
func TestMixerCommands(t *testing.T) {
	c := startMixerCore(t)
	conf := start(t, c.core, plugin("conf", func(context.Context, *sdk.Client) error { return nil })).Client()
	ctx := t.Context()
	yes, no, gain := true, false, -3.5

	if err := conf.CreateRoom(ctx, "r1", "/var/lib/tandem/r1.wav"); err != nil {
		t.Errorf("CreateRoom: %v", err)
	}
	if err := conf.CreateRoom(ctx, "r1", ""); err != nil {
		t.Errorf("CreateRoom again: %v", err)
	}
	if err := conf.CreateRoom(ctx, "my room", ""); !isCode(err, events.ErrBadRequest) {
		t.Errorf("CreateRoom(my room): %v, want bad_request", err)
	}
	if err := conf.CreateRoom(ctx, "r2", "r2.wav"); !isCode(err, events.ErrBadRequest) {
		t.Errorf("CreateRoom with a relative path: %v, want bad_request", err)
	}
	if err := conf.JoinMixer(ctx, "l1", "r1", false, false); err != nil {
		t.Errorf("JoinMixer(l1): %v", err)
	}
	if err := conf.JoinMixer(ctx, "l2", "r1", true, true); err != nil {
		t.Errorf("JoinMixer(l2): %v", err)
	}
	if err := conf.JoinMixer(ctx, "l1", "r9", false, false); !isCode(err, events.ErrConflict) {
		t.Errorf("JoinMixer(r9): %v, want conflict", err)
	}
	if err := conf.JoinMixer(ctx, "l7", "r1", false, false); !isCode(err, events.ErrUnknownLeg) {
		t.Errorf("JoinMixer(l7): %v, want unknown_leg", err)
	}
	rooms, err := conf.ListRooms(ctx)
	want := []events.MixerRoomV1{{RoomID: "r1", Participants: []events.MixerParticipantV1{
		{LegID: "l1", CallID: "c-l1", Codec: "PCMA"},
		{LegID: "l2", CallID: "c-l2", Muted: true, Deaf: true, Codec: "PCMA"},
	}}}
	if err != nil || !reflect.DeepEqual(rooms, want) {
		t.Errorf("ListRooms = %+v, %v; want %+v", rooms, err, want)
	}
	if err := conf.SetMixer(ctx, "l1", &yes, nil, &gain); err != nil {
		t.Errorf("SetMixer(l1): %v", err)
	}
	if err := conf.SetMixer(ctx, "l2", &no, &no, nil); err != nil {
		t.Errorf("SetMixer(l2): %v", err)
	}
	if err := conf.SetMixer(ctx, "l2", nil, nil, nil); !isCode(err, events.ErrBadRequest) {
		t.Errorf("SetMixer(nothing): %v, want bad_request", err)
	}
	loud := 21.0
	if err := conf.SetMixer(ctx, "l2", nil, nil, &loud); !isCode(err, events.ErrBadRequest) {
		t.Errorf("SetMixer(+21 dB): %v, want bad_request", err)
	}
	rooms, err = conf.ListRooms(ctx)
	if err != nil || len(rooms) != 1 || len(rooms[0].Participants) != 2 || !rooms[0].Participants[0].Muted || rooms[0].Participants[1].Muted || rooms[0].Participants[1].Deaf {
		t.Errorf("ListRooms after set = %+v, %v", rooms, err)
	}
	if err := conf.LeaveMixer(ctx, "l1"); err != nil {
		t.Errorf("LeaveMixer: %v", err)
	}
	if err := conf.LeaveMixer(ctx, "l1"); !isCode(err, events.ErrConflict) {
		t.Errorf("LeaveMixer again: %v, want conflict", err)
	}
	if err := conf.DestroyRoom(ctx, "r1"); err != nil {
		t.Errorf("DestroyRoom: %v", err)
	}
	if err := conf.DestroyRoom(ctx, "r1"); !isCode(err, events.ErrConflict) {
		t.Errorf("DestroyRoom again: %v, want conflict", err)
	}
	if rooms, err := conf.ListRooms(ctx); err != nil || rooms == nil || len(rooms) != 0 {
		t.Errorf("ListRooms at the end = %#v, %v; want an empty list", rooms, err)
	}

	wantCalls := []string{
		"create r1 /var/lib/tandem/r1.wav", "create r1 ",
		"join l1 r1 conf false false", "join l2 r1 conf true true", "join l1 r9 conf false false", "join l7 r1 conf false false",
		"set l1 conf true - -3.5", "set l2 conf false false -",
		"leave l1 conf", "leave l1 conf",
		"destroy r1", "destroy r1",
	}
	if got := c.done(); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("core calls:\n got %q\nwant %q", got, wantCalls)
	}
}

// Rooms are a node's own: a client that knows its node (WithNode) sends
// the mixer commands to that node's subject only, and a controller name
// given by WithController is sent.
func TestMixerCommandsGoToTheClientsNode(t *testing.T) {
	c := startMixerCore(t)
	here := start(t, c.core, plugin("conf", func(context.Context, *sdk.Client) error { return nil }),
		sdk.WithNode(node), sdk.WithController("conf-1")).Client()
	elsewhere := start(t, c.core, plugin("conf", func(context.Context, *sdk.Client) error { return nil }),
		sdk.WithNode("node-2")).Client()
	ctx := t.Context()

	if err := here.CreateRoom(ctx, "r1", ""); err != nil {
		t.Fatalf("CreateRoom on %s: %v", node, err)
	}
	if err := here.JoinMixer(ctx, "l1", "r1", false, true); err != nil {
		t.Errorf("JoinMixer on %s: %v", node, err)
	}
	for name, err := range map[string]error{
		"CreateRoom":  elsewhere.CreateRoom(ctx, "r2", ""),
		"DestroyRoom": elsewhere.DestroyRoom(ctx, "r1"),
		"JoinMixer":   elsewhere.JoinMixer(ctx, "l2", "r1", false, false),
		"LeaveMixer":  elsewhere.LeaveMixer(ctx, "l1"),
		"SetMixer":    elsewhere.SetMixer(ctx, "l1", nil, nil, new(float64)),
	} {
		if !errors.Is(err, sdk.ErrNoCore) {
			t.Errorf("%s on node-2: %v, want ErrNoCore", name, err)
		}
	}
	if _, err := elsewhere.ListRooms(ctx); !errors.Is(err, sdk.ErrNoCore) {
		t.Errorf("ListRooms on node-2: %v, want ErrNoCore", err)
	}
	// The Command variables reach any node with Do or DoOn.
	rep, err := sdk.DoOn(ctx, elsewhere, node, sdk.MixerList, events.MixerListRequestV1{})
	if err != nil || len(rep.Rooms) != 1 || rep.RequestID == "" {
		t.Errorf("DoOn(%s, MixerList) = %+v, %v", node, rep, err)
	}
	if _, err := sdk.Do(ctx, elsewhere, sdk.MixerLeave, events.MixerLeaveRequestV1{Controller: "ops", LegID: "l1"}); err != nil {
		t.Errorf("Do(MixerLeave): %v", err)
	}
	want := []string{"create r1 ", "join l1 r1 conf-1 false true", "leave l1 ops"}
	if got := c.done(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls:\n got %q\nwant %q", got, want)
	}
}
