package mixer_test

import (
	"fmt"
	"time"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// A room of two: what alice says, bob hears (through µ-law, the mix and
// A-law: about 4000), and alice does not. The core
// would call WriteRTP from its RTP readers, marshal the packets the Sink
// gets onto each leg's socket, and let an Engine call Tick.
func Example() {
	room, _ := mixer.NewRoom("conf-1", mixer.Config{}, nil, func(e mixer.Event) {
		if e.Kind == mixer.EventDigit {
			fmt.Println(e.Participant, e.Kind, string(e.Digit))
			return
		}
		fmt.Println(e.Participant, e.Kind)
	})
	heard := map[string]int16{}
	sink := func(id string, law g711.Law) mixer.Sink {
		return mixer.SinkFunc(func(p *rtp.Packet) error {
			heard[id] = law.DecodeSample(p.Payload[0])
			return nil
		})
	}
	alice, _ := room.Add(mixer.ParticipantConfig{ID: "alice", PayloadType: 0, EventPayloadType: 101, Sink: sink("alice", g711.Ulaw)})
	_, _ = room.Add(mixer.ParticipantConfig{ID: "bob", PayloadType: 8, Sink: sink("bob", g711.Alaw)})

	voice := make([]byte, mixer.FrameSamples)
	for i := range voice {
		voice[i] = g711.EncodeUlaw(4000)
	}
	now := time.Now()
	for n := range 3 {
		_ = alice.WriteRTP(&rtp.Packet{
			Header:  rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(n), Timestamp: uint32(n * 160), SSRC: 42},
			Payload: voice,
		})
		now = now.Add(mixer.Period)
		room.Tick(now)
	}
	_ = alice.WriteRTP(&rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 3, Timestamp: 480, SSRC: 42},
		Payload: mixer.TelephoneEvent{Code: 11, End: true, Duration: 800}.Marshal(nil),
	})
	room.Tick(now.Add(mixer.Period))
	fmt.Println("alice hears", heard["alice"], "bob hears", heard["bob"])
	// Output:
	// alice talk-started
	// alice digit #
	// alice hears 0 bob hears 4032
}
