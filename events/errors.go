package events

import "fmt"

// ErrorCode is the numeric code of a command or decision error, defined
// once here. Codes never change meaning; new ones are added at the end.
type ErrorCode int

const (
	ErrBadRequest  ErrorCode = 1 // the request did not parse or lacks a field
	ErrUnknownCall ErrorCode = 2 // no call with that id on this node
	ErrUnknownLeg  ErrorCode = 3 // no leg with that id on this node
	ErrConflict    ErrorCode = 4 // the call is in a state that forbids it
	ErrInternal    ErrorCode = 5 // the core failed; see the message
	ErrUnavailable ErrorCode = 6 // the node is shutting down
)

var errorNames = map[ErrorCode]string{
	ErrBadRequest:  "bad_request",
	ErrUnknownCall: "unknown_call",
	ErrUnknownLeg:  "unknown_leg",
	ErrConflict:    "conflict",
	ErrInternal:    "internal",
	ErrUnavailable: "unavailable",
}

// String names the code, e.g. "unknown_call".
func (c ErrorCode) String() string {
	if n, ok := errorNames[c]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", int(c))
}

// Error is the error part of a reply.
type Error struct {
	Code    ErrorCode `json:"code"`
	Name    string    `json:"name"`
	Message string    `json:"message"`
}

// NewError builds an Error with the code's name filled in.
func NewError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Name: code.String(), Message: fmt.Sprintf(format, args...)}
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("events: %s (%d): %s", e.Name, int(e.Code), e.Message)
}
