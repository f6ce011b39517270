package mixer

import "errors"

// Errors of the input path. WriteRTP and Write return them unwrapped so
// that a flood of bad packets costs no allocation; each is also counted in
// the participant's stats.
var (
	ErrClosed        = errors.New("mixer: closed")
	ErrMalformed     = errors.New("mixer: malformed RTP packet")
	ErrPayloadLength = errors.New("mixer: audio payload is not 160 bytes (20 ms of G.711)")
	ErrPayloadType   = errors.New("mixer: unexpected payload type")
	ErrQueueFull     = errors.New("mixer: input queue full, packet dropped")
)

// Errors of room and engine management, wrapped with the room or
// participant they concern.
var (
	ErrRoomFull        = errors.New("mixer: room full")
	ErrDuplicateID     = errors.New("mixer: participant id already in the room")
	ErrInvalidConfig   = errors.New("mixer: invalid participant configuration")
	ErrRunning         = errors.New("mixer: engine already running")
	ErrAlreadyAttached = errors.New("mixer: room already added to the engine")
)
