package mixer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/g711"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

var nopSink = mixer.SinkFunc(func(*rtp.Packet) error { return nil })

// benchParticipant is a participant and the packet its phone sends every
// tick (a tone; half the room PCMU, half PCMA).
type benchParticipant struct {
	p   *mixer.Participant
	pkt rtp.Packet
}

func addBenchParticipants(tb testing.TB, r *mixer.Room, n int) []*benchParticipant {
	tb.Helper()
	ps := make([]*benchParticipant, n)
	for i := range ps {
		law := g711.Ulaw
		if i%2 == 1 {
			law = g711.Alaw
		}
		p, err := r.Add(mixer.ParticipantConfig{ID: fmt.Sprint(i), PayloadType: law.PayloadType(), EventPayloadType: 101, Sink: nopSink})
		if err != nil {
			tb.Fatal(err)
		}
		payload := make([]byte, mixer.FrameSamples)
		law.Encode(payload, tone(float64(200+50*(i%60)), 3000, 0))
		ps[i] = &benchParticipant{p: p, pkt: rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: law.PayloadType(), SSRC: uint32(i + 1)}, Payload: payload}}
	}
	return ps
}

// feed has every phone send its next packet.
func feed(ps []*benchParticipant) {
	for _, bp := range ps {
		bp.pkt.SequenceNumber++
		bp.pkt.Timestamp += mixer.FrameSamples
		_ = bp.p.WriteRTP(&bp.pkt)
	}
}

// BenchmarkRoomTick measures one tick of a room where every participant
// sends a frame every tick (the worst case: all are mixed), including
// handing each packet to WriteRTP, mixing, encoding and the Sink call. One
// op is one room tick. Reported: ns per participant per tick, and how many
// participants one core could mix in the 20 ms of a tick at that cost.
func BenchmarkRoomTick(b *testing.B) {
	for _, size := range []int{3, 10, 100} {
		b.Run(fmt.Sprintf("participants=%d", size), func(b *testing.B) {
			r, err := mixer.NewRoom("bench", mixer.Config{}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			ps := addBenchParticipants(b, r, size)
			now := time.Unix(0, 0)
			for range 5 { // fill the jitter buffers
				feed(ps)
				now = now.Add(mixer.Period)
				r.Tick(now)
			}
			b.ReportAllocs()
			for b.Loop() {
				feed(ps)
				now = now.Add(mixer.Period)
				r.Tick(now)
			}
			perPart := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(size)
			b.ReportMetric(perPart, "ns/participant-tick")
			b.ReportMetric(float64(mixer.Period.Nanoseconds())/perPart, "participants/core")
			for _, s := range r.Stats().Participants {
				if s.Dropped != 0 || s.Concealed != 0 {
					b.Fatalf("participant %s: %+v", s.ID, s)
				}
			}
		})
	}
}

// BenchmarkEngineRealtime runs an engine with ONE worker (one core) in
// real time with 2,000 participants, in rooms of 3, 10 and 100 (and 8,000
// in rooms of 10, to show the headroom), fed by a
// goroutine that sends every participant a packet every 20 ms. One op is
// one 20 ms period (use -benchtime=500x for 10 s). Reported: per room, the
// worst lateness of a tick's end after its scheduled time and the share
// of room ticks more than 5 ms late; per worker slot, the worst wake-up
// delay, the 99th percentile lateness bucket, the slots late or skipped;
// the worker's busy time (wall clock, so it includes time the OS gave to
// other processes) per period and per participant-tick and its share of
// the core; and the whole process's CPU time per participant-tick
// (including feeding the packets).
func BenchmarkEngineRealtime(b *testing.B) {
	for _, c := range []struct{ total, size int }{{2000, 3}, {2000, 10}, {2000, 100}, {8000, 10}} {
		total, size := c.total, c.size
		b.Run(fmt.Sprintf("rooms=%dx%d", (total+size-1)/size, size), func(b *testing.B) {
			e, err := mixer.NewEngine(mixer.Config{Workers: 1}, nil)
			if err != nil {
				b.Fatal(err)
			}
			var ps []*benchParticipant
			var rooms []*mixer.Room
			for n := 0; n < total; n += size {
				r, err := e.NewRoom(fmt.Sprint("room-", n), nil)
				if err != nil {
					b.Fatal(err)
				}
				rooms = append(rooms, r)
				ps = append(ps, addBenchParticipants(b, r, min(size, total-n))...)
			}
			ctx, cancel := context.WithCancel(b.Context())
			var wg sync.WaitGroup
			wg.Go(func() { // the network: a packet per participant per period
				t := time.NewTicker(mixer.Period)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
						feed(ps)
					}
				}
			})
			b.ResetTimer()
			cpu0 := processCPU()
			wg.Go(func() { _ = e.Run(ctx) })
			time.Sleep(time.Duration(b.N)*mixer.Period + mixer.Period/2) // b.N ticks
			cancel()
			wg.Wait()
			cpu := processCPU() - cpu0
			b.StopTimer()

			s := e.Stats()
			if s.Ticks == 0 {
				b.Fatal("no tick")
			}
			var busy float64
			periods := float64(s.Ticks) / float64(s.Phases)
			busy = float64(s.Busy.Nanoseconds()) / periods // per 20 ms period
			b.ReportMetric(float64(s.MaxWakeDelay.Microseconds())/1000, "max-wake-ms")
			b.ReportMetric(p99(s.Lateness[:]).Seconds()*1000, "p99-slot-late<=ms")
			b.ReportMetric(float64(s.LateTicks), "slots-late>5ms")
			b.ReportMetric(float64(s.MissedTicks), "slots-skipped")
			b.ReportMetric(busy/1e6, "busy-ms/period")
			b.ReportMetric(busy/float64(total), "ns/participant-tick")
			b.ReportMetric(100*busy/float64(mixer.Period.Nanoseconds()), "core-%")
			// All the process's CPU (the engine, the feeding goroutine, GC)
			// per participant per period: an upper bound of the mixer's.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(total), "cpu-ns/participant-tick")
			var dropped, concealed, roomTicks, roomLate uint64
			var roomMaxLate time.Duration
			for _, r := range rooms {
				rs := r.Stats()
				roomTicks += rs.Ticks
				roomLate += rs.LateTicks
				roomMaxLate = max(roomMaxLate, rs.MaxLateness)
				for _, p := range rs.Participants {
					dropped += p.Dropped
					concealed += p.Concealed
				}
			}
			// Per room: how late its frames went out, relative to its slot.
			b.ReportMetric(float64(roomMaxLate.Microseconds())/1000, "room-max-late-ms")
			b.ReportMetric(100*float64(roomLate)/float64(max(roomTicks, 1)), "room-ticks-late>5ms-%")
			b.ReportMetric(float64(dropped)/float64(total), "dropped/participant")
			b.ReportMetric(float64(concealed)/float64(total), "concealed/participant")
		})
	}
}

// p99 is the bound of the lateness bucket holding the 99th percentile.
func p99(hist []uint64) time.Duration {
	var total, n uint64
	for _, c := range hist {
		total += c
	}
	for i, c := range hist {
		n += c
		if n*100 >= total*99 {
			if i < len(mixer.LatenessBounds) {
				return mixer.LatenessBounds[i]
			}
			break
		}
	}
	return time.Second
}
