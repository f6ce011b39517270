package conference

// pinResult is the outcome of one digit of a PIN entry.
type pinResult int

const (
	pinMore        pinResult = iota // keep collecting
	pinParticipant                  // the room's PIN: in as a participant
	pinModerator                    // the moderator PIN: in as a moderator
	pinWrong                        // neither: one attempt used, entry cleared
)

func (r pinResult) String() string {
	return [...]string{"more", "participant", "moderator", "wrong"}[r]
}

// pinEntry feeds one RFC 4733 digit d to the digits entered so far, for a
// room with PIN pin and moderator PIN mod (either may be ""), and returns
// the entry after it and the outcome. It is a pure function:
//
//   - '#' ends the entry: it is checked as it stands (an empty entry
//     admits a participant when the room has only a moderator PIN);
//   - '*' clears the entry;
//   - a digit is appended; the entry is checked as soon as it is as long
//     as the longest PIN, or equals one of the PINs that no longer PIN
//     starts with (no # needed);
//   - A-D are ignored.
//
// A checked entry is cleared: wrong gives the caller another try.
func pinEntry(entered string, d rune, pin, mod string) (string, pinResult) {
	switch {
	case d == '#':
		return "", checkPIN(entered, pin, mod)
	case d == '*':
		return "", pinMore
	case d < '0' || d > '9':
		return entered, pinMore
	}
	entered += string(d)
	longest := max(len(pin), len(mod))
	complete := len(entered) >= longest ||
		entered == pin && !longerPrefix(mod, entered) ||
		entered == mod && !longerPrefix(pin, entered)
	if !complete {
		return entered, pinMore
	}
	return "", checkPIN(entered, pin, mod)
}

// checkPIN is the verdict on a finished entry.
func checkPIN(entered, pin, mod string) pinResult {
	switch {
	case mod != "" && entered == mod:
		return pinModerator
	case entered == pin:
		return pinParticipant // pin "" and entry "": a room with a moderator PIN only
	}
	return pinWrong
}

// longerPrefix reports whether p is longer than s and starts with it.
func longerPrefix(p, s string) bool { return len(p) > len(s) && p[:len(s)] == s }

// control is a participant's keypad command.
type control int

const (
	ctlNone       control = iota
	ctlToggleMute         // *6: mute or unmute oneself
	ctlToggleLock         // *5: lock or unlock the room (moderators)
)

// controls are the keypad commands of participants, declared once: a star
// then a digit. They are listed in the package documentation.
var controls = map[string]control{
	"*6": ctlToggleMute,
	"*5": ctlToggleLock,
}

// keypad feeds one digit to a participant's keypad state (the digits
// since the last star, "" when none) and returns the new state and the
// command completed, if any. '*' starts a command; the next digit ends it,
// known or not.
func keypad(state string, d rune) (string, control) {
	if d == '*' {
		return "*", ctlNone
	}
	if state == "" {
		return "", ctlNone
	}
	return "", controls[state+string(d)]
}
