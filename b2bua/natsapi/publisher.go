package natsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
)

const (
	// maxBatch is how many events are published before their acks are
	// awaited; it is also the async publish window.
	maxBatch = 256
	// retryMin and retryMax bound the back-off between publish attempts.
	retryMin = 20 * time.Millisecond
	retryMax = 2 * time.Second
	// apiAttempts is how often an event JetStream refused with an API error
	// is tried before it is dropped.
	apiAttempts = 3
)

// item is one queued event, or a flush marker when flushed is set.
type item struct {
	subject string
	id      string // envelope ID, the Nats-Msg-Id
	callID  string
	typ     string
	data    []byte
	flushed chan struct{}
}

// publisher owns the event queue and the one goroutine that drains it, so
// events reach JetStream in the order Publish was called.
type publisher struct {
	js         jetstream.JetStream
	log        *slog.Logger
	m          *metrics
	ackTimeout time.Duration
	// ensureStream recreates the stream when JetStream says it is missing.
	ensureStream func(context.Context) error

	q      chan item
	ctx    context.Context // cancelled to abandon publishing
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu     sync.RWMutex // guards closed; held shared while enqueueing
	closed bool

	dropMu     sync.Mutex // guards dropLogged, dropsSince
	dropLogged time.Time
	dropsSince int
}

func newPublisher(js jetstream.JetStream, size int, ackTimeout time.Duration, ensure func(context.Context) error, log *slog.Logger, m *metrics) *publisher {
	ctx, cancel := context.WithCancel(context.Background())
	p := &publisher{
		js:           js,
		log:          log,
		m:            m,
		ackTimeout:   ackTimeout,
		ensureStream: ensure,
		q:            make(chan item, size),
		ctx:          ctx,
		cancel:       cancel,
		done:         make(chan struct{}),
	}
	go p.run()
	return p
}

// publish marshals ev and queues it without blocking.
func (p *publisher) publish(node string, ev events.Event) {
	env := ev.Env()
	if env.Node == "" {
		env.Node = node
	}
	if env.ID == "" {
		env.ID = nuid.Next()
	}
	if env.Time.IsZero() {
		env.Time = time.Now().UTC()
	}
	data, err := json.Marshal(ev)
	if err != nil {
		p.drop(dropEncode, env.CallID, env.Type, err)
		return
	}
	it := item{
		subject: events.EventSubject(env.Node, env.CallID, ev.Name()),
		id:      env.ID,
		callID:  env.CallID,
		typ:     env.Type,
		data:    data,
	}
	p.mu.RLock()
	reason := ""
	if p.closed {
		reason = dropClosed
	} else {
		select {
		case p.q <- it:
			p.m.queued.Inc()
		default:
			reason = dropQueueFull
		}
	}
	p.mu.RUnlock()
	if reason != "" {
		p.drop(reason, env.CallID, env.Type, nil)
	}
}

func (p *publisher) drop(reason, callID, typ string, err error) {
	p.m.dropped.WithLabelValues(reason).Inc()
	// Drops come in floods when the store falls behind; logging each one
	// would slow the calls down further. One line a second, with a count.
	now := time.Now()
	p.dropMu.Lock()
	p.dropsSince++
	if now.Sub(p.dropLogged) < time.Second {
		p.dropMu.Unlock()
		return
	}
	n := p.dropsSince
	p.dropsSince, p.dropLogged = 0, now
	p.dropMu.Unlock()
	attrs := []any{"reason", reason, "call_id", callID, "type", typ, "dropped", n}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	// "dropped" counts the drops since the previous line, this one included.
	p.log.Error("natsapi: event dropped", attrs...)
}

// flush waits until every event queued before it is acked, or given up.
func (p *publisher) flush(ctx context.Context) error {
	marker := item{flushed: make(chan struct{})}
	select {
	case p.q <- marker:
	case <-p.done:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("natsapi: flush: %w", ctx.Err())
	}
	select {
	case <-marker.flushed:
		return nil
	case <-p.done:
		select {
		case <-marker.flushed:
			return nil
		default:
			return ErrClosed
		}
	case <-ctx.Done():
		return fmt.Errorf("natsapi: flush: %w", ctx.Err())
	}
}

// close stops new events, waits up to ctx for the queue to be published,
// then stops the goroutine; events still queued are dropped and counted.
func (p *publisher) close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.flush(ctx)
	p.cancel()
	<-p.done
	var left []item
	for {
		select {
		case it := <-p.q:
			p.took(it)
			left = append(left, it)
			continue
		default:
		}
		break
	}
	p.abandon(left)
	if err != nil {
		err = fmt.Errorf("natsapi: close: events unpublished: %w", err)
	}
	return err
}

// run is the queue's one consumer.
func (p *publisher) run() {
	defer close(p.done)
	batch := make([]item, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case it := <-p.q:
			p.took(it)
			batch = append(batch, it)
		case <-p.ctx.Done():
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case it := <-p.q:
				p.took(it)
				batch = append(batch, it)
			default:
				break fill
			}
		}
		if !p.publishBatch(batch) {
			return
		}
	}
}

// took accounts for an item leaving the queue.
func (p *publisher) took(it item) {
	if it.flushed == nil {
		p.m.queued.Dec()
	}
}

// inflight is an event published asynchronously, awaiting its ack.
type inflight struct {
	it  item
	f   jetstream.PubAckFuture // nil if the publish call itself failed
	err error
}

// publishBatch publishes the batch asynchronously and settles it; a flush
// marker settles what precedes it first. It reports false once abandoned.
func (p *publisher) publishBatch(batch []item) bool {
	pending := make([]inflight, 0, len(batch))
	for i, it := range batch {
		if it.flushed == nil {
			f, err := p.js.PublishMsgAsync(p.msg(it), jetstream.WithMsgID(it.id))
			pending = append(pending, inflight{it: it, f: f, err: err})
			continue
		}
		if !p.settle(pending) {
			p.abandon(batch[i+1:])
			return false
		}
		pending = pending[:0]
		close(it.flushed)
	}
	return p.settle(pending)
}

// settle waits for the acks of pending in order and publishes the failed
// ones again, in order. It reports false if publishing was abandoned; the
// unsettled events are then counted as dropped.
func (p *publisher) settle(pending []inflight) bool {
	var failed []inflight
	for i, in := range pending {
		if in.err == nil {
			select {
			case <-in.f.Ok():
				p.m.published.Inc()
				continue
			case err := <-in.f.Err():
				in.err = err
			case <-p.ctx.Done():
				p.abandonInflight(append(failed, pending[i:]...))
				return false
			}
		}
		failed = append(failed, in)
	}
	for i, in := range failed {
		if !p.retry(in.it, in.err) {
			p.abandonInflight(failed[i:])
			return false
		}
	}
	return true
}

// retry publishes it synchronously until JetStream acks it, refuses it for
// good, or publishing is abandoned (reported as false).
func (p *publisher) retry(it item, err error) bool {
	wait := retryMin
	apiErrs := 0
	for attempt := 1; ; attempt++ {
		var apiErr *jetstream.APIError
		switch {
		case errors.As(err, &apiErr):
			apiErrs++
			if apiErrs >= apiAttempts {
				p.drop(dropRejected, it.callID, it.typ, err)
				return true
			}
		case errors.Is(err, nats.ErrMaxPayload), errors.Is(err, nats.ErrBadSubject):
			p.drop(dropRejected, it.callID, it.typ, err)
			return true
		case errors.Is(err, jetstream.ErrNoStreamResponse):
			if e := p.ensureStream(p.ctx); e != nil {
				p.log.Warn("natsapi: recreate events stream", "err", e)
			}
		}
		if attempt == 1 {
			p.log.Warn("natsapi: event publish failed, retrying", "call_id", it.callID, "type", it.typ, "err", err)
		}
		select {
		case <-time.After(wait):
		case <-p.ctx.Done():
			return false
		}
		wait = min(2*wait, retryMax)

		p.m.retries.Inc()
		ctx, cancel := context.WithTimeout(p.ctx, p.ackTimeout)
		_, err = p.js.PublishMsg(ctx, p.msg(it), jetstream.WithMsgID(it.id))
		cancel()
		if err == nil {
			p.m.published.Inc()
			p.log.Info("natsapi: event published after retry", "call_id", it.callID, "type", it.typ, "attempts", attempt+1)
			return true
		}
		if p.ctx.Err() != nil {
			return false
		}
	}
}

// abandon counts events given up at shutdown before they were sent.
func (p *publisher) abandon(items []item) {
	n := 0
	for _, it := range items {
		if it.flushed == nil {
			n++
		}
	}
	p.abandoned(n)
}

// abandonInflight counts events given up at shutdown while unacked.
func (p *publisher) abandonInflight(ins []inflight) { p.abandoned(len(ins)) }

func (p *publisher) abandoned(n int) {
	if n == 0 {
		return
	}
	p.m.dropped.WithLabelValues(dropShutdown).Add(float64(n))
	p.log.Error("natsapi: events unpublished at close", "count", n)
}

func (p *publisher) msg(it item) *nats.Msg {
	return &nats.Msg{Subject: it.subject, Data: it.data}
}
