package integration

import (
	"crypto/rand"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// Malformed requests get 400 on the raw socket (or, when nothing in them
// can be answered, nothing) and leave the node serving: a normal call
// right after works.
func TestMalformed(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	raw := newRawClient(t, n)

	// A request line and a Via, then bytes that are no header at all.
	garbage := raw.Request("INVITE", target(n, "bob"), "mal-garbage", 1, nil, "")
	garbage = append(garbage[:len(garbage)-len("Content-Length: 0\r\n\r\n")], []byte("\x00\x01\xfe\xff garbage without a colon\r\nCall-ID: mal-garbage\r\n\r\n")...)
	raw.Send(n.SIPAddr, garbage)
	if res := raw.ReadResponse("", wait); res.StatusCode != 400 {
		t.Errorf("garbage headers: %s, want 400", res.StartLine())
	}

	// Everything there but the Call-ID.
	raw.Send(n.SIPAddr, raw.Request("INVITE", target(n, "bob"), "mal-nocallid", 1, []string{
		"From: <sip:raw@127.0.0.1>;tag=1",
		"To: <" + target(n, "bob") + ">",
		"CSeq: 1 INVITE",
		"Max-Forwards: 70",
		"Contact: <sip:raw@" + raw.Addr() + ">",
	}, ""))
	res := raw.ReadResponse("", wait)
	if res.StatusCode != 400 {
		t.Errorf("no Call-ID: %s, want 400", res.StartLine())
	}
	if res.CSeq() == nil || res.CSeq().SeqNo != 1 || res.CSeq().MethodName != sip.INVITE {
		t.Errorf("400 does not echo the CSeq:\n%s", res)
	}

	// Random bytes: not SIP, nobody to answer; dropped.
	noise := make([]byte, 512)
	_, _ = rand.Read(noise)
	noise[0] = 'x' // never a keep-alive
	raw.Send(n.SIPAddr, noise)
	raw.probe()

	c, in := connect(t, n, a, b)
	hangup(t, c, in)
	if got := len(b.Received()); got != 3 {
		t.Errorf("B received %d requests, want INVITE, ACK, BYE of the normal call", got)
	}
}
