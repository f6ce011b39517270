package conference

import (
	"context"
	"unicode/utf8"

	"github.com/tandem-sip/tandem/events"
)

// maxEarlyDigits bounds the digits kept while a lobby join completes.
const maxEarlyDigits = 32

// onDigit: a participant sent an RFC 4733 digit. In the lobby it is part
// of the PIN; in the conference, of a keypad command.
func (a *app) onDigit(ev *events.MixerDigitV1) {
	d, _ := utf8.DecodeRuneInString(ev.Digit)
	a.lock()
	defer a.unlock()
	p := a.legs[ev.LegID]
	if p == nil || p.room.id() != ev.RoomID || p.hungUp {
		return
	}
	switch p.state {
	case partJoining:
		if p.lobby && len(p.early) < maxEarlyDigits {
			p.early = append(p.early, d) // the join's reply is not in yet
		}
	case partLobby:
		a.pinDigit(p, d)
	case partJoined:
		a.keypadDigit(p, d)
	}
}

// pinDigit feeds a lobby participant's digit to its PIN entry (mu held).
// A right PIN takes it into the conference (unmuted and undeafened, as a
// moderator for the moderator PIN) unless the room was locked meanwhile;
// pin_attempts wrong ones hang it up.
func (a *app) pinDigit(p *participant, d rune) {
	if p.hungUp {
		return
	}
	r := p.room
	entry, res := pinEntry(p.pin, d, r.spec.pin, r.spec.modPIN)
	p.pin = entry
	switch res {
	case pinMore:
		return
	case pinWrong:
		p.tries++
		a.log.Info("conference: wrong PIN", "room", r.id(), "leg_id", p.leg, "tries", p.tries)
		if p.tries >= a.set.pinAttempts {
			a.hangup(p, LeftWrongPIN)
		}
		return
	}
	mod := res == pinModerator
	if !admitAfterPIN(r.state, mod) {
		a.hangup(p, LeftLocked)
		return
	}
	next, ok := nextPartState(p.state, evPINAccepted)
	if !ok {
		return
	}
	p.state, p.moderator = next, mod
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	muted, deaf := p.muted, p.deaf
	node, leg := p.node, p.leg
	a.goLater(func(ctx context.Context) {
		ctx, cancel := withTimeout(ctx)
		defer cancel()
		err := a.core.Set(ctx, node, leg, &muted, &deaf)
		a.lock()
		defer a.unlock()
		if err != nil {
			a.log.Warn("conference: leaving the lobby failed", "leg_id", leg, "err", err)
			a.hangup(p, LeftFailed)
			return
		}
		if p.state != partJoined {
			return
		}
		a.log.Info("conference: PIN accepted", "room", r.id(), "leg_id", leg, "role", p.role())
		a.emitUpdated(p)
		a.notifyUser(r, p)
	})
}

// pinTimedOut hangs up a participant still in the lobby.
func (a *app) pinTimedOut(p *participant) {
	a.lock()
	defer a.unlock()
	if p.state == partLobby {
		a.hangup(p, LeftPINTimeout)
	}
}

// keypadDigit feeds a joined participant's digit to its keypad (mu held):
// *6 mutes or unmutes oneself, *5 locks or unlocks the room (moderators).
func (a *app) keypadDigit(p *participant, d rune) {
	var c control
	p.keys, c = keypad(p.keys, d)
	switch c {
	case ctlToggleMute:
		muted := !p.muted
		a.goLater(func(ctx context.Context) {
			if err := a.setMixing(ctx, p, &muted, nil); err != nil {
				a.log.Warn("conference: keypad mute failed", "leg_id", p.leg, "err", err)
			}
		})
	case ctlToggleLock:
		if !p.moderator {
			return
		}
		op := opLock
		if p.room.state == roomLocked {
			op = opUnlock
		}
		if err := a.changeLock(p.room, op, p.leg); err != nil {
			a.log.Warn("conference: keypad lock failed", "leg_id", p.leg, "err", err)
		}
	}
}

// emitUpdated publishes p's participant_updated event (mu held).
func (a *app) emitUpdated(p *participant) {
	a.emit(p.room, TypeParticipantUpdatedV1, p.leg, &ParticipantUpdatedV1{
		Room: p.room.id(), State: p.state.String(), Role: p.role(), Muted: p.muted, Deaf: p.deaf,
	})
}
