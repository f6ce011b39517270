package conference

import "testing"

func TestNextRoomState(t *testing.T) {
	tests := []struct {
		from    roomState
		op      roomOp
		to      roomState
		changed bool
		err     bool
	}{
		{roomOpen, opLock, roomLocked, true, false},
		{roomOpen, opUnlock, roomOpen, false, false},
		{roomOpen, opEnd, roomEnded, true, false},
		{roomLocked, opLock, roomLocked, false, false},
		{roomLocked, opUnlock, roomOpen, true, false},
		{roomLocked, opEnd, roomEnded, true, false},
		{roomEnded, opLock, roomEnded, false, true},
		{roomEnded, opUnlock, roomEnded, false, true},
		{roomEnded, opEnd, roomEnded, false, true},
		{roomOpen, roomOp(9), roomOpen, false, true},
	}
	for _, tt := range tests {
		to, changed, err := nextRoomState(tt.from, tt.op)
		if to != tt.to || changed != tt.changed || (err != nil) != tt.err {
			t.Errorf("%v op %d: %v %v %v, want %v %v err=%v", tt.from, tt.op, to, changed, err, tt.to, tt.changed, tt.err)
		}
	}
}

func TestAdmission(t *testing.T) {
	tests := []struct {
		state         roomState
		occupied, max int
		code          int
	}{
		{roomOpen, 0, 0, 0},
		{roomOpen, 99, 0, 0}, // no limit
		{roomOpen, 2, 3, 0},
		{roomOpen, 3, 3, codeFull},
		{roomLocked, 0, 3, codeLocked},
		{roomLocked, 3, 3, codeLocked}, // locked says more than full
		{roomEnded, 0, 0, codeNotFound},
	}
	for _, tt := range tests {
		if code, reason := admission(tt.state, tt.occupied, tt.max); code != tt.code || (code != 0) != (reason != "") {
			t.Errorf("%v %d/%d: %d %q, want %d", tt.state, tt.occupied, tt.max, code, reason, tt.code)
		}
	}
	for _, tt := range []struct {
		state     roomState
		moderator bool
		want      bool
	}{
		{roomOpen, false, true}, {roomOpen, true, true},
		{roomLocked, false, false}, {roomLocked, true, true},
		{roomEnded, false, false}, {roomEnded, true, false},
	} {
		if got := admitAfterPIN(tt.state, tt.moderator); got != tt.want {
			t.Errorf("admitAfterPIN(%v, %v) = %v", tt.state, tt.moderator, got)
		}
	}
}

// Every (state, event) pair: the table of nextPartState.
func TestNextPartState(t *testing.T) {
	type key struct {
		s partState
		e partEvent
	}
	allowed := map[key]partState{
		{partAdmitted, evParked}:   partJoining,
		{partDialing, evAnswered}:  partJoining,
		{partJoining, evInLobby}:   partLobby,
		{partJoining, evInRoom}:    partJoined,
		{partLobby, evPINAccepted}: partJoined,
		{partAdmitted, evLeft}:     partLeft,
		{partDialing, evLeft}:      partLeft,
		{partJoining, evLeft}:      partLeft,
		{partLobby, evLeft}:        partLeft,
		{partJoined, evLeft}:       partLeft,
	}
	for s := partAdmitted; s <= partLeft; s++ {
		for e := evParked; e <= evLeft; e++ {
			next, ok := nextPartState(s, e)
			want, wantOK := allowed[key{s, e}]
			if !wantOK {
				want = s
			}
			if next != want || ok != wantOK {
				t.Errorf("%v + event %d: %v %v, want %v %v", s, e, next, ok, want, wantOK)
			}
		}
	}
	for s := partAdmitted; s <= partLeft; s++ {
		if s.String() == "unknown" || s.occupies() == (s == partLeft) {
			t.Errorf("state %d: %q occupies=%v", s, s, s.occupies())
		}
	}
}
