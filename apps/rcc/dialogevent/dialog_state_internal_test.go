package dialogevent

import "testing"

func TestNext(t *testing.T) {
	for _, tt := range []struct {
		from    State
		step    step
		ev      Event
		code    int
		want    State
		changed bool
		wantEv  Event
		wantCd  int
	}{
		{Trying, stepProceeding, "", 0, Proceeding, true, "", 0},
		{Trying, stepRinging, "", 0, Early, true, "", 0},
		{Trying, stepAnswered, "", 0, Confirmed, true, "", 0},
		{Proceeding, stepRinging, "", 0, Early, true, "", 0},
		{Proceeding, stepProceeding, "", 0, Proceeding, false, "", 0},
		{Early, stepRinging, "", 0, Early, false, "", 0}, // 180 after 183
		{Early, stepProceeding, "", 0, Early, false, "", 0},
		{Early, stepAnswered, "", 0, Confirmed, true, "", 0},
		{Confirmed, stepRinging, "", 0, Confirmed, false, "", 0}, // a late 18x
		{Confirmed, stepAnswered, "", 0, Confirmed, false, "", 0},
		{Trying, stepEnded, Rejected, 486, Terminated, true, Rejected, 486},
		{Early, stepEnded, Cancelled, 487, Terminated, true, Cancelled, 0},
		{Confirmed, stepEnded, RemoteBye, 200, Terminated, true, RemoteBye, 0},
		{Confirmed, stepEnded, LocalBye, 200, Terminated, true, LocalBye, 0},
		{Terminated, stepEnded, Error, 500, Terminated, false, Rejected, 403}, // reported once
		{Terminated, stepAnswered, "", 0, Terminated, false, Rejected, 403},
	} {
		d := Dialog{ID: "l1", State: tt.from}
		if tt.from == Terminated {
			d.Event, d.Code = Rejected, 403
		}
		got, changed := next(d, tt.step, tt.ev, tt.code)
		if got.State != tt.want || changed != tt.changed || got.Event != tt.wantEv || got.Code != tt.wantCd || got.ID != "l1" {
			t.Errorf("%s + step %d (%s %d) = %s %s %d changed %v; want %s %s %d changed %v",
				tt.from, tt.step, tt.ev, tt.code, got.State, got.Event, got.Code, changed, tt.want, tt.wantEv, tt.wantCd, tt.changed)
		}
	}
}
