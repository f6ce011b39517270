package dialogevent

import (
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// The reasons are the core's (b2bua: endLeg and finish).
func TestEndEvent(t *testing.T) {
	const a, b = events.SideA, events.SideB
	for _, tt := range []struct {
		side     string
		answered bool
		code     int
		reason   string
		want     Event
		bye      bool
	}{
		// answered
		{b, true, 200, "bye", LocalBye, true},
		{a, true, 200, "BYE", LocalBye, true},
		{b, true, 200, "hangup command", RemoteBye, false},
		{a, true, 200, "max call duration", RemoteBye, false},
		{b, true, 200, "transferred", RemoteBye, false},
		{b, true, 200, "no legs left", RemoteBye, false},
		{b, true, 200, "replaced", Replaced, false},
		{a, true, 200, "no ACK", Timeout, false},
		{b, true, 200, "leg usage failed", Error, false},
		{a, true, 200, "peer dialog failed", Error, false},
		{b, true, 500, "bridge failed", Error, false},
		// not answered
		{b, false, 487, "cancel", Cancelled, false},
		{a, false, 487, "cancel", Cancelled, false},
		{b, false, 487, "request terminated", Cancelled, false}, // a fork that lost
		{a, false, 487, "bye before answer", Cancelled, false},
		{b, false, 408, "no answer", Cancelled, false},
		{a, false, 408, "no answer", Timeout, false},
		{b, false, 480, "hangup command", Cancelled, false},
		{a, false, 480, "hangup command", Rejected, false},
		{b, false, 408, "target timeout", Timeout, false},
		{a, false, 408, "request timeout", Timeout, false},
		{b, false, 503, "target unreachable", Error, false},
		{b, false, 486, "busy here", Rejected, false},
		{a, false, 486, "busy here", Rejected, false},
		{a, false, 404, "rejected by route", Rejected, false},
		{b, false, 302, "redirected", Rejected, false},
		{a, false, 603, "decline", Rejected, false},
		{b, false, 200, "transfer failed", Error, false},
		{b, false, 200, "bye", Cancelled, false},
		{b, false, 200, "", Cancelled, false},
	} {
		ev, bye := endEvent(tt.side, tt.answered, tt.code, tt.reason)
		if ev != tt.want || bye != tt.bye {
			t.Errorf("endEvent(%s, answered %v, %d %q) = %s, %v; want %s, %v", tt.side, tt.answered, tt.code, tt.reason, ev, bye, tt.want, tt.bye)
		}
	}
}

func TestByeEvent(t *testing.T) {
	for _, tt := range []struct {
		side, hungUpBy string
		want           Event
	}{
		{events.SideA, events.SideA, LocalBye},
		{events.SideA, events.SideB, RemoteBye},
		{events.SideB, events.SideB, LocalBye},
		{events.SideB, events.SideA, RemoteBye},
		{events.SideB, "", LocalBye},     // it ended alone
		{events.SideA, "core", LocalBye}, // "no legs left": each ended alone
		{events.SideB, "command", LocalBye},
	} {
		if got := byeEvent(tt.side, tt.hungUpBy); got != tt.want {
			t.Errorf("byeEvent(%s, %q) = %s, want %s", tt.side, tt.hungUpBy, got, tt.want)
		}
	}
}
