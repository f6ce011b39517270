package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/phone"
)

// B's 183 with SDP reaches A as early media under Tandem's origin for A's
// leg; B's 200 with the same SDP keeps that origin's version.
func TestEarlyMedia(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	bSDP := b.SDP(phone.SendRecv)
	bOrigin := origin(t, bSDP)

	in.Progress(bSDP)
	early := c.Expect(183, wait)
	if header(early, "Content-Type") != "application/sdp" {
		t.Errorf("183 Content-Type %q", header(early, "Content-Type"))
	}
	eo := origin(t, early.Body())
	if eo.User != "tandem" || eo.SessID == bOrigin.SessID || eo.User == bOrigin.User {
		t.Errorf("183 origin %+v, want Tandem's (B's is %+v)", eo, bOrigin)
	}
	if eo.SessID == origin(t, in.Body()).SessID {
		t.Errorf("A's and B's legs share origin session id %s", eo.SessID)
	}
	if phone.Direction(early.Body()) != phone.SendRecv {
		t.Errorf("183 SDP direction %q", phone.Direction(early.Body()))
	}

	in.Answer(bSDP)
	ok := c.Expect(200, wait)
	if oo := origin(t, ok.Body()); oo.SessID != eo.SessID || oo.Version != eo.Version {
		t.Errorf("200 origin %+v after 183 origin %+v: same SDP must keep the version", oo, eo)
	}
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	hangup(t, c, in)

	evs, _ := ended(t, n, id)
	ringing := decode[events.LegRingingV1](t, find(t, evs, events.TypeLegRingingV1, id+"-b1"))
	if ringing.Code != 183 || !ringing.EarlyMedia {
		t.Errorf("leg ringing %+v, want 183 with early media", ringing)
	}
}
