package conference

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
)

// app is the conference policy: rooms, participants and subscribers, in
// memory. Decision, event and command handlers change its state under mu
// and leave the core's commands to goroutines it spawns: those are queued
// in the outbox while mu is held and started by unlock, in order. Its own
// events are published under mu; NOTIFYs go through each subscriber's
// queue.
type app struct {
	set  settings
	core coreAPI
	log  *slog.Logger
	node string // the app's node, "" when not known
	ctl  string // the controller name of its commands and parked calls

	now   func() time.Time
	after func(time.Duration, func()) stopper
	// spawn runs fn in a goroutine owned by the plugin (Client.Go); false
	// when the plugin is stopping.
	spawn func(fn func(ctx context.Context)) bool

	mu     sync.Mutex
	rooms  map[string]*room        // by name (user part)
	legs   map[string]*participant // by leg id
	calls  map[string][]*participant
	subs   map[string]*subscriber // by subscription id
	adhocs int                    // ad-hoc rooms alive
	outbox []func()
}

// newApp builds the app of settings s; the static rooms exist from the
// start, open. spawn runs the app's goroutines (Client.Go).
func newApp(s settings, core coreAPI, log *slog.Logger, node, ctl string, spawn func(func(context.Context)) bool) *app {
	a := &app{
		set: s, core: core, log: log, node: node, ctl: ctl, spawn: spawn,
		now:   time.Now,
		after: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
		rooms: map[string]*room{}, legs: map[string]*participant{},
		calls: map[string][]*participant{}, subs: map[string]*subscriber{},
	}
	for _, spec := range s.rooms {
		a.rooms[spec.user] = newRoom(spec, false, spec.uri)
	}
	return a
}

func (a *app) lock() { a.mu.Lock() }

// unlock releases mu and then runs what was queued in the outbox.
func (a *app) unlock() {
	out := a.outbox
	a.outbox = nil
	a.mu.Unlock()
	for _, f := range out {
		f()
	}
}

// later queues f for after the lock (mu held).
func (a *app) later(f func()) { a.outbox = append(a.outbox, f) }

// goLater queues fn to run in an owned goroutine once the lock is released
// (mu held).
func (a *app) goLater(fn func(ctx context.Context)) {
	a.later(func() {
		if !a.spawn(fn) {
			a.log.Debug("conference: stopping, work dropped")
		}
	})
}

// emit publishes one of r's events (mu held): published under the lock,
// a room's events leave in the order of their seq. (A NATS publish only
// buffers, unless the connection's buffer is full.)
func (a *app) emit(r *room, typ, legID string, ev events.Event) {
	r.seq++
	env := ev.Env()
	env.Type, env.ID, env.Time, env.Node, env.LegID, env.Seq = typ, nuid.Next(), a.now().UTC(), a.node, legID, r.seq
	data, err := json.Marshal(ev)
	if err != nil {
		a.log.Error("conference: encode event", "type", typ, "err", err)
		return
	}
	if err := a.core.Publish(EventSubject(a.node, r.id(), ev.Name()), data); err != nil {
		a.log.Warn("conference: publish event", "type", typ, "err", err)
	}
}

// findRoom finds a live room by name or URI (mu held).
func (a *app) findRoom(name string) (*room, error) {
	if name == "" {
		return nil, events.NewError(events.ErrBadRequest, "conference: room missing")
	}
	if u, ok := parseURI(name); ok {
		r := a.rooms[u.user]
		if r == nil || !r.matches(u.host) {
			return nil, events.NewError(events.ErrConflict, "conference: no room %q", name)
		}
		return r, nil
	}
	r := a.rooms[name]
	if r == nil {
		return nil, events.NewError(events.ErrConflict, "conference: no room %q", name)
	}
	return r, nil
}

// addParticipant records p in its room and the indexes (mu held).
func (a *app) addParticipant(p *participant) {
	p.entity = uniqueEntity(p.room, p.entity, p.leg)
	p.room.parts[p.leg] = p
	a.legs[p.leg] = p
	a.calls[p.call] = append(a.calls[p.call], p)
}

// uniqueEntity is entity, or, when another participant of r has it
// already, entity with the leg as a parameter: RFC 4575 user entities are
// unique in a conference.
func uniqueEntity(r *room, entity, leg string) string {
	if entity == "" {
		entity = "sip:" + leg + "@invalid"
	}
	for _, q := range r.parts {
		if q.entity == entity {
			return entity + ";leg=" + leg
		}
	}
	return entity
}

// removeParticipant drops p from its room and the indexes (mu held): it
// has left.
func (a *app) removeParticipant(p *participant) {
	delete(p.room.parts, p.leg)
	if a.legs[p.leg] == p {
		delete(a.legs, p.leg)
	}
	ps := a.calls[p.call]
	for i, q := range ps {
		if q == p {
			ps = append(ps[:i], ps[i+1:]...)
			break
		}
	}
	if len(ps) == 0 {
		delete(a.calls, p.call)
	} else {
		a.calls[p.call] = ps
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// newToken is a random token for an ad-hoc room's name: 80 bits in lower
// case base32, unguessable, meaning nothing (lease draft REQ 9).
func newToken() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	out := make([]byte, 16)
	for i, c := range b {
		out[i] = alphabet[c&31]
	}
	return string(out)
}

// cmdTimeout bounds the core commands the app's goroutines send.
const cmdTimeout = 10 * time.Second

// withTimeout is ctx bounded by cmdTimeout.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmdTimeout)
}
