package mixer

import (
	"errors"
	"testing"
)

func TestParseTelephoneEvent(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want TelephoneEvent
		err  error
	}{
		{"digit 5 start", []byte{5, 10, 0x00, 0xA0}, TelephoneEvent{Code: 5, Volume: 10, Duration: 160}, nil},
		{"end bit", []byte{11, 0x80 | 7, 0x03, 0x20}, TelephoneEvent{Code: 11, End: true, Volume: 7, Duration: 800}, nil},
		{"reserved bit ignored", []byte{1, 0x40 | 63, 0xFF, 0xFF}, TelephoneEvent{Code: 1, Volume: 63, Duration: 0xFFFF}, nil},
		{"two blocks: the first counts", []byte{1, 0x80, 0, 1, 2, 0, 0, 2}, TelephoneEvent{Code: 1, End: true, Duration: 1}, nil},
		{"empty", nil, TelephoneEvent{}, ErrTelephoneEventLength},
		{"short", []byte{1, 2, 3}, TelephoneEvent{}, ErrTelephoneEventLength},
		{"not whole blocks", []byte{1, 2, 3, 4, 5}, TelephoneEvent{}, ErrTelephoneEventLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTelephoneEvent(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ParseTelephoneEvent(%x) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
			}
			if err == nil && tt.in[1]&0x40 == 0 && string(got.Marshal(nil)) != string(tt.in[:4]) {
				t.Fatalf("Marshal = %x, want %x", got.Marshal(nil), tt.in[:4])
			}
		})
	}
}

func TestDTMFDigits(t *testing.T) {
	want := "0123456789*#ABCD"
	for code := range 256 {
		d, ok := TelephoneEvent{Code: uint8(code)}.Digit()
		if code < 16 {
			if !ok || d != rune(want[code]) {
				t.Errorf("code %d: %q %v, want %q", code, d, ok, want[code])
			}
		} else if ok {
			t.Errorf("code %d is a digit %q", code, d)
		}
	}
}

func TestEventTracker(t *testing.T) {
	type pkt struct {
		ts     uint32
		code   uint8
		end    bool
		dur    uint16
		report bool
	}
	tests := []struct {
		name string
		pkts []pkt
	}{
		{"one event, three redundant end packets", []pkt{
			{1000, 5, false, 160, true}, {1000, 5, false, 320, false}, {1000, 5, false, 480, false},
			{1000, 5, true, 640, false}, {1000, 5, true, 640, false}, {1000, 5, true, 640, false},
		}},
		{"the same digit twice", []pkt{
			{1000, 5, false, 160, true}, {1000, 5, true, 800, false}, {1000, 5, true, 800, false},
			{2600, 5, false, 160, true}, {2600, 5, true, 800, false},
		}},
		{"end packets lost, the same digit again", []pkt{
			{1000, 5, false, 160, true}, {1000, 5, false, 320, false}, {3000, 5, false, 160, true},
		}},
		{"start lost: the end packets report it", []pkt{
			{1000, 3, true, 800, true}, {1000, 3, true, 800, false}, {1000, 3, true, 800, false},
		}},
		{"a late packet of the previous event", []pkt{
			{1000, 1, true, 800, true}, {5000, 2, false, 160, true}, {1000, 1, true, 800, false}, {5000, 2, true, 800, false},
		}},
		{"a long event's next segment is the same event", []pkt{
			{1000, 1, false, 65000, true}, {1000, 1, false, 0xFFFF, false}, {1000 + 0xFFFF, 1, false, 160, false}, {1000 + 0xFFFF, 1, true, 4000, false},
		}},
		{"a long event that ended is followed by a new one", []pkt{
			{1000, 1, true, 0xFFFF, true}, {1000 + 0xFFFF, 1, false, 160, true},
		}},
		{"another code at the same timestamp is ignored", []pkt{
			{1000, 1, false, 160, true}, {1000, 2, false, 160, false},
		}},
		{"timestamps wrap", []pkt{
			{0xFFFFFF00, 1, true, 800, true}, {0x100, 2, false, 160, true}, {0xFFFFFF00, 1, true, 800, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr eventTracker
			for i, p := range tt.pkts {
				if got := tr.observe(p.ts, TelephoneEvent{Code: p.code, End: p.end, Duration: p.dur}); got != p.report {
					t.Fatalf("packet %d %+v: report %v, want %v", i, p, got, p.report)
				}
			}
		})
	}
}
