package dialogevent

import (
	"strings"

	"github.com/tandem-sip/tandem/events"
)

// endEvent maps how a leg ended (its leg_ended event: the side, whether it
// had been answered, the code and the reason) to the RFC 4235 event of its
// dialog's termination, as the leg's party saw it:
//
//	reason                         answered          not answered
//	replaced                       replaced          replaced
//	no ack, target timeout         timeout           timeout
//	target unreachable, "… failed" error             error
//	bye                            (bye: see below)  cancelled
//	any other                      remote-bye        by code and side:
//	  487, cancel, bye before answer                   cancelled
//	  no answer                                        A: timeout, B: cancelled
//	  hangup command                                   A: rejected, B: cancelled
//	  408                                              timeout
//	  300-699                                          rejected
//	  other                                            cancelled
//
// "Any other" reason of an answered leg is one the core gave when it sent
// the BYE itself (hangup command, max call duration, transferred): the
// party received it. A failure before the answer is the callee's response
// on a B leg and Tandem's on the A leg (rejected), unless Tandem cancelled
// the B leg (cancelled). bye is true for an answered leg ended by a BYE:
// the event does not say whose, so the caller decides with byeEvent once it
// knows (ev is then LocalBye as a placeholder).
func endEvent(side string, answered bool, code int, reason string) (ev Event, bye bool) {
	r := strings.ToLower(strings.TrimSpace(reason))
	switch {
	case r == "replaced":
		return Replaced, false
	case r == "no ack" || r == "target timeout":
		return Timeout, false
	case r == "target unreachable" || strings.HasSuffix(r, " failed"):
		return Error, false
	case answered && r == "bye":
		return LocalBye, true
	case answered:
		return RemoteBye, false
	case code == 487 || r == "cancel" || r == "bye before answer" || r == "bye":
		return Cancelled, false
	case r == "no answer":
		if side == events.SideA {
			return Timeout, false
		}
		return Cancelled, false
	case r == "hangup command":
		if side == events.SideA {
			return Rejected, false
		}
		return Cancelled, false
	case code == 408:
		return Timeout, false
	case code >= 300 && code <= 699:
		return Rejected, false
	}
	return Cancelled, false
}

// byeEvent says who sent the BYE that ended an answered leg of side side:
// hungUpBy is the call_ended event's hung_up_by when the BYE ended the
// call ("a" or "b": that side's party sent it; the other received it from
// Tandem), or "" when the leg ended alone (a claimed call, a transferor
// leaving): its own party sent it.
func byeEvent(side, hungUpBy string) Event {
	switch hungUpBy {
	case events.SideA, events.SideB:
		if side == hungUpBy {
			return LocalBye
		}
		return RemoteBye
	}
	return LocalBye
}
