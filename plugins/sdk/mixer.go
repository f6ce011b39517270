package sdk

import (
	"context"

	"github.com/tandem-sip/tandem/events"
)

// The core's mixer commands: rooms of a node's conference mixer and the
// legs in them (the core terminates their media; audio never crosses
// NATS). The mixer events (events.MixerJoinedV1, ...LeftV1, ...TalkingV1,
// ...DigitV1) are call events of the legs.
//
// Rooms are a node's own, and a leg joins only a room of its node. The
// Client methods (CreateRoom, JoinMixer...) therefore act on the rooms of
// the client's node (Client.Node: the node that runs the plugin) when it
// is known, else on those of whichever node takes the command, which is
// right with one node only. To reach another node's rooms, send these
// Commands with DoOn.
var (
	MixerCreate = Command[events.MixerCreateRequestV1, events.MixerCreateReplyV1]{
		Verb:      events.VerbMixerCreate,
		RequestID: func(r *events.MixerCreateRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerCreateReplyV1) *events.Reply { return &r.Reply },
	}
	MixerDestroy = Command[events.MixerDestroyRequestV1, events.MixerDestroyReplyV1]{
		Verb:      events.VerbMixerDestroy,
		RequestID: func(r *events.MixerDestroyRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerDestroyReplyV1) *events.Reply { return &r.Reply },
	}
	MixerJoin = Command[events.MixerJoinRequestV1, events.MixerJoinReplyV1]{
		Verb:      events.VerbMixerJoin,
		RequestID: func(r *events.MixerJoinRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerJoinReplyV1) *events.Reply { return &r.Reply },
	}
	MixerLeave = Command[events.MixerLeaveRequestV1, events.MixerLeaveReplyV1]{
		Verb:      events.VerbMixerLeave,
		RequestID: func(r *events.MixerLeaveRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerLeaveReplyV1) *events.Reply { return &r.Reply },
	}
	MixerSet = Command[events.MixerSetRequestV1, events.MixerSetReplyV1]{
		Verb:      events.VerbMixerSet,
		RequestID: func(r *events.MixerSetRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerSetReplyV1) *events.Reply { return &r.Reply },
	}
	MixerList = Command[events.MixerListRequestV1, events.MixerListReplyV1]{
		Verb:      events.VerbMixerList,
		RequestID: func(r *events.MixerListRequestV1) *string { return &r.RequestID },
		Reply:     func(r *events.MixerListReplyV1) *events.Reply { return &r.Reply },
	}
)

// doMixer sends a mixer command to the client's node when it is known
// (Client.Node), to any node otherwise.
func doMixer[Req, Rep any](ctx context.Context, c *Client, cmd Command[Req, Rep], req Req) (Rep, error) {
	if node := c.Node(); node != "" {
		return DoOn(ctx, c, node, cmd, req)
	}
	return Do(ctx, c, cmd, req)
}

// CreateRoom makes a mixing room (again: nothing to do) and, when
// recordPath (an absolute path on the node) is set, records its mix there
// as a WAV file until the room ends.
func (c *Client) CreateRoom(ctx context.Context, roomID, recordPath string) error {
	_, err := doMixer(ctx, c, MixerCreate, events.MixerCreateRequestV1{
		Controller: c.Controller(), RoomID: roomID, RecordPath: recordPath,
	})
	return err
}

// DestroyRoom ends a room: its legs leave it (they stay up, alone, each
// with a mixer_left event) and its recording is closed. A room that does
// not exist is refused with events.ErrConflict.
func (c *Client) DestroyRoom(ctx context.Context, roomID string) error {
	_, err := doMixer(ctx, c, MixerDestroy, events.MixerDestroyRequestV1{Controller: c.Controller(), RoomID: roomID})
	return err
}

// ListRooms returns the node's rooms and their participants.
func (c *Client) ListRooms(ctx context.Context) ([]events.MixerRoomV1, error) {
	rep, err := doMixer(ctx, c, MixerList, events.MixerListRequestV1{})
	return rep.Rooms, err
}

// JoinMixer puts a leg in a room, muted (the others do not hear it) and
// deaf (it hears nothing) as asked, and returns once it is in: a parked
// leg is answered with Tandem's media, an answered one re-INVITEd with it
// (its peer stays up, alone). An unknown room, or a leg in a room already,
// is refused with events.ErrConflict.
func (c *Client) JoinMixer(ctx context.Context, legID, roomID string, muted, deaf bool) error {
	_, err := doMixer(ctx, c, MixerJoin, events.MixerJoinRequestV1{
		Controller: c.Controller(), LegID: legID, RoomID: roomID, Muted: muted, Deaf: deaf,
	})
	return err
}

// LeaveMixer takes a leg out of its room; the leg stays up, alone. A leg
// in no room is refused with events.ErrConflict.
func (c *Client) LeaveMixer(ctx context.Context, legID string) error {
	_, err := doMixer(ctx, c, MixerLeave, events.MixerLeaveRequestV1{Controller: c.Controller(), LegID: legID})
	return err
}

// SetMixer changes how a leg in a room is mixed: muted, deaf, and gainDB
// (how loud the others hear it, -60..20 dB); nil arguments stay as they
// are, and at least one must be set.
func (c *Client) SetMixer(ctx context.Context, legID string, muted, deaf *bool, gainDB *float64) error {
	_, err := doMixer(ctx, c, MixerSet, events.MixerSetRequestV1{
		Controller: c.Controller(), LegID: legID, Muted: muted, Deaf: deaf, GainDB: gainDB,
	})
	return err
}
