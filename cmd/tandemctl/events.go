package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandem-sip/tandem/events"
)

// eventsWatch: tandemctl events watch [--call ID] [--type a,b] [--from-start] [--count N].
func eventsWatch(a *app, args []string) error {
	fs := a.flagSet("events watch")
	callID := fs.String("call", "", "only the events of this call `id`")
	types := fs.String("type", "", "only these events, comma-separated `names` (leg_ended,ended) or type strings")
	fromStart := fs.Bool("from-start", false, "read the events stream "+events.Stream+" from its first event, then follow it")
	count := fs.Int("count", 0, "exit after printing `n` events (0: until interrupted)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("events watch takes no arguments, got %q", pos)
	}
	if *count < 0 {
		return usageErrorf("events watch: --count must not be negative")
	}
	want, err := parseEventTypes(*types)
	if err != nil {
		return err
	}
	filter := eventFilter(a.g.node, *callID)

	// NATS calls the handlers below on its own goroutines, possibly after
	// the watch has returned: they write through diag, which is locked and
	// goes quiet when the watch ends.
	diag := &quietWriter{w: a.stderr}
	defer diag.quiet()
	closed := make(chan struct{})
	nc, err := a.connect("events watch",
		nats.MaxReconnects(-1),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				fmt.Fprintf(diag, "tandemctl: warning: disconnected from NATS: %v; reconnecting\n", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			if *fromStart {
				// The ordered consumer resumes after the last event it delivered.
				fmt.Fprintf(diag, "tandemctl: reconnected to %s\n", redact(nc.ConnectedUrl()))
				return
			}
			fmt.Fprintf(diag, "tandemctl: warning: reconnected to %s; events published meanwhile were missed (--from-start reads the stream)\n", redact(nc.ConnectedUrl()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			fmt.Fprintf(diag, "tandemctl: warning: %v\n", err)
		}),
	)
	if err != nil {
		return err
	}
	defer nc.Close()

	type msg struct {
		subject string
		data    []byte
	}
	msgs := make(chan msg, 256)
	done := make(chan struct{})
	stop := func() {}
	defer func() {
		close(done) // unblocks a handler waiting to hand a message over
		stop()
	}()
	deliver := func(subject string, data []byte) {
		select {
		case msgs <- msg{subject, data}:
		case <-done:
		}
	}

	if *fromStart {
		js, err := jetstream.New(nc)
		if err != nil {
			return fmt.Errorf("events watch: %w", err)
		}
		ctx, cancel := context.WithTimeout(a.ctx, a.g.timeout)
		cons, err := js.OrderedConsumer(ctx, events.Stream, jetstream.OrderedConsumerConfig{
			FilterSubjects: []string{filter},
			DeliverPolicy:  jetstream.DeliverAllPolicy,
		})
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout):
			return &connectError{msg: fmt.Sprintf("events watch: JetStream did not answer within %s", a.g.timeout)}
		case err != nil:
			return fmt.Errorf("events watch: stream %s: %w", events.Stream, err)
		}
		cc, err := cons.Consume(func(m jetstream.Msg) { deliver(m.Subject(), m.Data()) },
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
				fmt.Fprintf(diag, "tandemctl: warning: stream %s: %v\n", events.Stream, err)
			}))
		if err != nil {
			return fmt.Errorf("events watch: stream %s: %w", events.Stream, err)
		}
		stop = cc.Stop
		fmt.Fprintf(diag, "tandemctl: watching %s from the start of stream %s\n", filter, events.Stream)
	} else {
		sub, err := nc.Subscribe(filter, func(m *nats.Msg) { deliver(m.Subject, m.Data) })
		if err != nil {
			return fmt.Errorf("events watch: subscribe %s: %w", filter, err)
		}
		stop = func() { _ = sub.Unsubscribe() }
		if err := nc.FlushTimeout(a.g.timeout); err != nil {
			return &connectError{msg: fmt.Sprintf("events watch: subscribe %s: %v", filter, err)}
		}
		fmt.Fprintf(diag, "tandemctl: watching %s\n", filter)
	}

	w := &watcher{out: a.stdout, diag: diag, json: a.g.json, want: want, calls: map[string]*callSeq{}}
	for {
		select {
		case <-a.ctx.Done():
			return nil
		case <-closed:
			return &connectError{msg: "events watch: the NATS connection closed"}
		case m := <-msgs:
			printed, err := w.handle(m.subject, m.data)
			if err != nil {
				return err
			}
			if printed && *count > 0 && w.printed >= *count {
				return nil
			}
		}
	}
}

// eventFilter is the subject filter of the events of node and call; an
// empty one matches any.
func eventFilter(node, callID string) string {
	switch {
	case node != "" && callID != "":
		return events.EventSubject(node, callID, ">")
	case callID != "":
		return events.CallEventsFilter(callID)
	case node != "":
		// events.EventSubject makes node a subject token; take it from there
		// so the rule stays defined once.
		s := strings.TrimPrefix(events.EventSubject(node, "c", "n"), events.EventPrefix+".")
		return events.EventPrefix + "." + strings.TrimSuffix(s, ".call.c.n") + ".>"
	}
	return events.StreamSubjects
}

// parseEventTypes turns --type into a set of event names (the last subject
// token); nil means all.
func parseEventTypes(list string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var names []string
	byType := map[string]string{}
	for _, s := range events.Registry {
		if s.Kind == events.KindEvent {
			names = append(names, s.Name)
			byType[s.Type] = s.Name
		}
	}
	want := map[string]bool{}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case slices.Contains(names, t):
			want[t] = true
		case byType[t] != "":
			want[byType[t]] = true
		default:
			return nil, usageErrorf("events watch: unknown event type %q (known: %s)", t, strings.Join(names, ", "))
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	return want, nil
}

// quietWriter serialises writes to w and drops them once quiet is called.
type quietWriter struct {
	mu  sync.Mutex
	w   io.Writer
	off bool
}

func (q *quietWriter) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.off {
		return len(p), nil
	}
	return q.w.Write(p)
}

// quiet drops every later write.
func (q *quietWriter) quiet() {
	q.mu.Lock()
	q.off = true
	q.mu.Unlock()
}

// maxMissing bounds the missed sequence numbers remembered per call, to
// recognise a late one.
const maxMissing = 64

// callSeq is what the watcher knows of one call's sequence.
type callSeq struct {
	last    uint64
	missing map[uint64]bool // reported missing; may still arrive late
}

// watcher prints events and checks each call's sequence.
type watcher struct {
	out, diag io.Writer
	json      bool
	want      map[string]bool // nil: every event
	calls     map[string]*callSeq
	printed   int
}

// handle prints one event. It reports whether it printed it; an error is a
// failure to write the output.
func (w *watcher) handle(subject string, data []byte) (bool, error) {
	var env events.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		fmt.Fprintf(w.diag, "tandemctl: warning: undecodable event on %s: %v\n", subject, err)
		return false, nil
	}
	name := subject[strings.LastIndexByte(subject, '.')+1:]
	late := false
	if env.CallID != "" && env.Seq > 0 {
		key := env.Node + "\x00" + env.CallID
		cs := w.calls[key]
		switch {
		case cs == nil:
			cs = &callSeq{}
			w.calls[key] = cs
		case env.Seq <= cs.last && cs.missing[env.Seq]:
			delete(cs.missing, env.Seq)
			late = true
		case env.Seq <= cs.last:
			return false, nil // a duplicate: a publish retried after a lost ack
		case env.Seq > cs.last+1:
			from, to := cs.last+1, env.Seq-1
			seqs := fmt.Sprintf("seq %d", from)
			if to > from {
				seqs = fmt.Sprintf("seq %d-%d", from, to)
			}
			fmt.Fprintf(w.diag, "tandemctl: warning: call %s (node %s): missed events %s (got %d after %d)\n",
				env.CallID, env.Node, seqs, env.Seq, cs.last)
			if to-from < maxMissing {
				if cs.missing == nil {
					cs.missing = map[uint64]bool{}
				}
				for s := from; s <= to; s++ {
					cs.missing[s] = true
				}
			}
		}
		if !late {
			cs.last = env.Seq
		}
		if name == "ended" && len(cs.missing) == 0 {
			delete(w.calls, key)
		}
	}
	if w.want != nil && !w.want[name] {
		return false, nil
	}
	if late {
		fmt.Fprintf(w.diag, "tandemctl: warning: call %s (node %s): event seq %d arrived late\n", env.CallID, env.Node, env.Seq)
	}
	var err error
	if w.json {
		var buf bytes.Buffer
		if json.Compact(&buf, data) != nil {
			buf.Reset()
			buf.Write(data)
		}
		buf.WriteByte('\n')
		_, err = w.out.Write(buf.Bytes())
	} else {
		_, err = fmt.Fprintln(w.out, eventLine(name, env, data))
	}
	if err != nil {
		return false, err
	}
	w.printed++
	return true, nil
}
