package conference

import (
	"encoding/xml"
	"testing"
)

// The full state of a room, byte for byte: the document RFC 4575 §5
// describes, with the elements Tandem fills.
func TestFullInfo(t *testing.T) {
	v := roomView{entity: "sip:1000@conf.test", subject: "1000", max: 10, active: true, users: []userView{{
		entity: "sip:alice@example.com", display: "Alice", endpoint: "sip:alice@192.0.2.1", role: roleParticipant,
		status: statusConnected, method: methodDialedIn, media: "sendrecv",
	}}}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:1000@conf.test" state="full" version="1">
 <conference-description>
  <display-text>1000</display-text>
  <maximum-user-count>10</maximum-user-count>
 </conference-description>
 <conference-state>
  <user-count>1</user-count>
  <active>true</active>
  <locked>false</locked>
 </conference-state>
 <users state="full">
  <user entity="sip:alice@example.com" state="full">
   <display-text>Alice</display-text>
   <roles>
    <entry>participant</entry>
   </roles>
   <endpoint entity="sip:alice@192.0.2.1" state="full">
    <status>connected</status>
    <joining-method>dialed-in</joining-method>
    <media id="1">
     <type>audio</type>
     <status>sendrecv</status>
    </media>
   </endpoint>
  </user>
 </users>
</conference-info>
`
	if got := string(fullInfo(v, 1)); got != want {
		t.Errorf("full state:\n%s\nwant:\n%s", got, want)
	}
}

// A partial notification carries the conference state and the changed
// users only: in full, or deleted.
func TestPartialInfo(t *testing.T) {
	v := roomView{entity: "sip:c@h", active: true, locked: true, users: []userView{{entity: "sip:a@h"}, {entity: "sip:b@h"}}}
	var doc struct {
		State     string    `xml:"state,attr"`
		Version   int       `xml:"version,attr"`
		Desc      *struct{} `xml:"conference-description"`
		ConfState struct {
			UserCount int  `xml:"user-count"`
			Locked    bool `xml:"locked"`
		} `xml:"conference-state"`
		Users []struct {
			Entity string `xml:"entity,attr"`
			State  string `xml:"state,attr"`
		} `xml:"users>user"`
	}
	if err := xml.Unmarshal(partialInfo(v, 7, []userView{{entity: "sip:gone@h", deleted: true}}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.State != "partial" || doc.Version != 7 || doc.Desc != nil || doc.ConfState.UserCount != 2 || !doc.ConfState.Locked ||
		len(doc.Users) != 1 || doc.Users[0].Entity != "sip:gone@h" || doc.Users[0].State != "deleted" {
		t.Errorf("partial %+v", doc)
	}
	doc.Users = nil
	if err := xml.Unmarshal(partialInfo(v, 8, nil), &doc); err != nil || len(doc.Users) != 0 || doc.Version != 8 {
		t.Errorf("partial without users %+v %v", doc, err)
	}
}

// Entities with XML's special characters are escaped.
func TestInfoEscapes(t *testing.T) {
	v := roomView{entity: `sip:a&b@h`, users: []userView{{entity: `sip:"x"<y>@h`, display: "Tom & Jerry"}}}
	var doc struct {
		Entity string `xml:"entity,attr"`
		Users  []struct {
			Entity  string `xml:"entity,attr"`
			Display string `xml:"display-text"`
		} `xml:"users>user"`
	}
	if err := xml.Unmarshal(fullInfo(v, 1), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Entity != v.entity || doc.Users[0].Entity != v.users[0].entity || doc.Users[0].Display != "Tom & Jerry" {
		t.Errorf("round trip %+v", doc)
	}
}

func TestStatuses(t *testing.T) {
	tests := []struct {
		s           partState
		via         joinVia
		muted, deaf bool
		status      string
		media       string
	}{
		{partJoined, viaDialIn, false, false, statusConnected, "sendrecv"},
		{partJoined, viaDialIn, true, false, statusMuted, "recvonly"},
		{partJoined, viaDialOut, false, true, statusConnected, "sendonly"},
		{partJoined, viaMerge, true, true, statusMuted, "inactive"},
		{partLobby, viaDialIn, false, false, statusDialingIn, "inactive"},
		{partDialing, viaDialOut, false, false, statusDialingOut, "inactive"},
		{partJoining, viaDialOut, false, false, statusDialingOut, "inactive"},
		{partJoining, viaMerge, false, false, statusPending, "inactive"},
		{partLeft, viaDialIn, false, false, statusDisconnected, "inactive"},
	}
	for _, tt := range tests {
		if s, m := endpointStatus(tt.s, tt.via, tt.muted), mediaStatus(tt.s, tt.muted, tt.deaf); s != tt.status || m != tt.media {
			t.Errorf("%v %v muted=%v deaf=%v: %s %s, want %s %s", tt.s, tt.via, tt.muted, tt.deaf, s, m, tt.status, tt.media)
		}
	}
}
