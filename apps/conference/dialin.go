package conference

import (
	"context"
	"slices"
	"strings"

	"github.com/tandem-sip/tandem/events"
)

// route answers the routing decision of a new INVITE: a call to a room's
// URI is parked for the app (which then joins it to the room), refused
// when the room is locked (403) or full (486), or when it is bound to
// another node (480); a call to an ad-hoc URI the app does not know (or
// no longer: its lease expired) gets 404; any other call is left to the
// core (default).
func (a *app) route(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
	a.lock()
	defer a.unlock()
	r := a.rooms[req.User]
	if r == nil || !r.matches(req.Host) {
		if strings.HasPrefix(req.User, a.set.adhoc.prefix) {
			return reject(codeNotFound, reasonNotFound), nil
		}
		return events.RouteDecisionV1{Action: events.RouteDefault}, nil
	}
	if p := a.legs[req.LegID]; p != nil && p.room == r && p.state == partAdmitted {
		return a.park(), nil // the same request again
	}
	if code, reason := admission(r.state, r.occupied(), r.spec.max); code != 0 {
		a.log.Info("conference: caller refused", "room", r.id(), "call_id", req.CallID, "code", code, "reason", reason)
		return reject(code, reason), nil
	}
	if r.node != req.Node {
		if r.mixer || len(r.parts) > 0 {
			return reject(codeElsewhere, reasonElsewhere), nil
		}
		r.node = req.Node
	}
	p := &participant{
		leg: req.LegID, call: req.CallID, node: req.Node, room: r, state: partAdmitted, via: viaDialIn,
		entity: plainURI(req.From), lobby: r.spec.needsPIN(),
	}
	a.addParticipant(p)
	a.log.Debug("conference: caller admitted", "room", r.id(), "leg_id", p.leg, "lobby", p.lobby)
	return a.park(), nil
}

// park is the decision that parks a call for the app.
func (a *app) park() events.RouteDecisionV1 {
	return events.RouteDecisionV1{Action: events.RoutePark, Controller: a.ctl}
}

func reject(code int, reason string) events.RouteDecisionV1 {
	return events.RouteDecisionV1{Action: events.RouteReject, Code: code, Reason: reason}
}

// plainURI is the URI of a From or To value, without display name, angle
// brackets and parameters; the value itself when it is no SIP URI.
func plainURI(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	if u, ok := parseURI(strings.TrimSpace(s)); ok {
		return u.String()
	}
	return s
}

// onParked: a call the app admitted is parked for it: join it to its
// room. A call parked for another controller (another plugin's decision
// won) is not the app's.
func (a *app) onParked(ev *events.CallParkedV1) {
	a.lock()
	defer a.unlock()
	p := a.legs[ev.LegID]
	if p == nil || p.state != partAdmitted {
		return
	}
	if ev.Controller != a.ctl {
		a.leave(p, LeftElsewhere)
		return
	}
	if next, ok := nextPartState(p.state, evParked); ok {
		p.state = next
		a.goLater(func(ctx context.Context) { _ = a.join(ctx, p) })
	}
}

// onRouted: a call the app admitted was routed otherwise (another
// plugin's decision won): it is not the app's.
func (a *app) onRouted(ev *events.CallRoutedV1) {
	if ev.Action == events.RoutePark {
		return // onParked tells whose
	}
	a.lock()
	defer a.unlock()
	for _, p := range slices.Clone(a.calls[ev.CallID]) {
		if p.state == partAdmitted {
			a.leave(p, LeftElsewhere)
		}
	}
}
