package b2bua

import (
	"sync/atomic"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
	"github.com/tandem-sip/tandem/events"
)

// legState is where a leg's INVITE usage is.
type legState int

const (
	legTrying    legState = iota // INVITE in progress, no dialog yet
	legEarly                     // 18x with a tag: early dialog
	legConfirmed                 // 2xx: confirmed dialog
	legEnded                     // the usage is over
)

func (s legState) String() string {
	return [...]string{"trying", "early", "confirmed", "ended"}[s]
}

// leg is one SIP dialog with one usage: an INVITE usage. Side A is the
// caller's dialog (Tandem is UAS), side B the target's (Tandem is UAC).
// Only the owning call's executor touches a leg. A bridge of legs of two
// calls moves a leg from one call to the other (see move.go): owner is
// therefore atomic, and work for a leg is posted with postLeg, which follows
// a move.
type leg struct {
	id    string
	side  string
	owner atomic.Pointer[call]
	dlg   dialog
	state legState

	// peer is the leg whose party this leg's party talks to: requests and
	// offers from one are relayed to the other. nil: the leg is alone (its
	// media inactive or pointing nowhere useful) until a bridge.
	peer *leg
	// orig marks a leg made by the originate command: no A leg waits for
	// its responses. bridgeTo is the leg to bridge it to when it answers.
	orig     bool
	bridgeTo *leg
	offered  bool      // our INVITE carried an offer (orig legs)
	xfer     *transfer // the transfer this leg was made for
	media    *legMedia // set while the leg is in the mixer

	// Third-party call control hooks (thirdparty.go), originated legs:
	// takeAnswer replaces the default handling of the 2xx (no ACK sent);
	// afterAnswer runs after it; onEnd runs when the leg ends. answer is
	// the 2xx's body when we had offered.
	takeAnswer  func(res *sipx.Response)
	afterAnswer func()
	onEnd       func()
	answer      []byte
	ringFor     *time.Timer

	// contact is our Contact on this leg. Messages get a copy (Clone): a
	// pointer to it would keep the whole leg, and its call, alive as long
	// as sipgo keeps the message in a transaction (weakhooks.go).
	contact sipx.ContactHeader
	origin  sdpOrigin // the SDP origin we present on this leg
	held    bool      // this leg's party put the call on hold
	// fromChange: the party supports RFC 4916 (Supported: from-change).
	fromChange bool

	// side A: the INVITE that created the leg.
	inv *inbound

	// side B: our INVITE, its transaction and what came back.
	invReq      *sipx.Request
	provisional bool // a 1xx came back: CANCEL may be sent
	saw18x      bool // a 101-199 was acted on
	cancelWant  bool // CANCEL as soon as a 1xx comes
	cancelSent  bool
	finalGot    bool
	// ackSeq and ackBody describe the last ACK we sent for a 2xx, rebuilt
	// if that 2xx is retransmitted (keeping the request itself would cost
	// a kilobyte per call for as long as the call lasts).
	ackSeq  uint32
	ackBody []byte

	// ackWait is set while a 2xx we sent on this leg waits for its ACK.
	ackWait *ackWait
}

// ackWait is a 2xx we sent in answer to this leg's INVITE, retransmitted
// (unreliable transports) until the ACK arrives (RFC 3261 §13.3.1.4).
type ackWait struct {
	seq      uint32
	res      *sipx.Response
	tx       sipx.ServerTransaction
	interval time.Duration
	timer    *time.Timer
	started  time.Time
	// onACK runs when the ACK arrives, with its body (late offer: the
	// answer for the other leg's ACK).
	onACK func(body []byte)
	// next is a re-INVITE or UPDATE (from nextFrom, either party) that
	// arrived before this ACK (see startOffer); it starts when the ACK does.
	next     *inbound
	nextFrom *leg
	// then is a command (hold, resume) waiting for this ACK; it runs when
	// the ACK comes or the leg ends, and checks the call's state itself.
	then       []func()
	nextMethod sipx.RequestMethod
}

// newLeg makes a leg owned by cl.
func newLeg(cl *call, id, side string) *leg {
	l := &leg{id: id, side: side, origin: newSDPOrigin()}
	l.owner.Store(cl)
	return l
}

// call is the call that owns the leg now.
func (l *leg) call() *call { return l.owner.Load() }

// other is the leg l's requests and offers are relayed to: its peer once
// bridged; while an inbound call is being set up, A's current B leg and
// back; nil for a leg that is alone.
func (l *leg) other() *leg {
	if l.peer != nil {
		return l.peer
	}
	cl := l.call()
	if cl.state == stConnected || l.orig {
		return nil
	}
	if l == cl.a {
		return cl.b
	}
	return cl.a
}

// live reports whether the leg still belongs to cl and has not ended.
func (l *leg) live(cl *call) bool { return l != nil && l.state != legEnded && l.call() == cl }

// hasDialog reports whether requests can be sent on the leg.
func (l *leg) hasDialog() bool {
	return (l.state == legEarly || l.state == legConfirmed) && l.dlg.remoteTag != ""
}

// callIDOwner reports whether Tandem chose this leg's Call-ID (B legs),
// which sets the glare back-off range.
func (l *leg) callIDOwner() bool { return l.side == events.SideB }

func (l *leg) info() events.LegInfoV1 {
	li := events.LegInfoV1{
		LegID:     l.id,
		Side:      l.side,
		State:     l.state.String(),
		SIPCallID: l.dlg.callID,
		LocalTag:  l.dlg.localTag,
		RemoteTag: l.dlg.remoteTag,
		LocalURI:  l.dlg.localURI.String(),
		RemoteURI: l.dlg.remoteURI.String(),
		Contact:   l.dlg.remoteTarget.String(),
	}
	if l.peer != nil {
		li.PeerLegID = l.peer.id
	}
	return li
}
