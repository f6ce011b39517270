package integration

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// B rings and never answers: after the no-answer timeout A gets 408 and B
// gets CANCEL.
func TestNoAnswerTimeout(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.NoAnswerTimeout = time.Second }))
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	in.Ringing()
	ring := c.Expect(180, wait)

	res := c.Expect(408, wait)
	if phone.ToTag(res) != phone.ToTag(ring) {
		t.Errorf("408 To-tag %q, 180's %q", phone.ToTag(res), phone.ToTag(ring))
	}
	in.ExpectRequest(sip.CANCEL, wait)

	evs, end := ended(t, n, id)
	if end.HungUpBy != "core" || end.Code != 408 {
		t.Errorf("call ended %+v, want by core with 408", end)
	}
	if le := decode[events.LegEndedV1](t, find(t, evs, events.TypeLegEndedV1, id+"-b1")); le.Code != 408 {
		t.Errorf("B leg ended %+v", le)
	}
	created := find(t, evs, events.TypeCallCreatedV1, "")
	if took := end.Time.Sub(created.Time); took < time.Second {
		t.Errorf("call ended %v after it was created, before the 1 s timeout", took)
	}
}

// The no-answer timeout also ends a call whose callee only said 100
// Trying: B gets CANCEL (100 is a provisional response, RFC 3261 §9.1).
func TestNoAnswerAfterTrying(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, harness.WithConfig(func(c *config.Config) { c.NoAnswerTimeout = time.Second }))
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	in.Respond(100, "", nil)

	c.Expect(408, wait)
	in.ExpectRequest(sip.CANCEL, wait)
	if _, end := ended(t, n, id); end.HungUpBy != "core" || end.Code != 408 {
		t.Errorf("call ended %+v, want by core with 408", end)
	}
}
