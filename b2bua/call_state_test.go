package b2bua

import "testing"

func TestNextCallState(t *testing.T) {
	tests := []struct {
		from callState
		in   callInput
		to   callState
		ok   bool
	}{
		{stRouting, inRouteForward, stCalling, true},
		{stRouting, inRouteReject, stEnded, true},
		{stRouting, inACancel, stEnded, true},
		{stRouting, inNoAnswer, stEnded, true},
		{stRouting, inHangup, stEnded, true},
		{stRouting, inBAnswer, stRouting, false},
		{stRouting, inBye, stRouting, false},
		{stRouting, inAAnswered, stConnected, true},
		{stCalling, inAAnswered, stCalling, false},
		{stConnected, inAAnswered, stConnected, false},
		{stCalling, inBProvisional, stEarly, true},
		{stCalling, inBAnswer, stConnected, true},
		{stCalling, inBRedirect, stCalling, true},
		{stCalling, inBFailure, stEnded, true},
		{stCalling, inACancel, stEnded, true},
		{stCalling, inNoAnswer, stEnded, true},
		{stCalling, inRouteForward, stCalling, false},
		{stEarly, inBProvisional, stEarly, true},
		{stEarly, inBAnswer, stConnected, true},
		{stEarly, inBRedirect, stCalling, true},
		{stEarly, inBFailure, stEnded, true},
		{stEarly, inACancel, stEnded, true},
		{stEarly, inNoAnswer, stEnded, true},
		{stEarly, inHangup, stEnded, true},
		{stConnected, inBye, stEnded, true},
		{stConnected, inHangup, stEnded, true},
		{stConnected, inACancel, stConnected, false}, // CANCEL after 2xx has no effect
		{stConnected, inNoAnswer, stConnected, false},
		{stConnected, inBAnswer, stConnected, false}, // 2xx retransmission
		{stConnected, inBFailure, stConnected, false},
		{stEnded, inBye, stEnded, false},
		{stEnded, inBAnswer, stEnded, false},
		{stEnded, inHangup, stEnded, false},
	}
	for _, tt := range tests {
		to, ok := nextCallState(tt.from, tt.in)
		if to != tt.to || ok != tt.ok {
			t.Errorf("%v --%v--> %v,%v; want %v,%v", tt.from, tt.in, to, ok, tt.to, tt.ok)
		}
	}
}
