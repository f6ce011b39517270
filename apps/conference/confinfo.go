package conference

import (
	"bytes"
	"encoding/xml"
)

// The conference event package (RFC 4575): documents of type
// application/conference-info+xml describing a room to its subscribers.
const (
	eventPackage    = "conference"
	confInfoType    = "application/conference-info+xml"
	confInfoNS      = "urn:ietf:params:xml:ns:conference-info"
	docFull         = "full"
	docPartial      = "partial"
	docDeleted      = "deleted"
	roleParticipant = "participant"
	roleModerator   = "moderator"
)

// roomView is what a conference-info document says of a room: a snapshot
// taken under the app's lock.
type roomView struct {
	entity  string // the conference URI
	subject string // display text: the room's name
	max     int    // maximum-user-count, 0: not said
	locked  bool
	active  bool // false once the room has ended
	users   []userView
}

// userView is one participant in a document.
type userView struct {
	entity   string // the participant's URI, unique in the room
	display  string
	endpoint string // the endpoint's URI (its Contact when known)
	role     string
	status   string // endpoint status (RFC 4575 §5.7.4)
	method   string // joining method: dialed-in, dialed-out
	media    string // media status, from the participant's side: sendrecv...
	deleted  bool   // in a partial document: the user left
}

// XML of the documents (RFC 4575 §5). Only the elements Tandem fills.
type xmlConferenceInfo struct {
	XMLName     xml.Name        `xml:"urn:ietf:params:xml:ns:conference-info conference-info"`
	Entity      string          `xml:"entity,attr"`
	State       string          `xml:"state,attr"`
	Version     uint32          `xml:"version,attr"`
	Description *xmlDescription `xml:"conference-description,omitempty"`
	ConfState   *xmlConfState   `xml:"conference-state,omitempty"`
	Users       *xmlUsers       `xml:"users,omitempty"`
}

type xmlDescription struct {
	DisplayText string `xml:"display-text,omitempty"`
	MaxUsers    int    `xml:"maximum-user-count,omitempty"`
}

type xmlConfState struct {
	UserCount int  `xml:"user-count"`
	Active    bool `xml:"active"`
	Locked    bool `xml:"locked"`
}

type xmlUsers struct {
	State string    `xml:"state,attr,omitempty"`
	Users []xmlUser `xml:"user"`
}

type xmlUser struct {
	Entity      string       `xml:"entity,attr"`
	State       string       `xml:"state,attr"`
	DisplayText string       `xml:"display-text,omitempty"`
	Roles       *xmlRoles    `xml:"roles,omitempty"`
	Endpoint    *xmlEndpoint `xml:"endpoint,omitempty"`
}

type xmlRoles struct {
	Entry []string `xml:"entry"`
}

type xmlEndpoint struct {
	Entity        string    `xml:"entity,attr"`
	State         string    `xml:"state,attr"`
	Status        string    `xml:"status,omitempty"`
	JoiningMethod string    `xml:"joining-method,omitempty"`
	Media         *xmlMedia `xml:"media,omitempty"`
}

type xmlMedia struct {
	ID     string `xml:"id,attr"`
	Type   string `xml:"type"`
	Status string `xml:"status"`
}

// fullInfo is the full state of v, version version.
func fullInfo(v roomView, version uint32) []byte {
	doc := xmlConferenceInfo{
		Entity: v.entity, State: docFull, Version: version,
		Description: &xmlDescription{DisplayText: v.subject, MaxUsers: v.max},
		ConfState:   confState(v),
		Users:       &xmlUsers{State: docFull, Users: xmlUserList(v.users)},
	}
	return marshalInfo(doc)
}

// partialInfo is a partial notification (RFC 4575 §4.6) of version
// version: the conference state, and changed users each in full (or
// deleted). With no users it reports the conference state alone (a lock).
func partialInfo(v roomView, version uint32, changed []userView) []byte {
	doc := xmlConferenceInfo{Entity: v.entity, State: docPartial, Version: version, ConfState: confState(v)}
	if len(changed) > 0 {
		doc.Users = &xmlUsers{State: docPartial, Users: xmlUserList(changed)}
	}
	return marshalInfo(doc)
}

func confState(v roomView) *xmlConfState {
	n := 0
	for _, u := range v.users {
		if !u.deleted {
			n++
		}
	}
	return &xmlConfState{UserCount: n, Active: v.active, Locked: v.locked}
}

func xmlUserList(us []userView) []xmlUser {
	out := make([]xmlUser, 0, len(us))
	for _, u := range us {
		if u.deleted {
			out = append(out, xmlUser{Entity: u.entity, State: docDeleted})
			continue
		}
		out = append(out, xmlUser{
			Entity: u.entity, State: docFull, DisplayText: u.display,
			Roles: &xmlRoles{Entry: []string{u.role}},
			Endpoint: &xmlEndpoint{
				Entity: u.endpoint, State: docFull, Status: u.status, JoiningMethod: u.method,
				Media: &xmlMedia{ID: "1", Type: "audio", Status: u.media},
			},
		})
	}
	return out
}

func marshalInfo(doc xmlConferenceInfo) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	// The types above always encode: an error here is a programming error.
	if err := enc.Encode(doc); err != nil {
		panic("conference: conference-info: " + err.Error())
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// Endpoint statuses (RFC 4575 §5.7.4) and media statuses.
const (
	statusDialingIn    = "dialing-in"
	statusDialingOut   = "dialing-out"
	statusPending      = "pending"
	statusConnected    = "connected"
	statusMuted        = "muted-via-focus"
	statusDisconnected = "disconnected"
	methodDialedIn     = "dialed-in"
	methodDialedOut    = "dialed-out"
)

// endpointStatus is what RFC 4575 calls a participant in state s that
// joined by via, muted or not.
func endpointStatus(s partState, via joinVia, muted bool) string {
	switch s {
	case partJoined:
		if muted {
			return statusMuted
		}
		return statusConnected
	case partLeft:
		return statusDisconnected
	case partDialing:
		return statusDialingOut
	}
	switch via {
	case viaDialIn:
		return statusDialingIn // admitted, joining, or in the lobby
	case viaDialOut:
		return statusDialingOut
	}
	return statusPending
}

// mediaStatus is the direction of a participant's audio from its own side
// (SDP words): muted it only receives, deaf it only sends; outside the room
// (lobby, joining) nothing flows.
func mediaStatus(s partState, muted, deaf bool) string {
	switch {
	case s != partJoined, muted && deaf:
		return "inactive"
	case muted:
		return "recvonly"
	case deaf:
		return "sendonly"
	}
	return "sendrecv"
}
