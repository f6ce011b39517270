package conference

import (
	"context"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// nodeEvents is the subject filter of the core's events of no call, among
// them the subscription events the app follows.
const nodeEvents = events.EventPrefix + ".*.node.>"

// callEvents routes the call events the app follows.
func (a *app) callEvents() *sdk.EventMux {
	m := sdk.NewEventMux()
	sdk.On(m, func(_ context.Context, ev *events.CallRoutedV1) { a.onRouted(ev) })
	sdk.On(m, func(_ context.Context, ev *events.CallParkedV1) { a.onParked(ev) })
	sdk.On(m, func(_ context.Context, ev *events.LegAnsweredV1) { a.onAnswered(ev) })
	sdk.On(m, func(_ context.Context, ev *events.LegEndedV1) { a.onLegEnded(ev) })
	sdk.On(m, func(_ context.Context, ev *events.CallEndedV1) { a.onCallEnded(ev) })
	sdk.On(m, func(_ context.Context, ev *events.MixerLeftV1) { a.onMixerLeft(ev) })
	sdk.On(m, func(_ context.Context, ev *events.MixerDigitV1) { a.onDigit(ev) })
	sdk.On(m, func(_ context.Context, ev *events.MixerTalkingV1) { a.onTalking(ev) })
	return m
}

// nodeEventsMux routes the subscription events.
func (a *app) nodeEventsMux() *sdk.EventMux {
	m := sdk.NewEventMux()
	sdk.On(m, func(_ context.Context, ev *events.SubscriptionCreatedV1) { a.onSubCreated(ev) })
	sdk.On(m, func(_ context.Context, ev *events.SubscriptionRefreshedV1) { a.onSubRefreshed(ev) })
	sdk.On(m, func(_ context.Context, ev *events.SubscriptionEndedV1) { a.onSubEnded(ev) })
	return m
}

// onLegEnded: a participant's leg ended.
func (a *app) onLegEnded(ev *events.LegEndedV1) {
	a.lock()
	defer a.unlock()
	if p := a.legs[ev.LegID]; p != nil {
		a.leave(p, LeftHangup)
	}
}

// onCallEnded: whatever participant of the call is left has left (its
// leg_ended was missed).
func (a *app) onCallEnded(ev *events.CallEndedV1) {
	a.lock()
	defer a.unlock()
	for _, p := range append([]*participant(nil), a.calls[ev.CallID]...) {
		a.leave(p, LeftHangup)
	}
}

// onMixerLeft: a participant's leg left the mixer though it is still up
// (another controller's mixer.leave, the mixer room destroyed by someone
// else): it no longer hears or is heard, so it is hung up.
func (a *app) onMixerLeft(ev *events.MixerLeftV1) {
	if ev.Why == "leg_ended" {
		return // onLegEnded
	}
	a.lock()
	defer a.unlock()
	if p := a.legs[ev.LegID]; p != nil && p.room.id() == ev.RoomID {
		a.hangup(p, LeftFailed)
	}
}

// onTalking follows who talks, for conference.list.
func (a *app) onTalking(ev *events.MixerTalkingV1) {
	a.lock()
	defer a.unlock()
	if p := a.legs[ev.LegID]; p != nil {
		p.talking = ev.Talking
	}
}
