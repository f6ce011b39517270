package conference

import "testing"

func TestPINEntry(t *testing.T) {
	tests := []struct {
		name     string
		pin, mod string
		keys     string
		want     []pinResult // one per key
	}{
		{"right", "1234", "", "1234", []pinResult{pinMore, pinMore, pinMore, pinParticipant}},
		{"wrong by length", "1234", "", "1235", []pinResult{pinMore, pinMore, pinMore, pinWrong}},
		{"hash ends early", "1234", "", "12#", []pinResult{pinMore, pinMore, pinWrong}},
		{"hash after the right one", "1234", "", "1234#", []pinResult{pinMore, pinMore, pinMore, pinParticipant, pinWrong}},
		{"star clears", "12", "", "1*12", []pinResult{pinMore, pinMore, pinMore, pinParticipant}},
		{"A-D ignored", "12", "", "1A2", []pinResult{pinMore, pinMore, pinParticipant}},
		{"moderator", "1234", "99", "99", []pinResult{pinMore, pinModerator}},
		{"moderator longer", "12", "1299", "12#", []pinResult{pinMore, pinMore, pinParticipant}},
		{"prefix of the moderator's waits", "12", "1299", "1299", []pinResult{pinMore, pinMore, pinMore, pinModerator}},
		{"moderator only: # alone", "", "55", "#", []pinResult{pinParticipant}},
		{"moderator only: wrong", "", "55", "54", []pinResult{pinMore, pinWrong}},
		{"retry after wrong", "7", "", "87", []pinResult{pinWrong, pinParticipant}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := ""
			for i, k := range tt.keys {
				var res pinResult
				entry, res = pinEntry(entry, k, tt.pin, tt.mod)
				if res != tt.want[i] {
					t.Fatalf("key %d (%c): %v, want %v", i, k, res, tt.want[i])
				}
				if res != pinMore && entry != "" {
					t.Fatalf("key %d: entry %q kept after a verdict", i, entry)
				}
			}
		})
	}
}

func TestKeypadControls(t *testing.T) {
	tests := []struct {
		keys string
		want []control
	}{
		{"*6", []control{ctlNone, ctlToggleMute}},
		{"*5", []control{ctlNone, ctlToggleLock}},
		{"6", []control{ctlNone}},
		{"*7*6", []control{ctlNone, ctlNone, ctlNone, ctlToggleMute}},
		{"**6", []control{ctlNone, ctlNone, ctlToggleMute}},
		{"*66", []control{ctlNone, ctlToggleMute, ctlNone}},
	}
	for _, tt := range tests {
		state := ""
		for i, k := range tt.keys {
			var c control
			state, c = keypad(state, k)
			if c != tt.want[i] {
				t.Errorf("%q key %d: %v, want %v", tt.keys, i, c, tt.want[i])
			}
		}
	}
}
