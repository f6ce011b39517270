package mixer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// countSink counts packets and signals once it has seen want.
type countSink struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (s *countSink) WriteRTP(*rtp.Packet) error {
	if s.n.Add(1) == s.want {
		close(s.done)
	}
	return nil
}

// TestEngineRuns: an engine with two workers ticks every room it is given
// until its context ends; Run cannot be entered twice.
func TestEngineRuns(t *testing.T) {
	e, err := mixer.NewEngine(mixer.Config{Workers: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sinks []*countSink
	var rooms []*mixer.Room
	for i := range 4 {
		r, err := e.NewRoom(string(rune('a'+i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		rooms = append(rooms, r)
		for j := range 2 {
			s := &countSink{want: 5, done: make(chan struct{})}
			sinks = append(sinks, s)
			if _, err := r.Add(mixer.ParticipantConfig{ID: string(rune('0' + j)), PayloadType: 8, Sink: s}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Add(rooms[0]); !errors.Is(err, mixer.ErrAlreadyAttached) {
		t.Fatalf("second Add: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- e.Run(ctx) }()
	for _, s := range sinks {
		<-s.done
	}
	if err := e.Run(ctx); !errors.Is(err, mixer.ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
	e.Remove(rooms[3])
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Workers != 2 || st.Rooms != 3 || st.Participants != 6 || st.Ticks < 5 {
		t.Fatalf("stats %+v", st)
	}
	for _, r := range rooms {
		if rs := r.Stats(); rs.Ticks < 5 || rs.MaxLateness <= 0 {
			t.Fatalf("room %s: %+v", r.ID(), rs)
		}
	}
	t.Logf("engine: %+v", st)
}

func TestEngineConfig(t *testing.T) {
	if _, err := mixer.NewEngine(mixer.Config{Workers: -1}, nil); err == nil {
		t.Fatal("negative workers accepted")
	}
	if _, err := mixer.NewRoom("r", mixer.Config{JitterMax: 99}, nil, nil); err == nil {
		t.Fatal("bad room config accepted")
	}
	e, err := mixer.NewEngine(mixer.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := e.Run(ctx); err != nil { // no rooms: ticks nothing, stops
		t.Fatal(err)
	}
}
