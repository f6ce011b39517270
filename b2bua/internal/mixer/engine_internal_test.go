package mixer

import (
	"fmt"
	"testing"

	"github.com/pion/rtp"
)

// TestEnginePlacement: rooms go to the worker, then the phase, with the
// fewest participants, then the fewest rooms; Remove frees the place.
func TestEnginePlacement(t *testing.T) {
	e, err := NewEngine(Config{Workers: 2, Phases: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink := SinkFunc(func(*rtp.Packet) error { return nil })
	var big *Room
	for i := range 8 { // empty rooms: round robin over workers and phases
		r, err := e.NewRoom(fmt.Sprint(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			big = r
		}
	}
	for _, w := range e.workers {
		for ph, rooms := range w.phases {
			if len(rooms) != 1 {
				t.Fatalf("worker %d phase %d: %d rooms, want 1", w.id, ph, len(rooms))
			}
		}
	}
	for i := range 5 {
		if _, err := big.Add(ParticipantConfig{ID: fmt.Sprint(i), PayloadType: 0, Sink: sink}); err != nil {
			t.Fatal(err)
		}
	}
	// The next rooms avoid big's worker until the other has as many
	// participants, and never land in big's phase.
	for i := range 3 {
		r, err := e.NewRoom(fmt.Sprint("n", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		if pl := e.where[r]; pl.w == e.where[big].w {
			t.Fatalf("room %d placed on the loaded worker", i)
		}
	}
	pl := e.where[big]
	e.Remove(big)
	if _, ok := e.where[big]; ok || len(pl.w.phases[pl.phase]) != 0 {
		t.Fatal("Remove left the room in place")
	}
}
