package rcc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Event stream limits.
const (
	// streamBuffer is how many events wait for a slow client before the
	// subscription itself waits (and NATS's own limits take over; the SDK
	// then catches the missed events up or reports a gap).
	streamBuffer = 256
	// streamWriteTimeout bounds one write to the client; a client that
	// does not read for this long is dropped.
	streamWriteTimeout = 30 * time.Second
	// stopTimeout bounds the draining of a stream's subscription.
	stopTimeout = 5 * time.Second
)

// GapEvent is the SSE event name of a gap: events of a call that were
// missed and could not be read from the events stream (sdk.Gap).
const GapEvent = "gap"

// gapData is the data of a GapEvent.
type gapData struct {
	CallID   string `json:"call_id"`
	Node     string `json:"node"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
}

// serveEvents answers GET /v1/events: the events of the subject filter
// (query subject, NATS wildcards under tandem.v1.evt., default every
// event) and call (query call_id) as Server-Sent Events until the client
// goes or the gateway stops. Each event is
//
//	event: <type string>
//	id: <envelope id>
//	data: <the event's JSON>
//
// and a comment line keeps the stream alive every heartbeat.
func (g *Gateway) serveEvents(w http.ResponseWriter, r *http.Request, t *token) {
	q := r.URL.Query()
	callID := q.Get("call_id")
	filter, err := eventFilter(q.Get("subject"), callID)
	if err != nil {
		writeError(w, http.StatusBadRequest, "", badRequest("%v", err))
		return
	}
	ctx := r.Context()
	frames := make(chan []byte, streamBuffer)
	done := make(chan struct{})
	send := func(f []byte) {
		select {
		case frames <- f:
		case <-done:
		}
	}
	onEvent := func(_ context.Context, ev events.Event) {
		env := ev.Env()
		if callID != "" && env.CallID != callID {
			return
		}
		data, err := json.Marshal(ev)
		if err != nil {
			g.log.Warn("rcc: encode event", "type", env.Type, "err", err)
			return
		}
		send(eventFrame(env.Type, env.ID, data))
	}
	onRaw := func(_ context.Context, ev sdk.RawEvent) {
		if callID != "" && ev.Envelope.CallID != callID {
			return
		}
		var buf bytes.Buffer
		if json.Compact(&buf, ev.Data) != nil {
			return // not JSON at all
		}
		send(eventFrame(ev.Envelope.Type, ev.Envelope.ID, buf.Bytes()))
	}
	onGap := func(_ context.Context, gp sdk.Gap) {
		if callID != "" && gp.CallID != callID {
			return
		}
		data, _ := json.Marshal(gapData{CallID: gp.CallID, Node: gp.Node, FirstSeq: gp.First, LastSeq: gp.Last})
		send(eventFrame(GapEvent, "", data))
	}
	opts := []sdk.SubscribeOption{sdk.ForSubject(filter), sdk.OnRaw(onRaw), sdk.OnGap(onGap)}
	if !wholeCalls(filter) {
		// Some of each call's events only: the sequence jumps by design.
		opts = append(opts, sdk.NoCatchUp(), sdk.OnGap(func(context.Context, sdk.Gap) {}))
	}
	sub, err := g.c.Subscribe(onEvent, opts...)
	if err != nil {
		status, e, _ := classify(ctx, err)
		writeError(w, status, "", e)
		return
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		if err := sub.Stop(sctx); err != nil {
			g.log.Debug("rcc: stop event subscription", "err", err)
		}
	}()
	defer close(done) // before the Stop above: a handler waiting in send returns
	// The subscription is in place on the server before the client hears
	// of it: what happens after the first comment is streamed.
	fctx, cancel := context.WithTimeout(ctx, g.timeout)
	err = g.c.Conn().FlushWithContext(fctx)
	cancel()
	if err != nil {
		status, e, _ := classify(fctx, err)
		writeError(w, status, "", e)
		return
	}

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies: do not buffer
	w.WriteHeader(http.StatusOK)
	// Each write has streamWriteTimeout; between writes the connection
	// has no deadline (the server's WriteTimeout would end the stream).
	write := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		if rc.Flush() != nil {
			return false
		}
		_ = rc.SetWriteDeadline(time.Time{})
		return true
	}
	if !write([]byte(": tandem events " + filter + "\n\n")) {
		return
	}
	g.log.Debug("rcc: event stream", "controller", t.name, "subject", filter, "call_id", callID)
	beat := time.NewTicker(g.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-frames:
			if !write(f) {
				return
			}
		case <-beat.C:
			if !write([]byte(": keepalive\n\n")) {
				return
			}
		}
	}
}

// eventFrame is one SSE event. Names and ids lose any line break; data is
// one line of JSON.
func eventFrame(name, id string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("event: " + oneLine(name) + "\n")
	if id != "" {
		b.WriteString("id: " + oneLine(id) + "\n")
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

// eventFilter is the NATS subject filter of a stream: subject (relative to
// tandem.v1.evt., or starting with it) checked as a NATS filter, or the
// filter of callID's events, or every event.
func eventFilter(subject, callID string) (string, error) {
	prefix := events.EventPrefix + "."
	if subject == "" {
		if callID != "" {
			return events.CallEventsFilter(callID), nil
		}
		return prefix + ">", nil
	}
	s := strings.TrimPrefix(subject, prefix)
	toks := strings.Split(s, ".")
	for i, tok := range toks {
		switch {
		case tok == "":
			return "", fmt.Errorf("subject %q: an empty token", subject)
		case strings.ContainsAny(tok, " \t\r\n\x00"):
			return "", fmt.Errorf("subject %q: white space", subject)
		case tok == ">" && i != len(toks)-1:
			return "", fmt.Errorf("subject %q: '>' must be the last token", subject)
		case len(tok) > 1 && strings.ContainsAny(tok, "*>"):
			return "", fmt.Errorf("subject %q: a wildcard must be a whole token", subject)
		}
	}
	return prefix + s, nil
}

// wholeCalls reports whether filter takes every event of the calls it
// matches (tandem.v1.evt.<node>.call.<call_id>.<name> with a '>' before
// the name or a '*' for it), so that a jump in a call's sequence is a
// gap; a filter of some events only (one name) jumps by design.
func wholeCalls(filter string) bool {
	toks := strings.Split(strings.TrimPrefix(filter, events.EventPrefix+"."), ".")
	for i, tok := range toks {
		switch {
		case tok == ">":
			return true
		case i == 3:
			return tok == "*"
		}
	}
	return true // no call's events: nothing to follow
}
