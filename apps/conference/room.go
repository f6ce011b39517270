package conference

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Room kinds.
const (
	kindStatic = "static"
	kindAdhoc  = "adhoc"
)

// room is a conference: a static room from the config, or an ad-hoc room
// with a lease. Its fields are guarded by app.mu, but for mixerMu.
type room struct {
	spec  roomSpec
	adhoc bool
	uri   string // the conference URI; for a static room by user part, "" until a request names a host

	state   roomState
	node    string // the node of its mixer room and participants; "" until bound
	mixer   bool   // its mixer room exists on node
	record  string // the recording of the current mixer room
	expires time.Time
	lease   stopper // an ad-hoc room's expiry timer
	seq     uint64  // its events' sequence

	parts map[string]*participant // by leg id; left participants are removed
	subs  map[string]*subscriber  // by subscription id

	// mixerMu serialises the creation and destruction of the mixer room
	// (commands to the core, made without app.mu). Lock order: mixerMu,
	// then app.mu.
	mixerMu sync.Mutex
}

func newRoom(spec roomSpec, adhoc bool, uri string) *room {
	return &room{
		spec: spec, adhoc: adhoc, uri: uri,
		parts: map[string]*participant{}, subs: map[string]*subscriber{},
	}
}

// id is the room's name: its URI's user part, also its mixer room id.
func (r *room) id() string { return r.spec.user }

func (r *room) kind() string {
	if r.adhoc {
		return kindAdhoc
	}
	return kindStatic
}

// occupied counts the participants holding a seat.
func (r *room) occupied() int {
	n := 0
	for _, p := range r.parts {
		if p.state.occupies() {
			n++
		}
	}
	return n
}

// sortedParts are the participants by leg id.
func (r *room) sortedParts() []*participant {
	ps := make([]*participant, 0, len(r.parts))
	for _, p := range r.parts {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].leg < ps[j].leg })
	return ps
}

// entityFor is the room's conference URI, or, for a static room known by
// user part only, the one a request named (its host).
func (r *room) entityFor(host string) string {
	if r.uri != "" || host == "" {
		return r.uri
	}
	return roomURI(r.id(), host)
}

// matches reports whether a request to user@host is for this room.
func (r *room) matches(host string) bool {
	return r.spec.host == "" || sameHost(r.spec.host, strings.Trim(host, "[]"))
}

// view is the room as a conference-info document shows it.
func (r *room) view(entity string) roomView {
	v := roomView{entity: entity, subject: r.id(), max: r.spec.max, locked: r.state == roomLocked, active: r.state != roomEnded}
	for _, p := range r.sortedParts() {
		if !p.shown {
			continue
		}
		v.users = append(v.users, p.view())
	}
	return v
}

// stopper is a timer the app can stop (time.Timer, or a test's).
type stopper interface{ Stop() bool }
