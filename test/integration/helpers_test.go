package integration

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// wait bounds every wait for a message or an event; nothing waits for it
// to pass.
const wait = 5 * time.Second

// routeTo routes every user to the same user at p.
func routeTo(p *phone.Phone) harness.Option {
	return harness.WithRoutes(b2bua.Route{Name: "all", User: "^(.*)$", Target: "sip:$1@" + p.Addr()})
}

// target is a URI for user at the node.
func target(n *harness.Node, user string) string { return "sip:" + user + "@" + n.SIPAddr }

// setup starts a node routing everything to a callee phone "bob", and a
// caller phone "alice".
func setup(t *testing.T, opts ...harness.Option) (*harness.Node, *phone.Phone, *phone.Phone) {
	t.Helper()
	b := phone.New(t, "bob")
	n := harness.Start(t, append([]harness.Option{routeTo(b)}, opts...)...)
	a := phone.New(t, "alice")
	return n, a, b
}

// connect places a call from a to user at the node and answers it at b: a
// has sent ACK and b has received it.
func connect(t *testing.T, n *harness.Node, a, b *phone.Phone, opts ...phone.InviteOption) (*phone.Call, *phone.Incoming) {
	t.Helper()
	c := a.Invite(target(n, "bob"), opts...)
	in := b.NextInvite(wait)
	in.Ringing()
	c.Expect(180, wait)
	in.Answer(b.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	return c, in
}

// hangup ends a connected call from a and checks both sides of the BYE.
func hangup(t *testing.T, c *phone.Call, in *phone.Incoming) {
	t.Helper()
	bye := c.Bye()
	in.ExpectRequest(sip.BYE, wait).OK(nil)
	bye.Expect(200, wait)
}

// callID is Tandem's call id of the call whose A leg has SIP Call-ID sipCallID.
func callID(t *testing.T, n *harness.Node, sipCallID string) string {
	t.Helper()
	e := n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool {
		var lc events.LegCreatedV1
		return e.Decode(&lc) == nil && lc.Side == events.SideA && lc.SIPCallID == sipCallID
	}, wait)
	return e.CallID
}

// ended waits for the end of a call and returns its events after checking
// the envelope of each: seq 1..n without gaps, the node, the call id, ids
// unique, call.ended last.
func ended(t *testing.T, n *harness.Node, id string) ([]harness.Event, events.CallEndedV1) {
	t.Helper()
	end := n.Events.AwaitCallEnd(id, wait)
	evs := n.Events.Call(id)
	seen := map[string]bool{}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d (%s) has seq %d; events:\n%s", i, e.Type, e.Seq, describe(evs))
		}
		if e.Node != n.Config.Node || e.CallID != id || e.ID == "" || seen[e.ID] {
			t.Fatalf("bad envelope %+v", e.Envelope)
		}
		seen[e.ID] = true
		if !strings.HasSuffix(e.Subject, "."+id+"."+lastToken(e.Subject)) || !strings.HasPrefix(e.Subject, events.EventPrefix+".") {
			t.Fatalf("subject %q for call %s", e.Subject, id)
		}
	}
	if last := evs[len(evs)-1]; last.Type != events.TypeCallEndedV1 {
		t.Fatalf("last event %s, want call ended:\n%s", last.Type, describe(evs))
	}
	return evs, end
}

func lastToken(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// step is one expected event: its type and leg ("" for call events).
type step struct{ typ, leg string }

// checkSteps compares a call's events with want, type and leg id.
func checkSteps(t *testing.T, evs []harness.Event, want ...step) {
	t.Helper()
	ok := len(evs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = evs[i].Type == want[i].typ && evs[i].LegID == want[i].leg
	}
	if !ok {
		var w strings.Builder
		for _, s := range want {
			w.WriteString("  " + s.typ + " leg=" + s.leg + "\n")
		}
		t.Fatalf("events:\n%swant:\n%s", describe(evs), w.String())
	}
}

// connectedSteps are the events of a call up to connect, B leg b1.
func connectedSteps(id string) []step {
	a, b := id+"-a", id+"-b1"
	return []step{
		{events.TypeCallCreatedV1, ""}, {events.TypeLegCreatedV1, a}, {events.TypeCallRoutedV1, ""},
		{events.TypeLegCreatedV1, b}, {events.TypeLegRingingV1, b}, {events.TypeLegAnsweredV1, b},
		{events.TypeLegAnsweredV1, a}, {events.TypeCallConnectedV1, ""},
	}
}

// endSteps are the last events of a call.
func endSteps(id string, b string) []step {
	return []step{{events.TypeLegEndedV1, b}, {events.TypeLegEndedV1, id + "-a"}, {events.TypeCallEndedV1, ""}}
}

func describe(evs []harness.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("  " + e.Type + " seq=" + strconv.FormatUint(e.Seq, 10) + " leg=" + e.LegID + " " + string(e.Raw) + "\n")
	}
	return b.String()
}

// decode unmarshals an event's payload.
func decode[T any](t *testing.T, e harness.Event) T {
	t.Helper()
	var v T
	if err := e.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", e.Type, err)
	}
	return v
}

// find returns the first event of typ (and leg, when not "").
func find(t *testing.T, evs []harness.Event, typ, leg string) harness.Event {
	t.Helper()
	i := slices.IndexFunc(evs, func(e harness.Event) bool { return e.Type == typ && (leg == "" || e.LegID == leg) })
	if i < 0 {
		t.Fatalf("no %s leg=%q in:\n%s", typ, leg, describe(evs))
	}
	return evs[i]
}

// hostPort is the host:port of a URI.
func hostPort(u sip.Uri) string { return net.JoinHostPort(u.Host, strconv.Itoa(u.Port)) }

// header is the value of a header, "" when absent.
func header(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// origin parses the o= line of body, failing the test without one.
func origin(t *testing.T, body []byte) phone.Origin {
	t.Helper()
	o, ok := phone.ParseOrigin(body)
	if !ok {
		t.Fatalf("no origin in %q", body)
	}
	return o
}

// waitFor polls cond (a state the node exposes only by query) until it
// holds, failing the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// rawClient is a raw socket talking to one node.
type rawClient struct {
	*phone.RawConn
	t      *testing.T
	n      *harness.Node
	probes int
}

func newRawClient(t *testing.T, n *harness.Node) *rawClient {
	return &rawClient{RawConn: phone.Raw(t), t: t, n: n}
}

// probe sends an OPTIONS and requires its 200 to be the next datagram the
// socket reads: whatever was sent before got no answer, and the node still
// serves.
func (r *rawClient) probe() { r.t.Helper(); r.sendProbe(false) }

// probeSkipping is probe that lets other datagrams come first.
func (r *rawClient) probeSkipping() { r.t.Helper(); r.sendProbe(true) }

func (r *rawClient) sendProbe(skip bool) {
	r.t.Helper()
	r.probes++
	id := "probe-" + itoa(r.probes) + "-" + r.Addr()
	r.Send(r.n.SIPAddr, r.Request("OPTIONS", target(r.n, "probe"), id, 1, []string{
		"From: <sip:probe@127.0.0.1>;tag=p" + itoa(r.probes),
		"To: <" + target(r.n, "probe") + ">",
		"Call-ID: " + id,
		"CSeq: 1 OPTIONS",
		"Max-Forwards: 70",
	}, ""))
	want := ""
	if skip {
		want = id
	}
	res := r.ReadResponse(want, wait)
	if res.CallID() == nil || res.CallID().Value() != id || res.StatusCode != 200 {
		r.t.Fatalf("probe: got %s for Call-ID %v, want 200 for %s", res.StartLine(), res.CallID(), id)
	}
}

// status reads the next datagram and returns its status code and first
// line; it need not parse as a whole (a reject echoes the request's
// malformed headers).
func (r *rawClient) status() (int, string) {
	r.t.Helper()
	b := r.Read(wait)
	line, _, _ := strings.Cut(string(b), "\r\n")
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "SIP/2.0" {
		r.t.Fatalf("not a response: %q", b)
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		r.t.Fatalf("bad status line %q", line)
	}
	return code, line
}
