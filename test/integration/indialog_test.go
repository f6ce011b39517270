package integration

import (
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/test/phone"
)

// INFO (DTMF) crosses the bridge both ways with its body and Content-Type,
// and the far end's answer comes back.
func TestInfoRelayed(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	dtmf := sip.NewHeader("Content-Type", "application/dtmf-relay")
	for _, tc := range []struct {
		name     string
		from, to *phone.Dialog
		digit    string
	}{
		{"a to b", c.Dialog, in.Dialog, "5"},
		{"b to a", in.Dialog, c.Dialog, "#"},
	} {
		body := "Signal=" + tc.digit + "\r\nDuration=160\r\n"
		tx := tc.from.Request(sip.INFO, []byte(body), dtmf)
		r := tc.to.ExpectRequest(sip.INFO, wait)
		if string(r.Body()) != body || header(r.Req, "Content-Type") != "application/dtmf-relay" {
			t.Errorf("%s: INFO arrived with %q (%q)", tc.name, r.Body(), header(r.Req, "Content-Type"))
		}
		if r.Req.CallID().Value() != tc.to.CallID() || phone.ToTag(r.Req) != tc.to.LocalTag() {
			t.Errorf("%s: INFO outside the receiver's dialog:\n%s", tc.name, r.Req)
		}
		r.OK(nil)
		tx.Expect(200, wait)
	}
	// A failure of INFO only fails the transaction (RFC 5057): the call
	// goes on.
	tx := c.Request(sip.INFO, []byte("Signal=1\r\nDuration=160\r\n"), dtmf)
	in.ExpectRequest(sip.INFO, wait).Respond(415, nil)
	tx.Expect(415, wait)
	hangup(t, c, in)
}

// Requests Tandem answers itself inside a call leg, none of which reaches
// the other party: OPTIONS 200, SUBSCRIBE 603 (a second usage, RFC 5057
// §5), an unknown method 501. A request for a dialog that does not exist
// gets 481.
func TestInDialogAnsweredByTandem(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())

	res := c.Request(sip.OPTIONS, nil).Expect(200, wait)
	if header(res, "Allow") == "" {
		t.Errorf("OPTIONS 200 without Allow:\n%s", res)
	}
	c.Request(sip.SUBSCRIBE, nil, sip.NewHeader("Event", "dialog"), sip.NewHeader("Expires", "60")).Expect(603, wait)
	in.Request(sip.SUBSCRIBE, nil, sip.NewHeader("Event", "conference")).Expect(603, wait)
	if res := c.Request("FROBNICATE", nil).Expect(501, wait); header(res, "Allow") == "" {
		t.Errorf("501 without Allow:\n%s", res)
	}

	// Unknown dialog: a BYE with A's Call-ID but a To-tag Tandem never gave.
	raw := phone.Raw(t)
	raw.Send(n.SIPAddr, raw.Request("BYE", target(n, "bob"), c.CallID(), 7, []string{
		"From: <sip:alice@127.0.0.1>;tag=" + c.LocalTag(),
		"To: <" + target(n, "bob") + ">;tag=not-a-tandem-tag",
		"Call-ID: " + c.CallID(),
		"CSeq: 7 BYE",
		"Max-Forwards: 70",
	}, ""))
	if res := raw.ReadResponse(c.CallID(), wait); res.StatusCode != 481 {
		t.Errorf("BYE for an unknown dialog: %s, want 481", res.StartLine())
	}

	// The call is unharmed and B saw none of it.
	in.NoRequest()
	reinvite(t, c.Dialog, in.Dialog, a.SDP(phone.SendRecv), b.SDP(phone.SendRecv))
	hangup(t, c, in)
	evs, _ := ended(t, n, id)
	checkSteps(t, evs, append(connectedSteps(id), endSteps(id, id+"-b1")...)...)
}

// UPDATE with SDP is relayed like a re-INVITE (no ACK); one without a
// body, a session refresh, is answered by Tandem.
func TestUpdate(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	tx := c.Request(sip.UPDATE, a.SDP(phone.SendOnly))
	r := in.ExpectRequest(sip.UPDATE, wait)
	if phone.Direction(r.Body()) != phone.SendOnly || origin(t, r.Body()).User != "tandem" {
		t.Errorf("relayed UPDATE offer %q", r.Body())
	}
	r.OK(b.SDP(phone.RecvOnly))
	if res := tx.Expect(200, wait); phone.Direction(res.Body()) != phone.RecvOnly {
		t.Errorf("UPDATE answer %q", res.Body())
	}
	in.Request(sip.UPDATE, nil).Expect(200, wait)
	c.NoRequest()
	hangup(t, c, in)
}

// The far end answers a relayed INFO with 481: its dialog is gone (RFC
// 5057 §5.1), so the call ends: the sender gets an error and a BYE.
func TestRelayedRequestDestroysDialog(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	tx := c.Request(sip.INFO, []byte("Signal=1\r\n"), sip.NewHeader("Content-Type", "application/dtmf-relay"))
	in.ExpectRequest(sip.INFO, wait).Respond(481, nil)
	if res := tx.Final(wait); res.StatusCode < 400 {
		t.Errorf("INFO answered %d after the peer's 481", res.StatusCode)
	}
	c.ExpectRequest(sip.BYE, wait).OK(nil)
	if _, end := ended(t, n, id); end.HungUpBy != "b" {
		t.Errorf("call ended %+v, want by b", end)
	}
	in.NoRequest() // B's dialog is gone: no BYE to it
}
