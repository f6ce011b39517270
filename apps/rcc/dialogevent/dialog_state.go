package dialogevent

// State is a dialog's state as RFC 4235 §3.7.1 reports it.
type State string

// The dialog states, in the order a dialog goes through them.
const (
	Trying     State = "trying"     // the INVITE is out (or in), nothing back yet
	Proceeding State = "proceeding" // a provisional response without a To-tag
	Early      State = "early"      // a provisional response with a To-tag (18x)
	Confirmed  State = "confirmed"  // answered (2xx)
	Terminated State = "terminated" // over; reported once, then forgotten
)

// rank orders the states: a dialog never goes back to a lower one.
func (s State) rank() int {
	switch s {
	case Trying:
		return 1
	case Proceeding:
		return 2
	case Early:
		return 3
	case Confirmed:
		return 4
	case Terminated:
		return 5
	}
	return 0
}

// Direction is the watched party's role in a dialog (RFC 4235 §4.1.2).
type Direction string

const (
	// Initiator: the watched party sent the INVITE (the caller; Tandem's
	// A leg).
	Initiator Direction = "initiator"
	// Recipient: the watched party received it (the callee; a leg Tandem
	// called).
	Recipient Direction = "recipient"
)

// Event is why a dialog terminated: the event attribute of its state
// element (RFC 4235 §4.1.2).
type Event string

// The termination events.
const (
	Cancelled Event = "cancelled"  // the INVITE was cancelled before an answer
	Rejected  Event = "rejected"   // the INVITE got a failure response
	Replaced  Event = "replaced"   // another dialog replaced it (Replaces)
	LocalBye  Event = "local-bye"  // the watched party sent BYE
	RemoteBye Event = "remote-bye" // the watched party received BYE
	Error     Event = "error"      // a failure ended it (RFC 5057: a usage or dialog destroyed)
	Timeout   Event = "timeout"    // a timer ended it: no response, no ACK
)

// Party is one side of a dialog: its identity (a name-addr) and, when
// known, its target (the Contact URI).
type Party struct {
	Identity nameAddr
	Target   string
}

// Dialog is one INVITE dialog of a watched party: one of Tandem's legs,
// seen from the party at its far end.
type Dialog struct {
	ID        string // Tandem's leg id: unique, stable for the dialog's life
	CallID    string // the leg's SIP Call-ID
	Direction Direction
	State     State
	Event     Event // with Terminated
	Code      int   // with Terminated by Rejected: the failure response's code
	Local     Party // the watched party
	Remote    Party // the party it talks to
}

// step is what happens to a dialog: a leg event, reduced.
type step int

const (
	stepProceeding step = iota // Tandem routed the call (the caller has a 100 Trying)
	stepRinging                // an 18x
	stepAnswered               // a 2xx
	stepEnded                  // the leg is over (with Event and Code)
)

// next is the state machine of RFC 4235 §3.7.1, as Tandem's events drive
// it: a dialog moves forward (trying, proceeding, early, confirmed) and
// ends in terminated from any state; it never moves back (a late 18x
// after the 2xx changes nothing), and a terminated dialog stays so. changed
// reports whether d's state moved (a notification is due). ev and code are
// the termination's, for stepEnded.
func next(d Dialog, s step, ev Event, code int) (out Dialog, changed bool) {
	if d.State == Terminated {
		return d, false
	}
	to := d.State
	switch s {
	case stepProceeding:
		to = Proceeding
	case stepRinging:
		to = Early
	case stepAnswered:
		to = Confirmed
	case stepEnded:
		d.State, d.Event, d.Code = Terminated, ev, 0
		if ev == Rejected {
			d.Code = code
		}
		return d, true
	}
	if to.rank() <= d.State.rank() {
		return d, false
	}
	d.State = to
	return d, true
}
