package dialogevent

import (
	"encoding/xml"
	"fmt"
)

// Namespace is the XML namespace of dialog-info documents (RFC 4235 §4.1).
const Namespace = "urn:ietf:params:xml:ns:dialog-info"

// The state attribute of a dialog-info document.
const (
	stateFull    = "full"    // every dialog of the entity: the subscriber starts over
	statePartial = "partial" // only the dialogs that changed
)

// dialogInfo is the dialog-info element (RFC 4235 §4.1.1).
type dialogInfo struct {
	XMLName xml.Name     `xml:"urn:ietf:params:xml:ns:dialog-info dialog-info"`
	Version uint64       `xml:"version,attr"`
	State   string       `xml:"state,attr"`
	Entity  string       `xml:"entity,attr"`
	Dialogs []dialogElem `xml:"dialog"`
}

// dialogElem is a dialog element (RFC 4235 §4.1.2): its sub-elements in
// the schema's order (state, then local and remote).
type dialogElem struct {
	ID        string           `xml:"id,attr"`
	CallID    string           `xml:"call-id,attr,omitempty"`
	Direction string           `xml:"direction,attr,omitempty"`
	State     stateElem        `xml:"state"`
	Local     *participantElem `xml:"local,omitempty"`
	Remote    *participantElem `xml:"remote,omitempty"`
}

// stateElem is a dialog's state, with the event (and code) that
// terminated it.
type stateElem struct {
	Event string `xml:"event,attr,omitempty"`
	Code  int    `xml:"code,attr,omitempty"`
	Value string `xml:",chardata"`
}

// participantElem is the local or remote element: identity and target.
type participantElem struct {
	Identity *identityElem `xml:"identity,omitempty"`
	Target   *targetElem   `xml:"target,omitempty"`
}

type identityElem struct {
	Display string `xml:"display,attr,omitempty"`
	URI     string `xml:",chardata"`
}

type targetElem struct {
	URI string `xml:"uri,attr"`
}

// document builds the dialog-info+xml body of one NOTIFY: entity's dialogs
// ds, the full state or a partial one, numbered version. The version
// counts a subscription's documents from 0 (RFC 4235 §4.1.1); a partial
// document holds each dialog it names in full.
func document(entity string, version uint64, full bool, ds []Dialog) ([]byte, error) {
	info := dialogInfo{Version: version, State: statePartial, Entity: entity}
	if full {
		info.State = stateFull
	}
	for _, d := range ds {
		info.Dialogs = append(info.Dialogs, dialogElement(d))
	}
	body, err := xml.Marshal(info)
	if err != nil {
		return nil, fmt.Errorf("dialogevent: dialog-info document: %w", err)
	}
	return append([]byte(xml.Header), body...), nil
}

// dialogElement is d as a dialog element.
func dialogElement(d Dialog) dialogElem {
	e := dialogElem{
		ID:        d.ID,
		CallID:    d.CallID,
		Direction: string(d.Direction),
		State:     stateElem{Value: string(d.State)},
		Local:     participant(d.Local),
		Remote:    participant(d.Remote),
	}
	if d.State == Terminated {
		e.State.Event, e.State.Code = string(d.Event), d.Code
	}
	return e
}

// participant is p as a local or remote element; nil when nothing is
// known of it.
func participant(p Party) *participantElem {
	var e participantElem
	if p.Identity.URI != "" {
		e.Identity = &identityElem{Display: p.Identity.Display, URI: p.Identity.URI}
	}
	if p.Target != "" {
		e.Target = &targetElem{URI: p.Target}
	}
	if e.Identity == nil && e.Target == nil {
		return nil
	}
	return &e
}
