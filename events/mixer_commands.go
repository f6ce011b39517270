package events

// Mixer commands: the core's conference mixer (DESIGN.md §6). Rooms are
// created and ended by a conference application; legs join and leave them;
// media never crosses NATS, only these commands and the mixer events do.

// Verbs of the mixer commands.
const (
	VerbMixerCreate  = "mixer.create"
	VerbMixerDestroy = "mixer.destroy"
	VerbMixerJoin    = "mixer.join"
	VerbMixerLeave   = "mixer.leave"
	VerbMixerSet     = "mixer.set"
	VerbMixerList    = "mixer.list"
)

// Type strings of the mixer commands.
const (
	TypeMixerCreateRequestV1  = "tandem.cmd.v1.mixer.create.request"
	TypeMixerCreateReplyV1    = "tandem.cmd.v1.mixer.create.reply"
	TypeMixerDestroyRequestV1 = "tandem.cmd.v1.mixer.destroy.request"
	TypeMixerDestroyReplyV1   = "tandem.cmd.v1.mixer.destroy.reply"
	TypeMixerJoinRequestV1    = "tandem.cmd.v1.mixer.join.request"
	TypeMixerJoinReplyV1      = "tandem.cmd.v1.mixer.join.reply"
	TypeMixerLeaveRequestV1   = "tandem.cmd.v1.mixer.leave.request"
	TypeMixerLeaveReplyV1     = "tandem.cmd.v1.mixer.leave.reply"
	TypeMixerSetRequestV1     = "tandem.cmd.v1.mixer.set.request"
	TypeMixerSetReplyV1       = "tandem.cmd.v1.mixer.set.reply"
	TypeMixerListRequestV1    = "tandem.cmd.v1.mixer.list.request"
	TypeMixerListReplyV1      = "tandem.cmd.v1.mixer.list.reply"
)

// MixerCreateRequestV1 creates a mixing room on the node (again: no-op).
type MixerCreateRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	RoomID     string `json:"room_id"`
	// RecordPath, when set, records the room's mix to this WAV file
	// (G.711 µ-law, 8 kHz mono) until the room ends.
	RecordPath string `json:"record_path,omitempty"`
}

// MixerCreateReplyV1 answers MixerCreateRequestV1.
type MixerCreateReplyV1 struct {
	Reply
}

// MixerDestroyRequestV1 ends a room: its participants leave (their legs
// stay up, alone) and its recording is closed.
type MixerDestroyRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	RoomID     string `json:"room_id"`
}

// MixerDestroyReplyV1 answers MixerDestroyRequestV1.
type MixerDestroyReplyV1 struct {
	Reply
}

// MixerJoinRequestV1 puts a leg in a room: Tandem terminates its media (an
// RTP socket of its own, G.711 and telephone-events). A parked leg is
// answered with that media; an answered leg is re-INVITEd with it (its
// peer, if any, stays up alone).
type MixerJoinRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
	RoomID     string `json:"room_id"`
	Muted      bool   `json:"muted,omitempty"`
	Deaf       bool   `json:"deaf,omitempty"`
}

// MixerJoinReplyV1 answers MixerJoinRequestV1 once the leg is in the room.
type MixerJoinReplyV1 struct {
	Reply
}

// MixerLeaveRequestV1 takes a leg out of its room; the leg stays up.
type MixerLeaveRequestV1 struct {
	RequestID  string `json:"request_id"`
	Controller string `json:"controller,omitempty"`
	LegID      string `json:"leg_id"`
}

// MixerLeaveReplyV1 answers MixerLeaveRequestV1.
type MixerLeaveReplyV1 struct {
	Reply
}

// MixerSetRequestV1 changes how a participant is mixed; nil fields stay.
type MixerSetRequestV1 struct {
	RequestID  string   `json:"request_id"`
	Controller string   `json:"controller,omitempty"`
	LegID      string   `json:"leg_id"`
	Muted      *bool    `json:"muted,omitempty"`
	Deaf       *bool    `json:"deaf,omitempty"`
	GainDB     *float64 `json:"gain_db,omitempty"` // what the others hear of it, -60..+20
}

// MixerSetReplyV1 answers MixerSetRequestV1.
type MixerSetReplyV1 struct {
	Reply
}

// MixerListRequestV1 lists the node's rooms and their participants.
type MixerListRequestV1 struct {
	RequestID string `json:"request_id"`
}

// MixerRoomV1 is a room in MixerListReplyV1.
type MixerRoomV1 struct {
	RoomID       string               `json:"room_id"`
	Recording    string               `json:"recording,omitempty"`
	Participants []MixerParticipantV1 `json:"participants"`
}

// MixerParticipantV1 is a participant in MixerRoomV1.
type MixerParticipantV1 struct {
	LegID   string `json:"leg_id"`
	CallID  string `json:"call_id"`
	Muted   bool   `json:"muted"`
	Deaf    bool   `json:"deaf"`
	Talking bool   `json:"talking"`
	Codec   string `json:"codec"` // "PCMU" or "PCMA"
}

// MixerListReplyV1 answers MixerListRequestV1.
type MixerListReplyV1 struct {
	Reply
	Rooms []MixerRoomV1 `json:"rooms"`
}
