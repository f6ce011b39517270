package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

const wait = 5 * time.Second

// Two phones call each other directly: the phone's own plumbing, without a
// node in between.
func TestPhoneToPhone(t *testing.T) {
	t.Parallel()
	a, b := New(t, "alice"), New(t, "bob")

	c := a.Invite(b.URI("bob"), WithHeader("Subject", "hello"))
	in := b.NextInvite(wait)
	if got := in.Req.GetHeader("Subject"); got == nil || got.Value() != "hello" {
		t.Fatalf("Subject: %v", got)
	}
	in.Ringing()
	ring := c.Expect(180, wait)
	in.Answer(b.SDP(SendRecv))
	ok := c.Expect(200, wait)
	if ToTag(ring) != ToTag(ok) || c.RemoteTag() != in.LocalTag() {
		t.Fatalf("To-tags differ: 180 %v, 200 %v, dialog %q/%q", ring.To(), ok.To(), c.RemoteTag(), in.LocalTag())
	}
	if o, _ := ParseOrigin(ok.Body()); o.User != "bob" {
		t.Fatalf("answer origin %+v", o)
	}
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)

	info := c.Request(sip.INFO, []byte("Signal=1\r\nDuration=100\r\n"), sip.NewHeader("Content-Type", "application/dtmf-relay"))
	r := in.ExpectRequest(sip.INFO, wait)
	if string(r.Body()) != "Signal=1\r\nDuration=100\r\n" {
		t.Fatalf("INFO body %q", r.Body())
	}
	r.OK(nil)
	info.Expect(200, wait)

	re := in.Reinvite(b.SDP(SendOnly))
	r = c.ExpectRequest(sip.INVITE, wait)
	if Direction(r.Body()) != SendOnly {
		t.Fatalf("re-INVITE direction %q", Direction(r.Body()))
	}
	r.OK(a.SDP(RecvOnly))
	re.Expect(200, wait)
	re.Ack()
	c.ExpectRequest(sip.ACK, wait)

	bye := in.Bye()
	c.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
}

func TestPhoneCancel(t *testing.T) {
	t.Parallel()
	a, b := New(t, "alice"), New(t, "bob")
	c := a.Invite(b.URI("bob"))
	in := b.NextInvite(wait)
	in.Ringing()
	ring := c.Expect(180, wait)
	cancel := c.Cancel()
	cancel.Expect(200, wait)
	in.ExpectRequest(sip.CANCEL, wait)
	res := c.Expect(487, wait)
	if ToTag(res) != ToTag(ring) {
		t.Fatalf("487 To %v, 180 To %v", res.To(), ring.To())
	}
}

func TestRawOptions(t *testing.T) {
	t.Parallel()
	b := New(t, "bob")
	r := Raw(t)
	r.Send(b.Addr(), r.Request("OPTIONS", b.URI("bob"), "raw-1", 1, []string{
		"From: <sip:raw@127.0.0.1>;tag=1", "To: <" + b.URI("bob") + ">", "Call-ID: raw-1", "CSeq: 1 OPTIONS", "Max-Forwards: 70",
	}, ""))
	if res := r.ReadResponse("raw-1", wait); res.StatusCode != 200 {
		t.Fatalf("OPTIONS: %s", res.StartLine())
	}
}
