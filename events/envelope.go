package events

import "time"

// Envelope is embedded in every event. Seq counts a call's events from 1 with
// no gaps; a consumer that sees Seq jump has missed an event.
type Envelope struct {
	Type   string    `json:"type"`
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	Node   string    `json:"node"`
	CallID string    `json:"call_id,omitempty"`
	LegID  string    `json:"leg_id,omitempty"`
	Seq    uint64    `json:"seq"`
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
