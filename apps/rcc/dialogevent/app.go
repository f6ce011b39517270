package dialogevent

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// EventPackage is the event package the app serves (RFC 4235 §3.1).
const EventPackage = "dialog"

// Subscription-State values of the app's last NOTIFYs.
const (
	// stateEnded ends a fetch or an unsubscribe: the full state, then no
	// more (the core's own wording for a subscription that ends).
	stateEnded = "terminated;reason=timeout"
)

// app serves dialog subscriptions: it answers the SUBSCRIBE decision,
// follows the calls and notifies each subscription of its AOR's dialogs.
type app struct {
	log        *slog.Logger
	allow      watchers
	maxExpires int
	send       sendFunc
	spawn      spawnFunc

	mu    sync.Mutex // guards tr, subs and byAOR; taken before an outbox's mu
	tr    *tracker
	subs  map[string]*watch         // by subscription id
	byAOR map[AOR]map[string]*watch // the active ones, by the AOR watched
}

// watch is one accepted subscription.
type watch struct {
	id  string
	aor AOR
	out *outbox
}

func newApp(log *slog.Logger, allow watchers, maxExpires int, send sendFunc, spawn spawnFunc) *app {
	return &app{
		log: log, allow: allow, maxExpires: maxExpires, send: send, spawn: spawn,
		tr: newTracker(DefaultMaxCalls), subs: map[string]*watch{}, byAOR: map[AOR]map[string]*watch{},
	}
}

// errNoID: a subscribe request without the subscription's id, which the
// core always sends; no answer is better than one nobody can act on.
var errNoID = errors.New("dialogevent: subscribe request without a subscription id")

// decide answers the SUBSCRIBE decision. Event packages other than dialog
// are declined (default). A dialog SUBSCRIBE names the watched AOR in its
// Request-URI (404 when it has no user part) and is accepted from an
// authorized subscriber (403 otherwise) that accepts dialog-info documents
// (406 otherwise). The full state goes at once, as document version 0: the
// core holds it until it has answered 200; for a fetch (Expires: 0) it is
// the only one.
func (a *app) decide(_ context.Context, req events.SubscribeRequestV1) (events.SubscribeDecisionV1, error) {
	if !strings.EqualFold(strings.TrimSpace(req.Event), EventPackage) {
		return events.SubscribeDecisionV1{Action: events.ActionDefault}, nil
	}
	if req.LegID == "" {
		return events.SubscribeDecisionV1{}, errNoID
	}
	log := a.log.With("subscription", req.LegID, "resource", req.RequestURI, "subscriber", req.From)
	resource, ok := aorOfURI(req.RequestURI)
	if !ok {
		log.Info("dialogevent: refused: not an AOR")
		return events.SubscribeDecisionV1{Action: events.ActionReject, Code: 404, Reason: "Not Found"}, nil
	}
	subscriber, ok := aorOfURI(req.From)
	if !ok || !a.allow.allows(resource, subscriber) {
		log.Info("dialogevent: refused: subscriber not authorized")
		return events.SubscribeDecisionV1{Action: events.ActionReject, Code: 403, Reason: "Forbidden"}, nil
	}
	if !acceptsDialogInfo(req.Accept) {
		log.Info("dialogevent: refused: Accept without dialog-info", "accept", req.Accept)
		return events.SubscribeDecisionV1{Action: events.ActionReject, Code: 406, Reason: "Not Acceptable"}, nil
	}
	accept := events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: a.maxExpires}

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.subs[req.LegID] != nil {
		return accept, nil // the same request again
	}
	id := req.LegID
	w := &watch{id: id, aor: resource}
	w.out = newOutbox(id, req.RequestURI, a.send, a.spawn, log, func() { a.drop(id) })
	a.subs[id] = w
	fetch := req.Expires == 0
	first := notice{full: true, dialogs: a.tr.dialogsOf(resource)}
	if fetch {
		first.state, first.last = stateEnded, true
	} else {
		if a.byAOR[resource] == nil {
			a.byAOR[resource] = map[string]*watch{}
		}
		a.byAOR[resource][id] = w
	}
	w.out.push(first)
	log.Debug("dialogevent: subscription accepted", "fetch", fetch, "dialogs", len(first.dialogs))
	return accept, nil
}

// onCallEvent follows the calls and notifies every change of a dialog to
// the subscriptions of its AORs, one partial document per change.
func (a *app) onCallEvent(_ context.Context, ev events.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.tr.apply(ev) {
		for _, aor := range c.aors {
			for _, w := range a.byAOR[aor] {
				w.out.push(notice{dialogs: []Dialog{c.d}})
			}
		}
	}
}

// onGap: call events were lost and could not be read back. A dialog whose
// end was among them stays until its call's next event or the tracker's
// bound; a subscriber's next refresh brings the state the app has.
func (a *app) onGap(_ context.Context, g sdk.Gap) {
	a.log.Warn("dialogevent: call events missing", "call_id", g.CallID, "node", g.Node, "first_seq", g.First, "last_seq", g.Last)
}

// onRefreshed: a refresh gets the full state (RFC 6665 wants a NOTIFY
// after every SUBSCRIBE it accepts); an unsubscribe gets it as the last
// NOTIFY.
func (a *app) onRefreshed(_ context.Context, ev *events.SubscriptionRefreshedV1) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.subs[ev.LegID]
	if w == nil {
		return
	}
	n := notice{full: true, dialogs: a.tr.dialogsOf(w.aor)}
	if ev.Expires == 0 {
		n.state, n.last = stateEnded, true
		delete(a.byAOR[w.aor], w.id)
	}
	w.out.push(n)
}

// onEnded: the subscription is over; nothing more is sent on it.
func (a *app) onEnded(_ context.Context, ev *events.SubscriptionEndedV1) {
	a.drop(ev.LegID)
}

// drop forgets subscription id and drops what waits to be sent on it.
func (a *app) drop(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.subs[id]
	if w == nil {
		return
	}
	delete(a.subs, id)
	w.out.close()
	if m := a.byAOR[w.aor]; m != nil {
		delete(m, id)
		if len(m) == 0 {
			delete(a.byAOR, w.aor)
		}
	}
}
