package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/phone"
)

// reinvite runs one re-INVITE from one party to the other through the node
// and returns the offer and answer as the far ends saw them.
func reinvite(t *testing.T, from, to *phone.Dialog, offer, answer []byte) (seenOffer, seenAnswer []byte) {
	t.Helper()
	tx := from.Reinvite(offer)
	r := to.ExpectRequest(sip.INVITE, wait)
	r.OK(answer)
	res := tx.Expect(200, wait)
	tx.Ack()
	to.ExpectRequest(sip.ACK, wait)
	return r.Body(), res.Body()
}

// versions follows the o= line Tandem presents on one leg: the session id
// never changes; the version goes up by one exactly when the description
// changes (RFC 4566 §5.2, RFC 3264 §8).
type versions struct {
	t    *testing.T
	name string
	last phone.Origin
}

func (v *versions) next(body []byte, changed bool) {
	v.t.Helper()
	o := origin(v.t, body)
	want := v.last.Version
	if changed {
		want++
	}
	if o.User != "tandem" || o.SessID != v.last.SessID || o.Version != want {
		v.t.Errorf("%s origin %+v after %+v, want version %d", v.name, o, v.last, want)
	}
	v.last = o
}

// hold, resume and an unchanged refresh, offered by A then by B: each
// relayed to the other party with Tandem's origin for that leg.
func TestReinviteHold(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	onB := versions{t: t, name: "B leg", last: origin(t, in.Body())}
	in.Answer(b.SDP(phone.SendRecv))
	ok := c.Expect(200, wait)
	onA := versions{t: t, name: "A leg", last: origin(t, ok.Body())}
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)

	for _, step := range []struct {
		by                  string
		offerDir, answerDir string
		changed             bool
	}{
		{"a", phone.SendOnly, phone.RecvOnly, true},
		{"a", phone.SendRecv, phone.SendRecv, true},
		{"a", phone.SendRecv, phone.SendRecv, false},
		{"b", phone.SendOnly, phone.RecvOnly, true},
		{"b", phone.Inactive, phone.Inactive, true},
		{"b", phone.SendRecv, phone.SendRecv, true},
	} {
		if step.by == "a" {
			offer, answer := reinvite(t, c.Dialog, in.Dialog, a.SDP(step.offerDir), b.SDP(step.answerDir))
			onB.next(offer, step.changed)
			onA.next(answer, step.changed)
			if phone.Direction(offer) != step.offerDir || phone.Direction(answer) != step.answerDir {
				t.Errorf("A offered %s, B saw %s; B answered %s, A saw %s", step.offerDir, phone.Direction(offer), step.answerDir, phone.Direction(answer))
			}
		} else {
			offer, answer := reinvite(t, in.Dialog, c.Dialog, b.SDP(step.offerDir), a.SDP(step.answerDir))
			onA.next(offer, step.changed)
			onB.next(answer, step.changed)
			if phone.Direction(offer) != step.offerDir || phone.Direction(answer) != step.answerDir {
				t.Errorf("B offered %s, A saw %s; A answered %s, B saw %s", step.offerDir, phone.Direction(offer), step.answerDir, phone.Direction(answer))
			}
		}
	}
	hangup(t, c, in)

	evs, _ := ended(t, n, id)
	a1, b1 := id+"-a", id+"-b1"
	want := []step{
		{events.TypeCallCreatedV1, ""}, {events.TypeLegCreatedV1, a1}, {events.TypeCallRoutedV1, ""},
		{events.TypeLegCreatedV1, b1}, {events.TypeLegAnsweredV1, b1}, {events.TypeLegAnsweredV1, a1}, {events.TypeCallConnectedV1, ""},
		{events.TypeLegHeldV1, a1}, {events.TypeLegResumedV1, a1},
		{events.TypeLegHeldV1, b1}, {events.TypeLegResumedV1, b1},
	}
	checkSteps(t, evs, append(want, endSteps(id, b1)...)...)
	if h := decode[events.LegHeldV1](t, find(t, evs, events.TypeLegHeldV1, a1)); h.Direction != phone.SendOnly {
		t.Errorf("A's hold %+v", h)
	}
	if h := decode[events.LegHeldV1](t, find(t, evs, events.TypeLegHeldV1, b1)); h.Direction != phone.SendOnly {
		t.Errorf("B's hold %+v", h)
	}
	if r := decode[events.LegResumedV1](t, find(t, evs, events.TypeLegResumedV1, b1)); r.Direction != phone.SendRecv {
		t.Errorf("B's resume %+v", r)
	}
}
