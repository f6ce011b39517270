package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandem-sip/tandem/events"
)

// DefaultCatchUpTimeout bounds the reading of one gap's events from the
// events stream (see CatchUpTimeout).
const DefaultCatchUpTimeout = time.Second

// Limits of the catch-up.
const (
	// maxCatchUp is the largest gap caught up; a larger one is only
	// reported.
	maxCatchUp = maxMissing
	// maxCatchUpScan bounds the stream messages of the call read for one
	// gap.
	maxCatchUpScan = 4 * maxMissing
	// catchUpPause is how long a subscription whose catch-up failed (no
	// JetStream, no permission to read the stream, a timeout) reports gaps
	// without trying again.
	catchUpPause = 30 * time.Second
)

// catchUp fills gap g from the events stream: the missing events found
// there are delivered in order, each hole left is reported as a Gap, all
// before the event that revealed g. Events of the call that do not match
// the subscription's subject filter fill their place in the sequence
// without being delivered: the subscriber did not ask for them. It runs on
// the subscription's goroutine.
func (s *eventSub) catchUp(ctx context.Context, g Gap) {
	if s.o.noCatchUp || g.Missing() > maxCatchUp || s.o.now().Before(s.catchUpPaused) {
		s.c.gap(ctx, &s.o, g)
		return
	}
	fctx, cancel := context.WithTimeout(ctx, s.o.catchUpTimeout)
	found, err := s.c.fetchCallEvents(fctx, g)
	cancel()
	if err != nil && ctx.Err() == nil {
		s.catchUpPaused = s.o.now().Add(catchUpPause)
		s.c.log.Warn("sdk: cannot read missed events from the events stream; gaps are reported without trying for a while",
			"call_id", g.CallID, "first_seq", g.First, "last_seq", g.Last, "err", err, "pause", catchUpPause)
	}
	next := g.First // the first number not yet delivered or reported
	for seq := g.First; seq <= g.Last; seq++ {
		raw, ok := found[seq]
		if !ok {
			continue
		}
		if next < seq {
			s.c.gap(ctx, &s.o, Gap{CallID: g.CallID, Node: g.Node, First: next, Last: seq - 1})
		}
		next = seq + 1
		s.seq.recovered(&raw.Envelope, s.o.now())
		if subjectMatches(s.o.subject, raw.Subject) {
			s.deliver(ctx, raw)
		}
	}
	if next <= g.Last {
		s.c.gap(ctx, &s.o, Gap{CallID: g.CallID, Node: g.Node, First: next, Last: g.Last})
	}
}

// fetchCallEvents reads the events of g's call numbered First to Last from
// the events stream, by sequence number. It reads the call's messages in
// stream order (a message get by subject, which needs only read access to
// the stream) until it has them all, the call has no more, or ctx ends;
// what it found so far comes back with the error.
func (c *Client) fetchCallEvents(ctx context.Context, g Gap) (map[uint64]RawEvent, error) {
	st, err := c.eventStream(ctx)
	if err != nil {
		return nil, err
	}
	filter := events.CallEventsFilter(g.CallID)
	found := make(map[uint64]RawEvent, g.Missing())
	next := uint64(1)
	for range maxCatchUpScan {
		m, err := st.GetMsg(ctx, next, jetstream.WithGetMsgSubject(filter))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return found, nil
		}
		if err != nil {
			return found, fmt.Errorf("sdk: read %s from stream %s: %w", filter, events.Stream, err)
		}
		next = m.Sequence + 1
		raw := RawEvent{Subject: m.Subject, Data: m.Data}
		if json.Unmarshal(m.Data, &raw.Envelope) != nil {
			continue
		}
		env := &raw.Envelope
		if env.CallID != g.CallID || env.Seq < g.First || env.Seq > g.Last {
			continue
		}
		if _, dup := found[env.Seq]; !dup {
			found[env.Seq] = raw
		}
		if uint64(len(found)) == g.Missing() {
			break
		}
	}
	return found, nil
}

// eventStream is the events stream, looked up on first use.
func (c *Client) eventStream(ctx context.Context) (jetstream.Stream, error) {
	c.streamMu.Lock()
	defer c.streamMu.Unlock()
	if c.stream != nil {
		return c.stream, nil
	}
	js, err := jetstream.New(c.nc)
	if err != nil {
		return nil, fmt.Errorf("sdk: jetstream: %w", err)
	}
	st, err := js.Stream(ctx, events.Stream)
	if err != nil {
		return nil, fmt.Errorf("sdk: stream %s: %w", events.Stream, err)
	}
	c.stream = st
	return st, nil
}

// subjectMatches reports whether subject matches the NATS subject filter
// (tokens separated by dots; * matches one token, > the rest).
func subjectMatches(filter, subject string) bool {
	for {
		ft, frest, fmore := strings.Cut(filter, ".")
		st, srest, smore := strings.Cut(subject, ".")
		switch {
		case ft == ">":
			return st != ""
		case ft != "*" && ft != st:
			return false
		case !fmore || !smore:
			return fmore == smore
		}
		filter, subject = frest, srest
	}
}
