package mixer

import (
	"strconv"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of Event.
const (
	EventTalkStarted EventKind = iota + 1 // the participant started talking
	EventTalkStopped                      // the participant stopped talking
	EventDigit                            // the participant sent a DTMF digit (RFC 4733)
)

func (k EventKind) String() string {
	switch k {
	case EventTalkStarted:
		return "talk-started"
	case EventTalkStopped:
		return "talk-stopped"
	case EventDigit:
		return "digit"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is something a room noticed about a participant during a tick.
type Event struct {
	Kind        EventKind
	Room        string    // the room's id
	Participant string    // the participant's id
	Digit       rune      // EventDigit: '0'-'9', '*', '#' or 'A'-'D'
	Muted       bool      // the participant was muted (talk detection runs regardless)
	At          time.Time // the time of the tick
}

// EventHandler receives a room's events, in order, from the goroutine that
// ran the tick, after the room's lock is released: it may call the room's
// methods, but it must not block (hand the event to a channel or a task
// queue), or the room's next tick — and every other room on the same
// worker — is late.
type EventHandler func(Event)
