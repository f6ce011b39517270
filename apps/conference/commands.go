package conference

import (
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// The app's commands: request/reply JSON on
// events.CommandSubject(verb), i.e. tandem.v1.cmd.conference.<verb>,
// served in the queue group named after the plugin. Every request carries
// a request_id (a repeat within RepliesTTL gets the first reply without
// running again); every reply carries it back, and an error as an
// *events.Error with the core's codes: ErrBadRequest (a field is missing
// or wrong), ErrConflict (no such room, the room has ended, the leg is in
// none of the app's rooms...), ErrUnavailable (the app is stopping),
// ErrInternal. Go clients send them with sdk.Do and the Cmd variables.
const (
	VerbList    = "conference.list"   // rooms and participants
	VerbCreate  = "conference.create" // an ad-hoc room: its URI, a lease
	VerbRenew   = "conference.renew"  // renew an ad-hoc room's lease
	VerbEnd     = "conference.end"    // end a room: everyone is hung up
	VerbLock    = "conference.lock"   // refuse new callers (403)
	VerbUnlock  = "conference.unlock" // let callers in again
	VerbMute    = "conference.mute"   // the others no longer hear the leg
	VerbUnmute  = "conference.unmute" //
	VerbDeaf    = "conference.deaf"   // the leg no longer hears the others
	VerbUndeaf  = "conference.undeaf" //
	VerbKick    = "conference.kick"   // hang the leg up (BYE)
	VerbDial    = "conference.dial"   // call a URI into a room
	VerbMerge   = "conference.merge"  // move a call's two legs into a new ad-hoc room
	verbsPrefix = "conference."
)

// CommandFilter is the subject filter of every conference command.
const CommandFilter = events.CommandPrefix + ".conference.*"

// ListRequestV1 lists the rooms (all, or Room only) and their
// participants.
type ListRequestV1 struct {
	RequestID string `json:"request_id"`
	Room      string `json:"room,omitempty"` // a room's name or URI
}

// ListReplyV1 answers ListRequestV1.
type ListReplyV1 struct {
	events.Reply
	Rooms []RoomV1 `json:"rooms"`
}

// RoomV1 is a room in ListReplyV1.
type RoomV1 struct {
	Room            string          `json:"room"` // its name: the user part of its URI
	URI             string          `json:"uri,omitempty"`
	Kind            string          `json:"kind"`  // "static" or "adhoc"
	State           string          `json:"state"` // "open" or "locked"
	Node            string          `json:"node,omitempty"`
	PIN             bool            `json:"pin"` // callers go through the lobby
	MaxParticipants int             `json:"max_participants,omitempty"`
	Recording       string          `json:"recording,omitempty"`
	ExpiresAt       *time.Time      `json:"expires_at,omitempty"` // an ad-hoc room's lease
	Participants    []ParticipantV1 `json:"participants"`
}

// ParticipantV1 is a participant in RoomV1.
type ParticipantV1 struct {
	LegID   string `json:"leg_id"`
	CallID  string `json:"call_id"`
	Entity  string `json:"entity"` // the party's URI
	State   string `json:"state"`  // admitted, dialing, joining, lobby or joined
	Role    string `json:"role"`   // participant or moderator
	Via     string `json:"via"`    // dial-in, dial-out or merge
	Muted   bool   `json:"muted"`
	Deaf    bool   `json:"deaf"`
	Talking bool   `json:"talking"`
}

// CreateRequestV1 creates an ad-hoc room and leases its URI (lease draft
// REQ 1-3): the lease lasts TTLMS (0: adhoc.lease_ttl), at most
// adhoc.max_lease_ttl.
type CreateRequestV1 struct {
	RequestID string `json:"request_id"`
	// Domain is the host[:port] of the URI (default: the config's domain).
	Domain          string `json:"domain,omitempty"`
	TTLMS           int64  `json:"ttl_ms,omitempty"`
	PIN             string `json:"pin,omitempty"`
	MaxParticipants int    `json:"max_participants,omitempty"`
	Record          bool   `json:"record,omitempty"`
	// Node is the node whose mixer holds the room (default: the app's).
	Node string `json:"node,omitempty"`
}

// CreateReplyV1 answers CreateRequestV1: the room, its URI and lease.
type CreateReplyV1 struct {
	events.Reply
	Room      string    `json:"room,omitempty"`
	URI       string    `json:"uri,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	TTLMS     int64     `json:"ttl_ms,omitempty"` // what was granted
}

// RenewRequestV1 renews an ad-hoc room's lease (REQ 4) for TTLMS from now
// (0: adhoc.lease_ttl), at most adhoc.max_lease_ttl.
type RenewRequestV1 struct {
	RequestID string `json:"request_id"`
	Room      string `json:"room"`
	TTLMS     int64  `json:"ttl_ms,omitempty"`
}

// RenewReplyV1 answers RenewRequestV1.
type RenewReplyV1 struct {
	events.Reply
	ExpiresAt time.Time `json:"expires_at"`
	TTLMS     int64     `json:"ttl_ms,omitempty"`
}

// RoomRequestV1 acts on a room: end, lock, unlock.
type RoomRequestV1 struct {
	RequestID string `json:"request_id"`
	Room      string `json:"room"` // a room's name or URI
}

// RoomReplyV1 answers RoomRequestV1.
type RoomReplyV1 struct {
	events.Reply
}

// ParticipantRequestV1 acts on a participant: mute, unmute, deaf, undeaf,
// kick.
type ParticipantRequestV1 struct {
	RequestID string `json:"request_id"`
	LegID     string `json:"leg_id"`
}

// ParticipantReplyV1 answers ParticipantRequestV1.
type ParticipantReplyV1 struct {
	events.Reply
}

// DialRequestV1 calls Target into Room: an INVITE without an offer
// (legs.originate); the leg joins the room when it answers. The reply
// comes once the INVITE is sent; participant events tell the rest.
type DialRequestV1 struct {
	RequestID string `json:"request_id"`
	Room      string `json:"room"`
	Target    string `json:"target"` // SIP or SIPS URI
	// From is the INVITE's From (default: the room's URI, else the core's).
	From      string `json:"from,omitempty"`
	Muted     bool   `json:"muted,omitempty"`
	Deaf      bool   `json:"deaf,omitempty"`
	TimeoutMS int64  `json:"timeout_ms,omitempty"` // ringing (default: the core's)
}

// DialReplyV1 answers DialRequestV1 with the new leg.
type DialReplyV1 struct {
	events.Reply
	CallID string `json:"call_id,omitempty"`
	LegID  string `json:"leg_id,omitempty"`
}

// MergeRequestV1 moves the two legs of a call into a new ad-hoc room
// (RFC 4579 §5.5's ad-hoc conference, with the lease draft §3.2's URI):
// each is re-INVITEd with Tandem's media. Domain, TTLMS and Node are
// CreateRequestV1's (Node defaults to the call's).
type MergeRequestV1 struct {
	RequestID string `json:"request_id"`
	CallID    string `json:"call_id"`
	Domain    string `json:"domain,omitempty"`
	TTLMS     int64  `json:"ttl_ms,omitempty"`
}

// MergeReplyV1 answers MergeRequestV1 once both legs are in the room.
type MergeReplyV1 struct {
	events.Reply
	Room      string    `json:"room,omitempty"`
	URI       string    `json:"uri,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	LegIDs    []string  `json:"leg_ids,omitempty"`
}

// The commands for sdk.Do.
var (
	CmdList   = command[ListRequestV1, ListReplyV1](VerbList, func(r *ListRequestV1) *string { return &r.RequestID }, func(r *ListReplyV1) *events.Reply { return &r.Reply })
	CmdCreate = command[CreateRequestV1, CreateReplyV1](VerbCreate, func(r *CreateRequestV1) *string { return &r.RequestID }, func(r *CreateReplyV1) *events.Reply { return &r.Reply })
	CmdRenew  = command[RenewRequestV1, RenewReplyV1](VerbRenew, func(r *RenewRequestV1) *string { return &r.RequestID }, func(r *RenewReplyV1) *events.Reply { return &r.Reply })
	CmdEnd    = roomCommand(VerbEnd)
	CmdLock   = roomCommand(VerbLock)
	CmdUnlock = roomCommand(VerbUnlock)
	CmdMute   = participantCommand(VerbMute)
	CmdUnmute = participantCommand(VerbUnmute)
	CmdDeaf   = participantCommand(VerbDeaf)
	CmdUndeaf = participantCommand(VerbUndeaf)
	CmdKick   = participantCommand(VerbKick)
	CmdDial   = command[DialRequestV1, DialReplyV1](VerbDial, func(r *DialRequestV1) *string { return &r.RequestID }, func(r *DialReplyV1) *events.Reply { return &r.Reply })
	CmdMerge  = command[MergeRequestV1, MergeReplyV1](VerbMerge, func(r *MergeRequestV1) *string { return &r.RequestID }, func(r *MergeReplyV1) *events.Reply { return &r.Reply })
)

func command[Req, Rep any](verb string, id func(*Req) *string, reply func(*Rep) *events.Reply) sdk.Command[Req, Rep] {
	return sdk.Command[Req, Rep]{Verb: verb, RequestID: id, Reply: reply}
}

func roomCommand(verb string) sdk.Command[RoomRequestV1, RoomReplyV1] {
	return command[RoomRequestV1, RoomReplyV1](verb, func(r *RoomRequestV1) *string { return &r.RequestID }, func(r *RoomReplyV1) *events.Reply { return &r.Reply })
}

func participantCommand(verb string) sdk.Command[ParticipantRequestV1, ParticipantReplyV1] {
	return command[ParticipantRequestV1, ParticipantReplyV1](verb, func(r *ParticipantRequestV1) *string { return &r.RequestID }, func(r *ParticipantReplyV1) *events.Reply { return &r.Reply })
}
