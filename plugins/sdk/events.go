package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// AllCallEvents is the subject filter of every call's events on every
// node, Subscribe's default.
const AllCallEvents = events.EventPrefix + ".*.call.>"

// EventHandler handles one event, decoded into its registered type (e.g.
// *events.CallEndedV1; switch on it, or route with an EventMux). A
// subscription's events are handled one at a time, in arrival order, on the
// subscription's goroutine: a handler that blocks holds the subscription
// up, and once NATS's pending limits are reached events are dropped, which
// the gap detection then reports. ctx ends when the plugin stops.
type EventHandler func(ctx context.Context, ev events.Event)

// ErrUnknownEvent is RawEvent.Err (wrapped) for an event whose type is not
// in events.Registry.
var ErrUnknownEvent = errors.New("sdk: unknown event type")

// RawEvent is an event the SDK could not hand over typed: its type is not
// in events.Registry (a newer core), or it did not decode.
type RawEvent struct {
	Subject  string
	Envelope events.Envelope
	Data     []byte
	Err      error // why it was not decoded
}

// SubscribeOption changes a subscription.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	subject        string
	onGap          func(context.Context, Gap)
	onRaw          func(context.Context, RawEvent)
	noCatchUp      bool
	catchUpTimeout time.Duration
	now            func() time.Time
}

// ForCall subscribes to one call's events only.
func ForCall(callID string) SubscribeOption {
	return func(o *subscribeOptions) { o.subject = events.CallEventsFilter(callID) }
}

// ForSubject subscribes to another subject filter under events.EventPrefix
// (default AllCallEvents), e.g. one node's calls.
func ForSubject(filter string) SubscribeOption {
	return func(o *subscribeOptions) { o.subject = filter }
}

// OnGap is called, on the subscription's goroutine and before the event
// after the gap is handled, whenever a call's sequence jumps and the
// missing events cannot be read from the events stream (see Gap). Without
// it gaps are logged at warn level.
func OnGap(fn func(ctx context.Context, g Gap)) SubscribeOption {
	return func(o *subscribeOptions) { o.onGap = fn }
}

// NoCatchUp turns the catch-up off: a jump in a call's sequence is
// reported to OnGap at once, and the missing events are not read from the
// events stream.
func NoCatchUp() SubscribeOption { return func(o *subscribeOptions) { o.noCatchUp = true } }

// CatchUpTimeout bounds the reading of one gap's events from the events
// stream (default DefaultCatchUpTimeout). The subscription's other events
// wait meanwhile.
func CatchUpTimeout(d time.Duration) SubscribeOption {
	return func(o *subscribeOptions) {
		if d > 0 {
			o.catchUpTimeout = d
		}
	}
}

// OnRaw is called with events that have no registered type or do not
// decode. Without it they are logged (at debug and warn level) and skipped.
func OnRaw(fn func(ctx context.Context, ev RawEvent)) SubscribeOption {
	return func(o *subscribeOptions) { o.onRaw = fn }
}

// Subscribe calls h with every call event (AllCallEvents, unless ForCall or
// ForSubject says otherwise) published from now on, decoded by its envelope
// type through events.Lookup. Each call's Seq is followed (see Gap for the
// rules): a duplicate is dropped, and a jump is caught up: the missing
// events are read from the events stream (events.Stream) and delivered in
// order before the event that revealed the jump; those that cannot be read
// are reported to OnGap. A panic in h is logged and the event skipped. The
// subscription lasts until the plugin stops or Subscription.Stop.
func (c *Client) Subscribe(h EventHandler, opts ...SubscribeOption) (*Subscription, error) {
	if h == nil {
		return nil, fmt.Errorf("sdk: subscribe: nil handler")
	}
	s := &eventSub{
		c:   c,
		h:   h,
		o:   subscribeOptions{subject: AllCallEvents, catchUpTimeout: DefaultCatchUpTimeout, now: time.Now},
		seq: newSeqTracker(),
	}
	for _, opt := range opts {
		opt(&s.o)
	}
	return c.subscribe(s.o.subject, "", func(m *nats.Msg) { s.onEvent(m.Subject, m.Data) })
}

// eventSub is the state of one event subscription, used from its
// goroutine only.
type eventSub struct {
	c   *Client
	h   EventHandler
	o   subscribeOptions
	seq *seqTracker
	// catchUpPaused: until then gaps are reported without a catch-up.
	catchUpPaused time.Time
}

// onEvent decodes and delivers one event received on subject.
func (s *eventSub) onEvent(subject string, data []byte) {
	ctx := s.c.ctx
	if ctx.Err() != nil {
		return
	}
	raw := RawEvent{Subject: subject, Data: data}
	if err := json.Unmarshal(data, &raw.Envelope); err != nil {
		raw.Err = fmt.Errorf("sdk: envelope: %w", err)
		s.c.raw(ctx, &s.o, raw)
		return
	}
	deliver, gap, isGap := s.seq.observe(&raw.Envelope, s.o.now())
	if isGap {
		s.catchUp(ctx, gap)
	}
	if !deliver {
		s.c.log.Debug("sdk: duplicate event dropped", "call_id", raw.Envelope.CallID, "seq", raw.Envelope.Seq, "type", raw.Envelope.Type)
		return
	}
	s.deliver(ctx, raw)
}

// deliver hands an event whose envelope is decoded to the handler, typed,
// or to OnRaw.
func (s *eventSub) deliver(ctx context.Context, raw RawEvent) {
	ev, err := decodeEvent(raw.Envelope.Type, raw.Data)
	if err != nil {
		raw.Err = err
		s.c.raw(ctx, &s.o, raw)
		return
	}
	s.c.safely("event handler", func() { s.h(ctx, ev) }, "type", raw.Envelope.Type, "call_id", raw.Envelope.CallID)
}

// decodeEvent decodes data into the registered event type typ.
func decodeEvent(typ string, data []byte) (events.Event, error) {
	spec, ok := events.Lookup(typ)
	if !ok || spec.Kind != events.KindEvent {
		return nil, fmt.Errorf("%w %q", ErrUnknownEvent, typ)
	}
	v := spec.New()
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("sdk: decode %s: %w", typ, err)
	}
	ev, ok := v.(events.Event)
	if !ok {
		return nil, fmt.Errorf("sdk: %s is registered as an event but is not one", typ)
	}
	return ev, nil
}

func (c *Client) gap(ctx context.Context, o *subscribeOptions, g Gap) {
	if o.onGap == nil {
		c.log.Warn("sdk: events missing", "call_id", g.CallID, "node", g.Node, "first_seq", g.First, "last_seq", g.Last)
		return
	}
	c.safely("gap handler", func() { o.onGap(ctx, g) }, "call_id", g.CallID)
}

func (c *Client) raw(ctx context.Context, o *subscribeOptions, ev RawEvent) {
	if o.onRaw == nil {
		if errors.Is(ev.Err, ErrUnknownEvent) {
			// A newer core's event: expected, not a problem.
			c.log.Debug("sdk: event of unknown type skipped", "subject", ev.Subject, "type", ev.Envelope.Type)
		} else {
			c.log.Warn("sdk: undecodable event skipped", "subject", ev.Subject, "err", ev.Err)
		}
		return
	}
	c.safely("raw event handler", func() { o.onRaw(ctx, ev) }, "subject", ev.Subject)
}

// safely runs fn, logging a panic instead of crashing the process.
func (c *Client) safely(what string, fn func(), attrs ...any) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("sdk: "+what+" panicked", append(attrs, "panic", p)...)
		}
	}()
	fn()
}
