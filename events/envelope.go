package events

import "time"

// Envelope is embedded in every event. Seq counts a call's events from 1 with
// no gaps; a consumer that sees Seq jump has missed an event.
type Envelope struct {
	Type   string    `json:"type"`              // the type string, e.g. "tandem.call.v1.created"
	ID     string    `json:"id"`                // the message's id
	Time   time.Time `json:"time"`              // when it happened, UTC
	Node   string    `json:"node"`              // the node that published it
	CallID string    `json:"call_id,omitempty"` // the call it belongs to
	LegID  string    `json:"leg_id,omitempty"`  // the leg, for a leg's messages
	Seq    uint64    `json:"seq"`               // the call's event counter, from 1, no gaps
}

// Env returns the envelope; every event type gets it by embedding.
func (e *Envelope) Env() *Envelope { return e }

// Event is implemented by every event type.
type Event interface {
	// Env returns the embedded envelope.
	Env() *Envelope
	// Name is the last token of the event's subject, e.g. "leg_ringing".
	Name() string
}
