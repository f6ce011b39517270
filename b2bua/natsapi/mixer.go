package natsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/tandem-sip/tandem/events"
)

// MixerController is the conference mixer of the core (DESIGN.md §6): rooms
// that mix the audio of the legs put in them, the core terminating those
// legs' media. ServeCommands serves the mixer verbs (events.VerbMixerCreate
// ... VerbMixerList) only when its core also implements MixerController.
//
// Rooms belong to the node whose core made them, and a leg can only join a
// room of its own node. mixer.create, mixer.destroy and mixer.list act on
// the rooms of the node that takes the command: when several nodes serve
// the load-shared subject, a controller sends them (and the join, leave and
// set of legs in its rooms) to the node's subject,
// events.NodeCommandSubject(node, verb).
//
// The requests are validated before a method is called: room_id is a
// non-empty token of at most 128 bytes without spaces or control
// characters, record_path (when set) an absolute path without NUL of at
// most 4096 bytes, leg_id is set, gain_db in -60..20, and a mixer.set
// changes something. controller names the sender's controller, as for
// LegController. The methods return nil, an *events.Error (ErrUnknownLeg,
// ErrConflict for a room that does not exist or a leg in no room,
// ErrBadRequest...) replied as is, or another error replied as
// ErrInternal; they are called concurrently and should return within their
// ctx (Config.CommandTimeout). ListRooms must not block.
type MixerController interface {
	// CreateRoom makes a room (one that exists already: nothing to do),
	// recording its mix to recordPath when set.
	CreateRoom(ctx context.Context, roomID, recordPath string) error
	// DestroyRoom ends a room: its legs leave it (and stay up, alone) and
	// its recording is closed.
	DestroyRoom(ctx context.Context, roomID string) error
	// ListRooms returns a snapshot of the node's rooms and their
	// participants.
	ListRooms() []events.MixerRoomV1
	// JoinMixer puts a parked or answered leg in a room; it returns once
	// the leg is in it.
	JoinMixer(ctx context.Context, legID, roomID, controller string, muted, deaf bool) error
	// LeaveMixer takes a leg out of its room; the leg stays up.
	LeaveMixer(ctx context.Context, legID, controller string) error
	// SetMixer changes how a leg is mixed; nil arguments stay as they are.
	SetMixer(ctx context.Context, legID, controller string, muted, deaf *bool, gainDB *float64) error
}

var mixerVerbs = []string{
	events.VerbMixerCreate, events.VerbMixerDestroy, events.VerbMixerJoin,
	events.VerbMixerLeave, events.VerbMixerSet, events.VerbMixerList,
}

// Bounds of the mixer requests, checked before the core is called.
const (
	maxRoomID     = 128
	maxRecordPath = 4096
	minGainDB     = -60
	maxGainDB     = 20
)

// decodeMixer parses the request of a mixer verb; ok is false for a verb
// that is not one. It returns what decode returns.
func (s *commandServer) decodeMixer(verb string, data []byte) (reqID, callID string, run func(context.Context) (any, *events.Error), bad *events.Error, ok bool) {
	mc, _ := s.core.(MixerController)
	badf := badRequest(verb)
	done := verbDone(verb) // the core's error becomes the verb's error reply
	switch verb {
	case events.VerbMixerCreate:
		var req events.MixerCreateRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkRoomID(req.RoomID); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		if e := checkRecordPath(req.RecordPath); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := mc.CreateRoom(ctx, req.RoomID, req.RecordPath)
			return done(req.RequestID, err, events.MixerCreateReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbMixerDestroy:
		var req events.MixerDestroyRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if e := checkRoomID(req.RoomID); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := mc.DestroyRoom(ctx, req.RoomID)
			return done(req.RequestID, err, events.MixerDestroyReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbMixerJoin:
		var req events.MixerJoinRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.LegID == "" {
			return req.RequestID, "", nil, badf("leg_id missing"), true
		}
		if e := checkRoomID(req.RoomID); e != "" {
			return req.RequestID, "", nil, badf("%s", e), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := mc.JoinMixer(ctx, req.LegID, req.RoomID, req.Controller, req.Muted, req.Deaf)
			return done(req.RequestID, err, events.MixerJoinReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbMixerLeave:
		var req events.MixerLeaveRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		if req.LegID == "" {
			return req.RequestID, "", nil, badf("leg_id missing"), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := mc.LeaveMixer(ctx, req.LegID, req.Controller)
			return done(req.RequestID, err, events.MixerLeaveReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbMixerSet:
		var req events.MixerSetRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		switch {
		case req.LegID == "":
			return req.RequestID, "", nil, badf("leg_id missing"), true
		case req.Muted == nil && req.Deaf == nil && req.GainDB == nil:
			return req.RequestID, "", nil, badf("nothing to set: muted, deaf and gain_db missing"), true
		case req.GainDB != nil && (*req.GainDB < minGainDB || *req.GainDB > maxGainDB):
			return req.RequestID, "", nil, badf("gain_db %v not in %d..%d", *req.GainDB, minGainDB, maxGainDB), true
		}
		return req.RequestID, "", func(ctx context.Context) (any, *events.Error) {
			err := mc.SetMixer(ctx, req.LegID, req.Controller, req.Muted, req.Deaf, req.GainDB)
			return done(req.RequestID, err, events.MixerSetReplyV1{Reply: events.Reply{RequestID: req.RequestID}})
		}, nil, true

	case events.VerbMixerList:
		var req events.MixerListRequestV1
		if err := json.Unmarshal(data, &req); err != nil {
			return "", "", nil, badf("%v", err), true
		}
		return req.RequestID, "", func(context.Context) (any, *events.Error) {
			rooms := mc.ListRooms()
			if rooms == nil {
				rooms = []events.MixerRoomV1{}
			}
			for i := range rooms {
				if rooms[i].Participants == nil {
					rooms[i].Participants = []events.MixerParticipantV1{}
				}
			}
			return events.MixerListReplyV1{Reply: events.Reply{RequestID: req.RequestID}, Rooms: rooms}, nil
		}, nil, true
	}
	return "", "", nil, nil, false
}

// checkRoomID validates a room id; it returns what is wrong, or "".
func checkRoomID(id string) string {
	switch {
	case id == "":
		return "room_id missing"
	case len(id) > maxRoomID:
		return fmt.Sprintf("room_id: %d bytes, at most %d", len(id), maxRoomID)
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "room_id " + quote(id) + " contains a space or a control character"
	}
	return ""
}

// checkRecordPath validates a record_path, "" meaning no recording; it
// returns what is wrong, or "". The path is the node's: a relative one
// would depend on the node's working directory.
func checkRecordPath(p string) string {
	switch {
	case p == "":
		return ""
	case len(p) > maxRecordPath:
		return fmt.Sprintf("record_path: %d bytes, at most %d", len(p), maxRecordPath)
	case strings.IndexByte(p, 0) >= 0:
		return "record_path contains a NUL byte"
	case !filepath.IsAbs(p):
		return "record_path " + quote(p) + " is not an absolute path"
	}
	return ""
}

// mixerErrorReply is a mixer verb's reply type carrying r; nil for another
// verb.
func mixerErrorReply(verb string, r events.Reply) any {
	switch verb {
	case events.VerbMixerCreate:
		return events.MixerCreateReplyV1{Reply: r}
	case events.VerbMixerDestroy:
		return events.MixerDestroyReplyV1{Reply: r}
	case events.VerbMixerJoin:
		return events.MixerJoinReplyV1{Reply: r}
	case events.VerbMixerLeave:
		return events.MixerLeaveReplyV1{Reply: r}
	case events.VerbMixerSet:
		return events.MixerSetReplyV1{Reply: r}
	case events.VerbMixerList:
		return events.MixerListReplyV1{Reply: r}
	}
	return nil
}
