package natsapi_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/events"
)

// fakeMixer is a core that also implements natsapi.MixerController: it
// knows the legs "l1" and "l2" ("boom" breaks the core), keeps rooms as
// the core does (create again: no-op; unknown room: conflict), and records
// every call it gets.
type fakeMixer struct {
	*fakeCore

	mu    sync.Mutex // guards the fields below
	log   []string   // one line per core call
	rooms map[string]*fakeRoom
	in    map[string]string // leg id → room id
}

type fakeRoom struct {
	record string
	parts  map[string]*events.MixerParticipantV1
}

var _ natsapi.MixerController = (*fakeMixer)(nil)

func newFakeMixer() *fakeMixer {
	return &fakeMixer{fakeCore: newFakeCore(), rooms: map[string]*fakeRoom{}, in: map[string]string{}}
}

func (f *fakeMixer) record(format string, args ...any) {
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

// leg checks a leg id; mu is held.
func (f *fakeMixer) leg(legID string) error {
	switch legID {
	case "l1", "l2":
		return nil
	case "boom":
		return errors.New("core exploded")
	}
	return events.NewError(events.ErrUnknownLeg, "no leg %s", legID)
}

func (f *fakeMixer) CreateRoom(_ context.Context, roomID, recordPath string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("create %s %s", roomID, recordPath)
	if _, ok := f.rooms[roomID]; !ok {
		f.rooms[roomID] = &fakeRoom{record: recordPath, parts: map[string]*events.MixerParticipantV1{}}
	}
	return nil
}

func (f *fakeMixer) DestroyRoom(_ context.Context, roomID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("destroy %s", roomID)
	r, ok := f.rooms[roomID]
	if !ok {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	for id := range r.parts {
		delete(f.in, id)
	}
	delete(f.rooms, roomID)
	return nil
}

// ListRooms leaves an empty room's participants nil: the command server
// sends [] anyway.
func (f *fakeMixer) ListRooms() []events.MixerRoomV1 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.MixerRoomV1
	for id, r := range f.rooms {
		room := events.MixerRoomV1{RoomID: id, Recording: r.record}
		for _, p := range r.parts {
			room.Participants = append(room.Participants, *p)
		}
		sort.Slice(room.Participants, func(i, j int) bool { return room.Participants[i].LegID < room.Participants[j].LegID })
		out = append(out, room)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoomID < out[j].RoomID })
	return out
}

func (f *fakeMixer) JoinMixer(_ context.Context, legID, roomID, controller string, muted, deaf bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("join %s %s %s %v %v", legID, roomID, controller, muted, deaf)
	r, ok := f.rooms[roomID]
	if !ok {
		return events.NewError(events.ErrConflict, "no room %q", roomID)
	}
	if err := f.leg(legID); err != nil {
		return err
	}
	if in := f.in[legID]; in != "" {
		return events.NewError(events.ErrConflict, "leg %s is in room %s already", legID, in)
	}
	f.in[legID] = roomID
	r.parts[legID] = &events.MixerParticipantV1{LegID: legID, CallID: "c1", Muted: muted, Deaf: deaf, Codec: "PCMU"}
	return nil
}

func (f *fakeMixer) LeaveMixer(_ context.Context, legID, controller string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("leave %s %s", legID, controller)
	if err := f.leg(legID); err != nil {
		return err
	}
	in := f.in[legID]
	if in == "" {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	delete(f.rooms[in].parts, legID)
	delete(f.in, legID)
	return nil
}

func (f *fakeMixer) SetMixer(_ context.Context, legID, controller string, muted, deaf *bool, gainDB *float64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("set %s %s %s %s %s", legID, controller, optString(muted), optString(deaf), optString(gainDB))
	if err := f.leg(legID); err != nil {
		return err
	}
	in := f.in[legID]
	if in == "" {
		return events.NewError(events.ErrConflict, "leg %s is in no room", legID)
	}
	p := f.rooms[in].parts[legID]
	if muted != nil {
		p.Muted = *muted
	}
	if deaf != nil {
		p.Deaf = *deaf
	}
	return nil
}

// calls returns the core calls recorded so far.
func (f *fakeMixer) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// optString prints an optional value, "-" for nil.
func optString[T any](v *T) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

func ptr[T any](v T) *T { return &v }

// A core that does not implement MixerController does not get the mixer
// verbs, and one that implements only MixerController does not get the
// flow or transfer verbs: nobody answers them.
func TestMixerVerbsNeedMixerController(t *testing.T) {
	for _, tt := range []struct {
		name  string
		core  natsapi.CallController
		verbs []string
	}{
		{"call controller", newFakeCore(), []string{events.VerbMixerCreate, events.VerbMixerList}},
		{"flow controller", newFakeFlow(), []string{events.VerbMixerJoin, events.VerbMixerSet}},
		{"mixer controller", newFakeMixer(), []string{events.VerbLegsBridge, events.VerbTransfersBlind}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := startAPI(t)
			nc := serveCore(t, e, tt.core)
			for _, verb := range tt.verbs {
				_, err := nc.RequestWithContext(ctxT(t, 5*time.Second), events.CommandSubject(verb), []byte(`{}`))
				if !errors.Is(err, nats.ErrNoResponders) {
					t.Errorf("%s: err = %v, want no responders", verb, err)
				}
			}
		})
	}
}

// A room's life over NATS: create (again: no-op), join two legs, list,
// mute, leave, destroy; refusals of the core come back in the verb's reply
// type. Rooms are the node's, so the node's subject serves every verb too.
func TestMixerRoomCommands(t *testing.T) {
	e := startAPI(t)
	core := newFakeMixer()
	nc := serveCore(t, e, core)
	subj := events.CommandSubject
	node := func(verb string) string { return events.NodeCommandSubject(testNode, verb) }

	var create events.MixerCreateReplyV1
	request(t, nc, node(events.VerbMixerCreate), events.MixerCreateRequestV1{RequestID: "c1", Controller: "conf", RoomID: "r1", RecordPath: "/var/lib/tandem/r1.wav"}, &create)
	wantCode(t, create.Reply, 0)
	if create.RequestID != "c1" {
		t.Errorf("create reply %+v", create)
	}
	for i, id := range []string{"r1", "größe-2"} {
		create = events.MixerCreateReplyV1{}
		request(t, nc, subj(events.VerbMixerCreate), events.MixerCreateRequestV1{RequestID: fmt.Sprint("c", i+2), RoomID: id}, &create)
		wantCode(t, create.Reply, 0)
	}

	for _, tt := range []struct {
		req  events.MixerJoinRequestV1
		want events.ErrorCode
	}{
		{events.MixerJoinRequestV1{RequestID: "j1", Controller: "conf", LegID: "l1", RoomID: "r1"}, 0},
		{events.MixerJoinRequestV1{RequestID: "j2", Controller: "conf", LegID: "l2", RoomID: "r1", Muted: true, Deaf: true}, 0},
		{events.MixerJoinRequestV1{RequestID: "j3", LegID: "l1", RoomID: "größe-2"}, events.ErrConflict},
		{events.MixerJoinRequestV1{RequestID: "j4", LegID: "l1", RoomID: "nope"}, events.ErrConflict},
		{events.MixerJoinRequestV1{RequestID: "j5", LegID: "l9", RoomID: "r1"}, events.ErrUnknownLeg},
		{events.MixerJoinRequestV1{RequestID: "j6", LegID: "boom", RoomID: "r1"}, events.ErrInternal},
	} {
		var rep events.MixerJoinReplyV1
		request(t, nc, subj(events.VerbMixerJoin), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
		if rep.RequestID != tt.req.RequestID {
			t.Errorf("%s: reply %+v", tt.req.RequestID, rep)
		}
	}

	var list events.MixerListReplyV1
	raw := request(t, nc, node(events.VerbMixerList), events.MixerListRequestV1{RequestID: "ls1"}, &list)
	wantCode(t, list.Reply, 0)
	want := []events.MixerRoomV1{
		{RoomID: "größe-2", Participants: []events.MixerParticipantV1{}},
		{RoomID: "r1", Recording: "/var/lib/tandem/r1.wav", Participants: []events.MixerParticipantV1{
			{LegID: "l1", CallID: "c1", Codec: "PCMU"},
			{LegID: "l2", CallID: "c1", Muted: true, Deaf: true, Codec: "PCMU"},
		}},
	}
	if list.RequestID != "ls1" || !reflect.DeepEqual(list.Rooms, want) {
		t.Errorf("list = %+v, want %+v", list, want)
	}
	if !strings.Contains(string(raw), `"participants":[]`) {
		t.Errorf("an empty room's participants are not []: %s", raw)
	}

	for _, tt := range []struct {
		req  events.MixerSetRequestV1
		want events.ErrorCode
	}{
		{events.MixerSetRequestV1{RequestID: "s1", Controller: "conf", LegID: "l1", Muted: ptr(true), GainDB: ptr(-6.5)}, 0},
		{events.MixerSetRequestV1{RequestID: "s2", LegID: "l2", Deaf: ptr(false)}, 0},
		{events.MixerSetRequestV1{RequestID: "s3", LegID: "l2", Muted: ptr(false), Deaf: ptr(true), GainDB: ptr(20.0)}, 0},
		{events.MixerSetRequestV1{RequestID: "s4", LegID: "l2", GainDB: ptr(-60.0)}, 0},
		{events.MixerSetRequestV1{RequestID: "s5", LegID: "l7", Muted: ptr(true)}, events.ErrUnknownLeg},
	} {
		var rep events.MixerSetReplyV1
		request(t, nc, subj(events.VerbMixerSet), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
	}

	for _, tt := range []struct {
		req  events.MixerLeaveRequestV1
		want events.ErrorCode
	}{
		{events.MixerLeaveRequestV1{RequestID: "l1", Controller: "conf", LegID: "l1"}, 0},
		{events.MixerLeaveRequestV1{RequestID: "l2", LegID: "l1"}, events.ErrConflict},
	} {
		var rep events.MixerLeaveReplyV1
		request(t, nc, node(events.VerbMixerLeave), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
	}
	var set events.MixerSetReplyV1
	request(t, nc, subj(events.VerbMixerSet), events.MixerSetRequestV1{RequestID: "s6", LegID: "l1", Muted: ptr(false)}, &set)
	wantCode(t, set.Reply, events.ErrConflict)

	for _, tt := range []struct {
		req  events.MixerDestroyRequestV1
		want events.ErrorCode
	}{
		{events.MixerDestroyRequestV1{RequestID: "d1", Controller: "conf", RoomID: "r1"}, 0},
		{events.MixerDestroyRequestV1{RequestID: "d2", RoomID: "r1"}, events.ErrConflict},
	} {
		var rep events.MixerDestroyReplyV1
		request(t, nc, node(events.VerbMixerDestroy), tt.req, &rep)
		wantCode(t, rep.Reply, tt.want)
	}
	list = events.MixerListReplyV1{}
	request(t, nc, subj(events.VerbMixerList), events.MixerListRequestV1{RequestID: "ls2"}, &list)
	if len(list.Rooms) != 1 || list.Rooms[0].RoomID != "größe-2" {
		t.Errorf("after destroy: rooms %+v", list.Rooms)
	}

	wantCalls := []string{
		"create r1 /var/lib/tandem/r1.wav", "create r1 ", "create größe-2 ",
		"join l1 r1 conf false false", "join l2 r1 conf true true", "join l1 größe-2  false false",
		"join l1 nope  false false", "join l9 r1  false false", "join boom r1  false false",
		"set l1 conf true - -6.5", "set l2  - false -", "set l2  false true 20", "set l2  - - -60", "set l7  true - -",
		"leave l1 conf", "leave l1 ",
		"set l1  false - -",
		"destroy r1", "destroy r1",
	}
	if got := core.calls(); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("core calls:\n got %q\nwant %q", got, wantCalls)
	}
}

// A node without rooms lists [] rather than null.
func TestMixerListEmpty(t *testing.T) {
	e := startAPI(t)
	nc := serveCore(t, e, newFakeMixer())
	var rep events.MixerListReplyV1
	raw := request(t, nc, events.CommandSubject(events.VerbMixerList), []byte(`{}`), &rep)
	wantCode(t, rep.Reply, 0)
	if !strings.Contains(string(raw), `"rooms":[]`) {
		t.Errorf("reply %s, want rooms []", raw)
	}
}

// A retried join or create (same request_id) does not reach the core
// twice: the first reply is replayed, on either subject, a refusal too.
func TestMixerIdempotent(t *testing.T) {
	e := startAPI(t)
	core := newFakeMixer()
	nc := serveCore(t, e, core)
	create := events.MixerCreateRequestV1{RequestID: "same-c", RoomID: "r1"}
	join := events.MixerJoinRequestV1{RequestID: "same-j", Controller: "conf", LegID: "l1", RoomID: "r1"}
	var raws []string
	for _, subj := range []string{events.CommandSubject(events.VerbMixerJoin), events.NodeCommandSubject(testNode, events.VerbMixerJoin)} {
		var c events.MixerCreateReplyV1
		request(t, nc, strings.Replace(subj, events.VerbMixerJoin, events.VerbMixerCreate, 1), create, &c)
		wantCode(t, c.Reply, 0)
		var rep events.MixerJoinReplyV1
		raws = append(raws, string(request(t, nc, subj, join, &rep)))
		wantCode(t, rep.Reply, 0)
	}
	if raws[0] != raws[1] {
		t.Errorf("replayed %s, first %s", raws[1], raws[0])
	}
	// A refusal is remembered too: l2 is in no room.
	leave := events.MixerLeaveRequestV1{RequestID: "same-l", LegID: "l2"}
	for range 2 {
		var rep events.MixerLeaveReplyV1
		request(t, nc, events.CommandSubject(events.VerbMixerLeave), leave, &rep)
		wantCode(t, rep.Reply, events.ErrConflict)
	}
	want := []string{"create r1 ", "join l1 r1 conf false false", "leave l2 "}
	if got := core.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("core calls = %q, want %q", got, want)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbMixerJoin, "result", "replayed"); n != 1 {
		t.Errorf("commands{mixer.join, replayed} = %v, want 1", n)
	}
}

func TestMixerBadRequests(t *testing.T) {
	e := startAPI(t)
	core := newFakeMixer()
	nc := serveCore(t, e, core)
	long := strings.Repeat("r", 129)
	tests := []struct {
		name, verb, data string
		field            string // the message names it
	}{
		{"create garbage", events.VerbMixerCreate, `{`, ""},
		{"create without room", events.VerbMixerCreate, `{"request_id":"1"}`, "room_id"},
		{"create room with space", events.VerbMixerCreate, `{"request_id":"2","room_id":"my room"}`, "room_id"},
		{"create room with tab", events.VerbMixerCreate, `{"request_id":"3","room_id":"a\tb"}`, "room_id"},
		{"create room with line break", events.VerbMixerCreate, `{"request_id":"4","room_id":"a\r\nb"}`, "room_id"},
		{"create room with NUL", events.VerbMixerCreate, `{"request_id":"5","room_id":"a\u0000"}`, "room_id"},
		{"create room with DEL", events.VerbMixerCreate, `{"request_id":"6","room_id":"a\u007f"}`, "room_id"},
		{"create room with no-break space", events.VerbMixerCreate, `{"request_id":"7","room_id":"a\u00a0b"}`, "room_id"},
		{"create long room", events.VerbMixerCreate, `{"request_id":"8","room_id":"` + long + `"}`, "room_id"},
		{"create relative record path", events.VerbMixerCreate, `{"request_id":"9","room_id":"r1","record_path":"r1.wav"}`, "record_path"},
		{"create record path with NUL", events.VerbMixerCreate, `{"request_id":"10","room_id":"r1","record_path":"/tmp/r\u0000.wav"}`, "record_path"},
		{"create long record path", events.VerbMixerCreate, `{"request_id":"11","room_id":"r1","record_path":"/` + strings.Repeat("d", 4096) + `"}`, "record_path"},
		{"destroy without room", events.VerbMixerDestroy, `{"request_id":"12"}`, "room_id"},
		{"destroy room with space", events.VerbMixerDestroy, `{"request_id":"13","room_id":" r1"}`, "room_id"},
		{"join without leg", events.VerbMixerJoin, `{"request_id":"14","room_id":"r1"}`, "leg_id"},
		{"join without room", events.VerbMixerJoin, `{"request_id":"15","leg_id":"l1"}`, "room_id"},
		{"join long room", events.VerbMixerJoin, `{"request_id":"16","leg_id":"l1","room_id":"` + long + `"}`, "room_id"},
		{"join muted as string", events.VerbMixerJoin, `{"request_id":"17","leg_id":"l1","room_id":"r1","muted":"yes"}`, ""},
		{"leave without leg", events.VerbMixerLeave, `{"request_id":"18"}`, "leg_id"},
		{"set without leg", events.VerbMixerSet, `{"request_id":"19","muted":true}`, "leg_id"},
		{"set nothing", events.VerbMixerSet, `{"request_id":"20","leg_id":"l1"}`, "muted, deaf and gain_db"},
		{"set gain too low", events.VerbMixerSet, `{"request_id":"21","leg_id":"l1","gain_db":-60.5}`, "gain_db"},
		{"set gain too high", events.VerbMixerSet, `{"request_id":"22","leg_id":"l1","gain_db":21}`, "gain_db"},
		{"set gain as string", events.VerbMixerSet, `{"request_id":"23","leg_id":"l1","gain_db":"3"}`, ""},
		{"list garbage", events.VerbMixerList, `[]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep events.Reply
			request(t, nc, events.CommandSubject(tt.verb), []byte(tt.data), &rep)
			wantCode(t, rep, events.ErrBadRequest)
			if rep.Error == nil {
				return
			}
			if !strings.HasPrefix(rep.Error.Message, tt.verb+": ") {
				t.Errorf("message %q does not name the verb", rep.Error.Message)
			}
			if !strings.Contains(rep.Error.Message, tt.field) {
				t.Errorf("message %q does not name %q", rep.Error.Message, tt.field)
			}
		})
	}
	if got := core.calls(); len(got) != 0 {
		t.Errorf("bad requests reached the core: %q", got)
	}
	// At the bounds: accepted.
	for _, req := range []any{
		events.MixerCreateRequestV1{RequestID: "ok1", RoomID: strings.Repeat("r", 128), RecordPath: "/" + strings.Repeat("d", 4095)},
		events.MixerCreateRequestV1{RequestID: "ok2", RoomID: "sip:conf-7@example.com;x=y", RecordPath: "/tmp/a b.wav"},
	} {
		var rep events.MixerCreateReplyV1
		request(t, nc, events.CommandSubject(events.VerbMixerCreate), req, &rep)
		wantCode(t, rep.Reply, 0)
	}
	if n := metric(t, e.reg, "tandem_nats_commands_total", "verb", events.VerbMixerSet, "result", "bad_request"); n != 5 {
		t.Errorf("commands{mixer.set, bad_request} = %v, want 5", n)
	}
}
