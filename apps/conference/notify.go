package conference

import (
	"context"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Subscriptions to the conference event package (RFC 4575). A SUBSCRIBE
// to a room's URI is accepted on the core's subscribe decision; the core
// keeps it as a dialog of its own (b2bua/plugsub.go) and tells the app by
// events: created (send the full state, version 1), refreshed (the full
// state again, RFC 6665 wants a NOTIFY), ended (forget it). Changes of the
// room are partial NOTIFYs, each version one more. The room's end sends a
// terminal NOTIFY (terminated;reason=noresource).

// Limits of subscriptions.
const (
	// maxQueued bounds a subscriber's unsent NOTIFYs: beyond it they are
	// replaced by one full state, the version continuing from the first
	// one not sent.
	maxQueued = 16
	// createdTimeout forgets an accepted subscription whose created event
	// does not come (another plugin's answer won the decision).
	createdTimeout = 30 * time.Second
)

// Subscription-State values of the app's terminal NOTIFYs.
const (
	stateNoResource = "terminated;reason=noresource" // the room ended
	stateTimeout    = "terminated;reason=timeout"    // a fetch, or an unsubscribe
)

// subscriber is one subscription to a room. Guarded by app.mu.
type subscriber struct {
	id      string // the subscription's id: the leg id of its dialog
	node    string
	room    *room
	entity  string // the conference URI as its SUBSCRIBE named it
	created bool   // the core's created event came: NOTIFYs may go
	done    bool   // the last NOTIFY is queued, or it is over
	version uint32 // the last version queued
	queue   []notifyItem
	sending bool // a goroutine sends the queue
	pending stopper
}

// notifyItem is one NOTIFY to send.
type notifyItem struct {
	version uint32
	body    []byte
	state   string // Subscription-State; "" lets the core say active;expires=...
}

// decideSubscribe answers the subscribe decision: a SUBSCRIBE of the
// conference package to a room's URI is accepted; to an ad-hoc URI the
// app does not know, 404; anything else is left to the core.
func (a *app) decideSubscribe(_ context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error) {
	pkg, _, _ := strings.Cut(req.Event, ";")
	u, ok := parseURI(req.RequestURI)
	if !strings.EqualFold(strings.TrimSpace(pkg), eventPackage) || !ok {
		return events.SubscribeDecisionV1{Action: events.ActionDefault}, nil
	}
	a.lock()
	defer a.unlock()
	r := a.rooms[u.user]
	if r != nil && !r.matches(u.host) {
		r = nil
	}
	if r == nil || r.state == roomEnded {
		if r != nil || strings.HasPrefix(u.user, a.set.adhoc.prefix) {
			return events.SubscribeDecisionV1{Action: events.ActionReject, Code: codeNotFound, Reason: reasonNotFound}, nil
		}
		return events.SubscribeDecisionV1{Action: events.ActionDefault}, nil
	}
	if !acceptsConfInfo(req.Accept) {
		return events.SubscribeDecisionV1{Action: events.ActionReject, Code: 406, Reason: "Not Acceptable"}, nil
	}
	s := &subscriber{id: req.LegID, node: req.Node, room: r, entity: r.entityFor(u.hostport())}
	if old := a.subs[s.id]; old != nil {
		return events.SubscribeDecisionV1{Action: events.ActionAccept}, nil // the same request again
	}
	a.subs[s.id] = s
	r.subs[s.id] = s
	s.pending = a.after(createdTimeout, func() {
		a.lock()
		defer a.unlock()
		if !s.created {
			a.dropSub(s)
		}
	})
	a.log.Debug("conference: subscription accepted", "room", r.id(), "subscription", s.id)
	return events.SubscribeDecisionV1{Action: events.ActionAccept}, nil
}

// acceptsConfInfo reports whether an Accept header value (comma-separated
// values of all the SUBSCRIBE's Accept headers; "" when none) allows
// conference-info documents.
func acceptsConfInfo(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, v := range strings.Split(accept, ",") {
		t, _, _ := strings.Cut(v, ";")
		switch strings.ToLower(strings.TrimSpace(t)) {
		case confInfoType, "application/*", "*/*":
			return true
		}
	}
	return false
}

// onSubCreated: the core answered 200: the full state goes, version 1 (and
// ends a fetch).
func (a *app) onSubCreated(ev *events.SubscriptionCreatedV1) {
	a.lock()
	defer a.unlock()
	s := a.subs[ev.LegID]
	if s == nil || s.created {
		return
	}
	s.created = true
	if s.pending != nil {
		s.pending.Stop()
	}
	a.sendFull(s, ev.Expires == 0)
}

// onSubRefreshed: a refresh gets the full state; an unsubscribe the full
// state as its last NOTIFY.
func (a *app) onSubRefreshed(ev *events.SubscriptionRefreshedV1) {
	a.lock()
	defer a.unlock()
	if s := a.subs[ev.LegID]; s != nil && s.created {
		a.sendFull(s, ev.Expires == 0)
	}
}

// onSubEnded: the subscription is over.
func (a *app) onSubEnded(ev *events.SubscriptionEndedV1) {
	a.lock()
	defer a.unlock()
	if s := a.subs[ev.LegID]; s != nil {
		a.dropSub(s)
	}
}

// sendFull queues the room's full state to s (mu held), as its last
// NOTIFY when last.
func (a *app) sendFull(s *subscriber, last bool) {
	state := ""
	if last {
		state = stateTimeout
	}
	r := s.room
	a.enqueue(s, state, func(v uint32) []byte { return fullInfo(r.view(s.entity), v) })
}

// notifyUser queues a partial NOTIFY about p to r's subscribers (mu held):
// p in full, or deleted once it has left. p counts as shown from now on.
func (a *app) notifyUser(r *room, p *participant) {
	var u userView
	if p.state == partLeft {
		u = userView{entity: p.entity, deleted: true}
	} else {
		p.shown = true
		u = p.view()
	}
	for _, s := range r.subs {
		if s.created {
			a.enqueue(s, "", func(v uint32) []byte { return partialInfo(r.view(s.entity), v, []userView{u}) })
		}
	}
}

// notifyRoom queues a partial NOTIFY of r's conference state (a lock) to
// its subscribers (mu held).
func (a *app) notifyRoom(r *room) {
	for _, s := range r.subs {
		if s.created {
			a.enqueue(s, "", func(v uint32) []byte { return partialInfo(r.view(s.entity), v, nil) })
		}
	}
}

// terminate queues s's terminal NOTIFY: the room has ended (mu held).
func (a *app) terminate(s *subscriber) {
	if !s.created {
		a.dropSub(s)
		return
	}
	entity := s.entity
	a.enqueue(s, stateNoResource, func(v uint32) []byte {
		return fullInfo(roomView{entity: entity, subject: s.room.id(), active: false}, v)
	})
}

// enqueue queues a NOTIFY whose body build makes for its version (mu
// held), and starts s's sender if it is idle. A terminal state (not "")
// makes it the last one.
func (a *app) enqueue(s *subscriber, state string, build func(version uint32) []byte) {
	if s.done {
		return
	}
	if len(s.queue) >= maxQueued && state == "" {
		// coalesce: the full state replaces what is not sent yet
		s.version = s.queue[0].version - 1
		s.queue = s.queue[:0]
		r := s.room
		build = func(v uint32) []byte { return fullInfo(r.view(s.entity), v) }
	}
	s.version++
	s.queue = append(s.queue, notifyItem{version: s.version, body: build(s.version), state: state})
	if state != "" {
		s.done = true
	}
	if !s.sending {
		s.sending = true
		a.goLater(func(ctx context.Context) { a.sendQueue(ctx, s) })
	}
}

// sendQueue sends s's NOTIFYs one at a time, in order, until its queue is
// empty. A NOTIFY the core refuses (the subscription is gone) ends s; a
// failure response is the core's to judge (RFC 5057: it ends the
// subscription when the code destroys the usage, and says so by event).
func (a *app) sendQueue(ctx context.Context, s *subscriber) {
	for {
		a.lock()
		if len(s.queue) == 0 {
			s.sending = false
			a.unlock()
			return
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		node, id := s.node, s.id
		a.unlock()

		var hdrs []events.HeaderV1
		if it.state != "" {
			hdrs = append(hdrs, events.HeaderV1{Name: "Subscription-State", Value: it.state})
		}
		nctx, cancel := withTimeout(ctx)
		code, err := a.core.Notify(nctx, node, id, hdrs, it.body)
		cancel()
		switch {
		case err != nil:
			if c, ok := sdk.ErrorCode(err); !ok || c != events.ErrUnknownLeg {
				a.log.Warn("conference: NOTIFY failed", "subscription", id, "version", it.version, "err", err)
			}
		case code >= 300:
			a.log.Info("conference: NOTIFY refused", "subscription", id, "version", it.version, "code", code)
		}
		if err != nil || it.state != "" {
			a.lock()
			a.dropSub(s)
			s.sending = false
			a.unlock()
			return
		}
	}
}

// dropSub forgets s (mu held).
func (a *app) dropSub(s *subscriber) {
	s.done = true
	s.queue = nil
	if s.pending != nil {
		s.pending.Stop()
	}
	if a.subs[s.id] == s {
		delete(a.subs, s.id)
	}
	delete(s.room.subs, s.id)
}
