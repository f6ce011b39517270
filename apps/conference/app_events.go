package conference

import (
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// The app's events: facts about rooms and participants, published on
// tandem.v1.evt.<node>.conference.<room>.<name> (EventSubject), so the
// events stream keeps them with the core's. Their envelope names no call
// (call_id is empty, leg_id is the participant's leg) and seq counts one
// room's events from 1.
const (
	TypeRoomCreatedV1        = "tandem.conference.v1.room_created"
	TypeRoomEndedV1          = "tandem.conference.v1.room_ended"
	TypeRoomLockedV1         = "tandem.conference.v1.room_locked"
	TypeLeaseRenewedV1       = "tandem.conference.v1.lease_renewed"
	TypeParticipantJoinedV1  = "tandem.conference.v1.participant_joined"
	TypeParticipantUpdatedV1 = "tandem.conference.v1.participant_updated"
	TypeParticipantLeftV1    = "tandem.conference.v1.participant_left"
)

// EventsFilter matches every conference event of every node.
const EventsFilter = events.EventPrefix + ".*.conference.>"

// EventSubject is the subject of a room's event name.
func EventSubject(node, room, name string) string {
	return events.EventPrefix + "." + token(node) + ".conference." + token(room) + "." + name
}

// Why a room ended (RoomEndedV1.Reason).
const (
	EndCommand      = "command"       // conference.end
	EndLeaseExpired = "lease_expired" // an ad-hoc room's lease ran out
	EndMergeFailed  = "merge_failed"  // conference.merge could not move a leg in
)

// RoomCreatedV1: an ad-hoc room was created, or a static room's mixer room
// was (its first participant, or its first since it last ended).
type RoomCreatedV1 struct {
	events.Envelope
	Room      string     `json:"room"`
	URI       string     `json:"uri,omitempty"`
	Kind      string     `json:"kind"` // "static" or "adhoc"
	Recording string     `json:"recording,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (*RoomCreatedV1) Name() string { return "room_created" }

// RoomEndedV1: the room ended: its participants were hung up, its
// subscribers got a terminal NOTIFY; an ad-hoc room's URI gets 404 from
// now on.
type RoomEndedV1 struct {
	events.Envelope
	Room   string `json:"room"`
	Reason string `json:"reason"` // EndCommand, EndLeaseExpired or EndMergeFailed
}

func (*RoomEndedV1) Name() string { return "room_ended" }

// RoomLockedV1: the room was locked (new callers get 403) or unlocked.
type RoomLockedV1 struct {
	events.Envelope
	Room   string `json:"room"`
	Locked bool   `json:"locked"`
	By     string `json:"by"` // "command", or the leg id of a moderator's keypad
}

func (*RoomLockedV1) Name() string { return "room_locked" }

// LeaseRenewedV1: an ad-hoc room's lease was renewed.
type LeaseRenewedV1 struct {
	events.Envelope
	Room      string    `json:"room"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (*LeaseRenewedV1) Name() string { return "lease_renewed" }

// ParticipantJoinedV1: the leg (envelope's leg_id) is in the room's mixer:
// in the lobby (State "lobby": muted and deaf until its PIN) or in the
// conference (State "joined").
type ParticipantJoinedV1 struct {
	events.Envelope
	Room   string `json:"room"`
	CallID string `json:"call_id"`
	Entity string `json:"entity"`
	State  string `json:"state"`
	Role   string `json:"role"`
	Via    string `json:"via"`
	Muted  bool   `json:"muted"`
	Deaf   bool   `json:"deaf"`
}

func (*ParticipantJoinedV1) Name() string { return "participant_joined" }

// ParticipantUpdatedV1: the participant left the lobby (a right PIN), or
// was muted, unmuted, deafened or undeafened.
type ParticipantUpdatedV1 struct {
	events.Envelope
	Room  string `json:"room"`
	State string `json:"state"`
	Role  string `json:"role"`
	Muted bool   `json:"muted"`
	Deaf  bool   `json:"deaf"`
}

func (*ParticipantUpdatedV1) Name() string { return "participant_updated" }

// Why a participant left (ParticipantLeftV1.Reason).
const (
	LeftHangup     = "hangup"      // its leg ended
	LeftKicked     = "kicked"      // conference.kick
	LeftWrongPIN   = "wrong_pin"   // pin_attempts wrong PINs
	LeftPINTimeout = "pin_timeout" // no right PIN within pin_timeout
	LeftLocked     = "locked"      // a right PIN, but the room was locked meanwhile
	LeftRoomEnded  = "room_ended"  // the room ended
	LeftFailed     = "failed"      // its join failed, or it left the mixer by another's command
	LeftElsewhere  = "routed"      // the call was not parked for the app after all
)

// ParticipantLeftV1: the participant is gone.
type ParticipantLeftV1 struct {
	events.Envelope
	Room   string `json:"room"`
	CallID string `json:"call_id"`
	Reason string `json:"reason"`
}

func (*ParticipantLeftV1) Name() string { return "participant_left" }

// token makes s one subject token, as events does: no dots, spaces or
// wildcards; "" is "_".
func token(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', ' ', '*', '>', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, s)
}
