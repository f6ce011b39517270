package sdk

import (
	"context"
	"fmt"

	"github.com/tandem-sip/tandem/events"
)

// EventMux routes events to handlers by type. Register handlers before
// subscribing with it; it is not safe to add handlers while events flow.
//
//	mux := sdk.NewEventMux()
//	sdk.On(mux, func(ctx context.Context, ev *events.CallEndedV1) { ... })
//	c.Subscribe(mux.HandleEvent)
type EventMux struct {
	handlers map[string][]EventHandler
	fallback EventHandler
}

// NewEventMux returns an empty EventMux.
func NewEventMux() *EventMux { return &EventMux{handlers: make(map[string][]EventHandler)} }

// Handle adds h for events of type string typ (e.g. events.TypeCallEndedV1).
func (m *EventMux) Handle(typ string, h EventHandler) {
	m.handlers[typ] = append(m.handlers[typ], h)
}

// HandleOther sets the handler of events no other handler takes.
func (m *EventMux) HandleOther(h EventHandler) { m.fallback = h }

// HandleEvent is the mux as an EventHandler: it calls the handlers of ev's
// type in the order they were added.
func (m *EventMux) HandleEvent(ctx context.Context, ev events.Event) {
	hs := m.handlers[ev.Env().Type]
	if len(hs) == 0 && m.fallback != nil {
		m.fallback(ctx, ev)
		return
	}
	for _, h := range hs {
		h(ctx, ev)
	}
}

// On adds a typed handler to m: E is a registered event type, e.g.
// *events.CallEndedV1. It panics if E is not in events.Registry, which is a
// programming error.
func On[E events.Event](m *EventMux, fn func(ctx context.Context, ev E)) {
	typ := ""
	for _, s := range events.Registry {
		if s.Kind != events.KindEvent {
			continue
		}
		if _, ok := s.New().(E); ok {
			typ = s.Type
			break
		}
	}
	if typ == "" {
		var zero E
		panic(fmt.Sprintf("sdk: On: %T is not a registered event type", zero))
	}
	m.Handle(typ, func(ctx context.Context, ev events.Event) {
		if e, ok := ev.(E); ok {
			fn(ctx, e)
		}
	})
}
