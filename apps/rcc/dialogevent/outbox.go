package dialogevent

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"

	"github.com/tandem-sip/tandem/events"
)

// maxBacklog is how many NOTIFYs may wait for one subscription before
// further changes are merged into the last one waiting (a slow
// subscriber gets fewer, fuller partial documents, never an unbounded
// queue).
const maxBacklog = 32

// sendFunc sends one NOTIFY on subscription id with extra headers and a
// dialog-info body, and returns the subscriber's final code. An
// *events.Error with code events.ErrUnknownLeg means the subscription is
// gone.
type sendFunc func(ctx context.Context, id string, hdrs []events.HeaderV1, body []byte) (int, error)

// spawnFunc runs fn in a goroutine the plugin owns (sdk.Client.Go); fn's
// ctx ends when the plugin stops. false: the plugin is stopping.
type spawnFunc func(fn func(ctx context.Context)) bool

// notice is one NOTIFY waiting to be sent: a full or partial document of
// dialogs, numbered when it goes.
type notice struct {
	full    bool
	dialogs []Dialog
	// state is the Subscription-State to send; "" lets the core say
	// active with the time left.
	state string
	last  bool // the subscription's last NOTIFY
}

// outbox sends one subscription's NOTIFYs one at a time, in the order
// they were queued, each numbered one more than the previous (from 0): never
// two in flight, so that the versions reach the subscriber in order. A
// sender goroutine runs while there is something to send.
type outbox struct {
	id     string
	entity string
	send   sendFunc
	spawn  spawnFunc
	log    *slog.Logger
	// gone is called (without mu) once the subscription is over: its last
	// NOTIFY went, or the core no longer knows it.
	gone func()

	mu      sync.Mutex // guards the fields below
	queue   []notice
	version uint64 // the next document's
	running bool   // a sender goroutine is on it
	closed  bool   // the last notice is queued, or the subscription is gone
}

func newOutbox(id, entity string, send sendFunc, spawn spawnFunc, log *slog.Logger, gone func()) *outbox {
	return &outbox{id: id, entity: entity, send: send, spawn: spawn, log: log, gone: gone}
}

// push queues n. A full document supersedes the documents still waiting
// (it holds every dialog they would report); past maxBacklog a partial one
// is merged into the last one waiting. Nothing is queued once the last
// NOTIFY is.
func (o *outbox) push(n notice) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	switch {
	case n.full:
		o.queue = append(o.queue[:0], n)
	case len(o.queue) >= maxBacklog:
		// a full document only ever waits first: the last one is partial
		last := &o.queue[len(o.queue)-1]
		last.dialogs = mergeDialogs(last.dialogs, n.dialogs)
	default:
		o.queue = append(o.queue, n)
	}
	o.closed = n.last
	start := !o.running
	o.running = true
	o.mu.Unlock()
	if start && !o.spawn(o.run) {
		o.mu.Lock()
		o.running, o.queue = false, nil
		o.mu.Unlock()
	}
}

// mergeDialogs returns ds with the dialogs of more: a dialog already there
// is replaced (its newer state wins), a new one appended. ds itself is
// left as it is.
func mergeDialogs(ds, more []Dialog) []Dialog {
	ds = slices.Clone(ds)
	for _, d := range more {
		if i := slices.IndexFunc(ds, func(x Dialog) bool { return x.ID == d.ID }); i >= 0 {
			ds[i] = d
		} else {
			ds = append(ds, d)
		}
	}
	return ds
}

// close drops what waits and queues nothing more: the subscription is
// over. A NOTIFY in flight still completes.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed, o.queue = true, nil
	o.mu.Unlock()
}

// run is the sender: it sends the queue's notices in order until the
// queue is empty, the subscription is gone or the plugin stops.
func (o *outbox) run(ctx context.Context) {
	for {
		o.mu.Lock()
		if len(o.queue) == 0 || ctx.Err() != nil {
			o.running = false
			o.mu.Unlock()
			return
		}
		n := o.queue[0]
		o.queue = o.queue[1:]
		v := o.version
		o.version++
		o.mu.Unlock()

		if !o.deliver(ctx, n, v) || n.last {
			o.close()
			o.mu.Lock()
			o.running = false
			o.mu.Unlock()
			o.gone()
			return
		}
	}
}

// deliver sends n as document version v. false: the subscription is gone.
func (o *outbox) deliver(ctx context.Context, n notice, v uint64) bool {
	body, err := document(o.entity, v, n.full, n.dialogs)
	if err != nil {
		o.log.Error("dialogevent: NOTIFY not sent", "err", err)
		return true
	}
	var hdrs []events.HeaderV1
	if n.state != "" {
		hdrs = append(hdrs, events.HeaderV1{Name: "Subscription-State", Value: n.state})
	}
	code, err := o.send(ctx, o.id, hdrs, body)
	var e *events.Error
	switch {
	case errors.As(err, &e) && e.Code == events.ErrUnknownLeg:
		o.log.Debug("dialogevent: subscription gone", "version", v)
		return false
	case err != nil && ctx.Err() != nil:
		return true // the plugin stops; run sees it
	case err != nil:
		o.log.Warn("dialogevent: NOTIFY failed", "version", v, "err", err)
	case code >= 300:
		// the core ends the subscription when the code says so (RFC 5057)
		o.log.Debug("dialogevent: NOTIFY refused", "version", v, "code", code)
	}
	return true
}
