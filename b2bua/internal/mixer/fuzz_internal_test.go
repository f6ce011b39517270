package mixer

import "testing"

// FuzzJitterBuffer: any sequence of pushes and pops keeps the buffer's
// invariants: its count matches its slots, it never holds more than its
// size, it plays only frames within its window, each after the last one
// played (while that one is still within reach of serial comparison).
func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0, 10, 0, 11, 0xFF, 0, 13, 0, 12, 0xFF, 0xFF})
	f.Add([]byte{0, 1, 0x13, 0x88, 0x13, 0x89, 0xFF, 0xFF, 0xFF, 0, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		j := newJitterBuffer(2, 6)
		var data [FrameSamples]byte
		for i := 0; i < len(ops); i++ {
			if ops[i] == 0xFF || i+1 >= len(ops) {
				played, last := j.played, j.last
				if ok, _ := j.pop(&data); ok {
					seq := uint16(data[0])<<8 | uint16(data[1])
					if played && !seqAfter(seq, last) {
						t.Fatalf("played %d after %d", seq, last)
					}
					if age := int(j.maxSeq - seq); age >= len(j.slots) {
						t.Fatalf("played %d, out of the window below %d", seq, j.maxSeq)
					}
				}
			} else {
				seq := uint16(ops[i])<<8 | uint16(ops[i+1])
				i++
				data[0], data[1] = byte(seq>>8), byte(seq)
				j.push(seq, &data)
			}
			if n := countValid(j); n != j.n || n > len(j.slots) {
				t.Fatalf("n = %d, %d valid of %d", j.n, n, len(j.slots))
			}
		}
	})
}
