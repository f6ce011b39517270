package mixer

import "testing"

func TestSSRCLock(t *testing.T) {
	type step struct {
		ssrc         uint32
		ok, switched bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first locks", []step{{1, true, false}, {1, true, false}}},
		{"stray packets are dropped", []step{{1, true, false}, {2, false, false}, {1, true, false}, {3, false, false}}},
		{"a new source takes over after three in a row", []step{{1, true, false}, {2, false, false}, {2, false, false}, {2, true, true}, {2, true, false}, {1, false, false}}},
		{"the locked source interleaved keeps the lock", []step{{1, true, false}, {2, false, false}, {2, false, false}, {1, true, false}, {2, false, false}, {2, false, false}, {1, true, false}}},
		{"two alternating strangers never take over", []step{{1, true, false}, {2, false, false}, {3, false, false}, {2, false, false}, {3, false, false}, {2, false, false}, {3, false, false}}},
		{"a candidate is replaced by another", []step{{1, true, false}, {2, false, false}, {2, false, false}, {3, false, false}, {3, false, false}, {3, true, true}}},
		{"SSRC 0 is a source like any other", []step{{0, true, false}, {0, true, false}, {5, false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ssrcLock{switchAfter: 3}
			for i, s := range tt.steps {
				ok, sw := l.check(s.ssrc)
				if ok != s.ok || sw != s.switched {
					t.Fatalf("packet %d (ssrc %d): ok %v switched %v, want %v %v", i, s.ssrc, ok, sw, s.ok, s.switched)
				}
			}
		})
	}
}
