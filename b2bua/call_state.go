package b2bua

// callState is where a call is in its life.
type callState int

const (
	stRouting   callState = iota // A's INVITE arrived; waiting for the routing decision
	stCalling                    // B's INVITE sent, nothing but 100 back yet
	stEarly                      // B answered 18x, relayed to A
	stConnected                  // both legs answered
	stEnded                      // the call is over (B's INVITE may still be settling)
)

func (s callState) String() string {
	switch s {
	case stRouting:
		return "routing"
	case stCalling:
		return "calling"
	case stEarly:
		return "early"
	case stConnected:
		return "connected"
	case stEnded:
		return "ended"
	}
	return "unknown"
}

// callInput is what can happen to a call.
type callInput int

const (
	inRouteForward callInput = iota // routing chose a target
	inRouteReject                   // routing rejected the call
	inBProvisional                  // B sent 18x
	inBAnswer                       // B sent 2xx
	inBRedirect                     // B sent 3xx that we follow
	inBFailure                      // B failed (final non-2xx we relay, timeout)
	inACancel                       // A sent CANCEL
	inNoAnswer                      // the no-answer timer fired
	inHangup                        // a command or shutdown hangs up
	inBye                           // BYE from either leg, or a fatal mid-call failure
	inAAnswered                     // a controller answered the parked A leg
)

func (in callInput) String() string {
	return [...]string{"route_forward", "route_reject", "b_provisional", "b_answer", "b_redirect",
		"b_failure", "a_cancel", "no_answer", "hangup", "bye", "a_answered"}[in]
}

// nextCallState is the call's state machine as a pure function: the state
// after input in state s, and whether the input is valid there. Invalid
// inputs leave the state alone (late or duplicate messages).
func nextCallState(s callState, in callInput) (callState, bool) {
	switch s {
	case stRouting:
		switch in {
		case inRouteForward:
			return stCalling, true
		case inRouteReject, inACancel, inNoAnswer, inHangup:
			return stEnded, true
		case inAAnswered:
			return stConnected, true
		}
	case stCalling, stEarly:
		switch in {
		case inBProvisional:
			return stEarly, true
		case inBAnswer:
			return stConnected, true
		case inBRedirect:
			return stCalling, true
		case inBFailure, inACancel, inNoAnswer, inHangup, inBye:
			return stEnded, true
		}
	case stConnected:
		switch in {
		case inBye, inHangup:
			return stEnded, true
		}
	}
	return s, false
}
