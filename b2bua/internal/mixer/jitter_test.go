package mixer

import "testing"

// jbOp is a push (expecting a result) or a pop (expecting a sequence
// number, or none).
type jbOp struct {
	push    bool
	seq     uint16
	res     pushResult
	none    bool // pop: expect nothing
	dropped int  // frames the op dropped
}

func push(seq uint16, res pushResult) jbOp { return jbOp{push: true, seq: seq, res: res} }
func pushDrop(seq uint16, res pushResult, dropped int) jbOp {
	return jbOp{push: true, seq: seq, res: res, dropped: dropped}
}
func pop(seq uint16) jbOp                  { return jbOp{seq: seq} }
func popDrop(seq uint16, dropped int) jbOp { return jbOp{seq: seq, dropped: dropped} }
func popNone() jbOp                        { return jbOp{none: true} }

func TestJitterBuffer(t *testing.T) {
	tests := []struct {
		name       string
		delay, max int
		ops        []jbOp
	}{
		{"in order, after the delay", 2, 8, []jbOp{
			push(10, pushOK), popNone(), push(11, pushOK), pop(10), push(12, pushOK), pop(11), pop(12), popNone(),
		}},
		{"a lone frame plays after the delay in ticks", 2, 8, []jbOp{
			push(10, pushOK), popNone(), pop(10), popNone(),
		}},
		{"reordered frames play in order", 2, 8, []jbOp{
			push(10, pushOK), push(12, pushOK), push(11, pushOK), pop(10), pop(11), pop(12),
		}},
		{"duplicate dropped", 1, 8, []jbOp{
			push(10, pushOK), push(10, pushDuplicate), push(11, pushOK), push(10, pushDuplicate), pop(10), pop(11), popNone(),
		}},
		{"late frames dropped", 1, 8, []jbOp{
			push(10, pushOK), push(12, pushOK), pop(10), pop(12), push(11, pushLate), push(12, pushLate), push(9, pushLate), push(13, pushOK), pop(13),
		}},
		{"a gap is skipped, not waited for", 1, 8, []jbOp{
			push(10, pushOK), pop(10), push(12, pushOK), pop(12), push(11, pushLate),
		}},
		{"older than the window is late", 1, 4, []jbOp{
			push(10, pushOK), pushDrop(14, pushOverflow, 1), push(10, pushLate), pop(14),
		}},
		{"frames that fell out of the window are discarded at pop", 1, 4, []jbOp{
			push(10, pushOK), push(11, pushOK), push(17, pushOK), popDrop(17, 2), popNone(),
		}},
		{"a collision drops the older frame", 1, 4, []jbOp{
			pushDrop(10, pushOK, 0), pushDrop(14, pushOverflow, 1), pop(14), popNone(),
		}},
		{"sequence numbers wrap", 1, 8, []jbOp{
			push(65534, pushOK), push(0, pushOK), push(65535, pushOK), push(1, pushOK), pop(65534), pop(65535), pop(0), pop(1),
		}},
		{"a far jump needs the next packet to follow", 1, 8, []jbOp{
			push(10, pushOK), push(11, pushOK), pop(10), push(5000, pushJump), push(9000, pushJump), pushDrop(9001, pushResync, 1), pop(9001), push(9002, pushOK), pop(9002),
		}},
		{"far behind is a jump too", 1, 8, []jbOp{
			push(1000, pushOK), pop(1000), push(500, pushJump), push(500, pushJump), push(501, pushResync), pop(501),
		}},
		{"a little behind, unplayed, is reordered", 2, 8, []jbOp{
			push(1000, pushOK), push(995, pushOK), pop(995), pop(1000),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJitterBuffer(tt.delay, tt.max)
			for i, op := range tt.ops {
				var data [FrameSamples]byte
				data[0], data[1] = byte(op.seq>>8), byte(op.seq)
				if op.push {
					res, dropped := j.push(op.seq, &data)
					if res != op.res || dropped != op.dropped {
						t.Fatalf("op %d: push(%d) = %d, dropped %d; want %d, %d", i, op.seq, res, dropped, op.res, op.dropped)
					}
					continue
				}
				ok, dropped := j.pop(&data)
				switch {
				case op.none && ok:
					t.Fatalf("op %d: pop gave %d, want nothing", i, uint16(data[0])<<8|uint16(data[1]))
				case !op.none && !ok:
					t.Fatalf("op %d: pop gave nothing, want %d", i, op.seq)
				case ok && uint16(data[0])<<8|uint16(data[1]) != op.seq:
					t.Fatalf("op %d: pop gave %d, want %d", i, uint16(data[0])<<8|uint16(data[1]), op.seq)
				case dropped != op.dropped:
					t.Fatalf("op %d: pop dropped %d, want %d", i, dropped, op.dropped)
				}
				if n := countValid(j); n != j.n {
					t.Fatalf("op %d: n = %d but %d slots valid", i, j.n, n)
				}
			}
		})
	}
}

// TestJitterBufferTrims: a buffer that keeps more than delay+1 frames for
// trimAfter ticks drops one to cut the delay.
func TestJitterBufferTrims(t *testing.T) {
	j := newJitterBuffer(1, 8)
	var data [FrameSamples]byte
	seq := uint16(0)
	for range 4 { // a burst: four frames at once
		j.push(seq, &data)
		seq++
	}
	trimmed := 0
	for range trimAfter + 1 { // then one per tick
		j.push(seq, &data)
		seq++
		ok, d := j.pop(&data)
		if !ok {
			t.Fatal("underrun")
		}
		trimmed += d
	}
	if trimmed != 1 || j.n != 3 {
		t.Fatalf("trimmed %d, holding %d; want 1 trimmed, 3 held", trimmed, j.n)
	}
}

func TestJitterBufferStopAndReset(t *testing.T) {
	j := newJitterBuffer(2, 8)
	var data [FrameSamples]byte
	j.push(1, &data)
	j.push(2, &data)
	if ok, _ := j.pop(&data); !ok {
		t.Fatal("no playout")
	}
	j.stop()
	if ok, _ := j.pop(&data); ok {
		t.Fatal("played right after stop: the delay is not waited for again")
	}
	if n := j.reset(); n != 1 {
		t.Fatalf("reset dropped %d, want 1", n)
	}
	if res, _ := j.push(1, &data); res != pushOK {
		t.Fatalf("after reset, an old sequence number is %d, want accepted", res)
	}
}

func countValid(j *jitterBuffer) int {
	n := 0
	for _, s := range j.slots {
		if s.valid {
			n++
		}
	}
	return n
}

func TestSeqAfter(t *testing.T) {
	tests := []struct {
		a, b uint16
		want bool
	}{{1, 0, true}, {0, 1, false}, {0, 65535, true}, {65535, 0, false}, {5, 5, false}, {32767, 0, true}, {32768, 0, false}}
	for _, tt := range tests {
		if got := seqAfter(tt.a, tt.b); got != tt.want {
			t.Errorf("seqAfter(%d, %d) = %v", tt.a, tt.b, got)
		}
	}
}
