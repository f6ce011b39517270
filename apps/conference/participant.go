package conference

// joinVia is how a participant came in.
type joinVia int

const (
	viaDialIn  joinVia = iota // it called the room's URI
	viaDialOut                // conference.dial called it
	viaMerge                  // conference.merge moved its call in
)

func (v joinVia) String() string {
	return [...]string{"dial-in", "dial-out", "merge"}[v]
}

// participant is one leg in a room. Its fields are guarded by app.mu.
type participant struct {
	leg, call string
	node      string // the leg's node
	room      *room
	state     partState
	via       joinVia
	entity    string // the party's URI, unique in the room
	display   string
	endpoint  string // the party's Contact, when known
	moderator bool
	muted     bool
	deaf      bool
	talking   bool

	lobby   bool    // joins through the lobby (the room has a PIN)
	early   []rune  // digits that came while joining the lobby
	pin     string  // the PIN entry so far
	tries   int     // wrong PINs so far
	timer   stopper // the PIN timeout, in the lobby
	keys    string  // the keypad's state, once joined
	shown   bool    // subscribers and events have heard of it
	hungUp  bool    // the app asked the core to hang it up
	leaving string  // why the app hangs it up, for the left event
}

func (p *participant) role() string {
	if p.moderator {
		return roleModerator
	}
	return roleParticipant
}

// view is the participant as a conference-info document shows it.
func (p *participant) view() userView {
	ep := p.endpoint
	if ep == "" {
		ep = p.entity
	}
	return userView{
		entity: p.entity, display: p.display, endpoint: ep, role: p.role(),
		status: endpointStatus(p.state, p.via, p.muted),
		method: joiningMethod(p.via),
		media:  mediaStatus(p.state, p.muted, p.deaf),
	}
}

func joiningMethod(v joinVia) string {
	if v == viaDialOut {
		return methodDialedOut
	}
	return methodDialedIn
}

// info is the participant in a list reply.
func (p *participant) info() ParticipantV1 {
	return ParticipantV1{
		LegID: p.leg, CallID: p.call, Entity: p.entity, State: p.state.String(), Role: p.role(),
		Via: p.via.String(), Muted: p.muted, Deaf: p.deaf, Talking: p.talking,
	}
}
