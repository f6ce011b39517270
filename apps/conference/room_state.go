package conference

import "github.com/tandem-sip/tandem/events"

// roomState is a room's life: open, locked (no new callers) or ended.
type roomState int

const (
	roomOpen roomState = iota
	roomLocked
	roomEnded
)

func (s roomState) String() string {
	switch s {
	case roomOpen:
		return "open"
	case roomLocked:
		return "locked"
	case roomEnded:
		return "ended"
	}
	return "unknown"
}

// roomOp is what is done to a room.
type roomOp int

const (
	opLock roomOp = iota
	opUnlock
	opEnd
)

// nextRoomState is the room state machine: lock and unlock toggle an open
// room, locking a locked room (unlocking an open one) changes nothing, end
// ends an open or locked room, and nothing is done to an ended room
// (ErrConflict).
func nextRoomState(s roomState, op roomOp) (next roomState, changed bool, err error) {
	if s == roomEnded {
		return s, false, events.NewError(events.ErrConflict, "conference: the room has ended")
	}
	switch op {
	case opLock:
		return roomLocked, s != roomLocked, nil
	case opUnlock:
		return roomOpen, s != roomOpen, nil
	case opEnd:
		return roomEnded, true, nil
	}
	return s, false, events.NewError(events.ErrBadRequest, "conference: unknown room operation %d", op)
}

// Refusals of a caller (route decision, SIP final response).
const (
	codeNotFound    = 404
	codeLocked      = 403
	codeFull        = 486
	codeElsewhere   = 480
	reasonNotFound  = "Conference Not Found"
	reasonLocked    = "Conference Locked"
	reasonFull      = "Conference Full"
	reasonElsewhere = "Conference On Another Node"
)

// admission decides whether a new caller may enter a room in state s that
// holds occupied participants (lobby included) out of max (0: no limit):
// code 0 admits, else the SIP refusal.
func admission(s roomState, occupied, max int) (code int, reason string) {
	switch {
	case s == roomEnded:
		return codeNotFound, reasonNotFound
	case s == roomLocked:
		return codeLocked, reasonLocked
	case max > 0 && occupied >= max:
		return codeFull, reasonFull
	}
	return 0, ""
}

// admitAfterPIN decides whether a caller who entered a right PIN leaves
// the lobby for the room: not into a room locked meanwhile, unless a
// moderator.
func admitAfterPIN(s roomState, moderator bool) bool {
	return s == roomOpen || s == roomLocked && moderator
}

// partState is a participant's life.
type partState int

const (
	// partAdmitted: the route decision parked the caller's call for the
	// room; the call.parked event is awaited.
	partAdmitted partState = iota
	// partDialing: a dial-out leg rings.
	partDialing
	// partJoining: mixer.join was sent (a merged leg starts here).
	partJoining
	// partLobby: in the mixer, muted and deaf, entering the PIN.
	partLobby
	// partJoined: in the conference.
	partJoined
	// partLeft: gone (its leg ended, it was kicked, the join failed).
	partLeft
)

func (s partState) String() string {
	switch s {
	case partAdmitted:
		return "admitted"
	case partDialing:
		return "dialing"
	case partJoining:
		return "joining"
	case partLobby:
		return "lobby"
	case partJoined:
		return "joined"
	case partLeft:
		return "left"
	}
	return "unknown"
}

// partEvent is what happens to a participant.
type partEvent int

const (
	evParked      partEvent = iota // the admitted call is parked for us
	evAnswered                     // the dial-out leg answered
	evInLobby                      // mixer.join succeeded, muted and deaf
	evInRoom                       // mixer.join succeeded
	evPINAccepted                  // the right PIN: unmuted and undeafened
	evLeft                         // the leg ended, or the join failed
)

// nextPartState is the participant state machine:
//
//	admitted --parked-->   joining
//	dialing  --answered--> joining
//	joining  --in lobby--> lobby --PIN accepted--> joined
//	joining  --in room-->  joined
//	any but left --left--> left
//
// Anything else is refused (ok false) and the state stays: a late or
// repeated event (the answer seen both by event and by query, an event
// after the leg ended) changes nothing.
func nextPartState(s partState, e partEvent) (next partState, ok bool) {
	switch {
	case e == evLeft:
		return partLeft, s != partLeft
	case s == partAdmitted && e == evParked,
		s == partDialing && e == evAnswered:
		return partJoining, true
	case s == partJoining && e == evInLobby:
		return partLobby, true
	case s == partJoining && e == evInRoom,
		s == partLobby && e == evPINAccepted:
		return partJoined, true
	}
	return s, false
}

// occupies reports whether a participant in state s holds a seat.
func (s partState) occupies() bool { return s != partLeft }
