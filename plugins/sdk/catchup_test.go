package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// recorder is a plugin that subscribes with opts and tells every event
// ("call-1#2 leg_created") and gap ("gap call-1 2-3") on got, in the
// order the subscription hands them over.
func recorder(got chan<- string, opts ...sdk.SubscribeOption) sdk.Plugin {
	return plugin("recorder", func(_ context.Context, cl *sdk.Client) error {
		_, err := cl.Subscribe(func(_ context.Context, ev events.Event) {
			got <- fmt.Sprintf("%s#%d %s", ev.Env().CallID, ev.Env().Seq, ev.Name())
		}, append(opts, sdk.OnGap(func(_ context.Context, g sdk.Gap) {
			got <- fmt.Sprintf("gap %s %d-%d", g.CallID, g.First, g.Last)
		}))...)
		return err
	})
}

// expect receives want from got, in order, then the marker event (call
// "end" #1, published last) and so checks that nothing else came.
func expect(t *testing.T, got <-chan string, want ...string) {
	t.Helper()
	for i, w := range append(want, "end#1 created") {
		if g := recv(t, got, w); g != w {
			t.Fatalf("delivery %d: %q, want %q", i, g, w)
		}
	}
}

// store puts an event into the events stream through nc, a connection
// that does not get its own messages back (nats.NoEcho): the stream keeps
// it, the plugin's subscription on nc never sees it on core NATS.
func store(t *testing.T, nc *nats.Conn, callID string, seq uint64, ev events.Event) {
	t.Helper()
	env := ev.Env()
	env.ID, env.Node, env.CallID, env.Seq, env.Time = nuid.Next(), node, callID, seq, time.Now().UTC()
	for _, s := range events.Registry {
		if s.Kind == events.KindEvent && s.Name == ev.Name() {
			env.Type = s.Type
		}
	}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := js.Publish(ctx, events.EventSubject(node, callID, ev.Name()), data); err != nil {
		t.Fatalf("store %s #%d: %v", callID, seq, err)
	}
}

// Events a subscription missed on core NATS but the events stream kept are
// read from the stream and delivered in order, before the event that
// revealed the gap; only what the stream does not have is a gap.
func TestCatchUpFromStream(t *testing.T) {
	c := startCore(t)
	nc := c.conn(t, nats.NoEcho())
	got := make(chan string, 64)
	startOn(t, nc, recorder(got))
	// The control: the same subscription without catch-up.
	control := make(chan string, 64)
	startOn(t, nc, recorder(control, sdk.NoCatchUp()))

	// call-1: 2 and 3 are only in the stream.
	c.publish(t, "call-1", 1, &events.CallCreatedV1{})
	store(t, nc, "call-1", 2, &events.LegCreatedV1{})
	store(t, nc, "call-1", 3, &events.LegRingingV1{})
	c.publish(t, "call-1", 4, &events.LegAnsweredV1{})
	c.publish(t, "call-1", 5, &events.CallConnectedV1{})
	// call-2: 2 and 3 were never published.
	c.publish(t, "call-2", 1, &events.CallCreatedV1{})
	c.publish(t, "call-2", 4, &events.CallEndedV1{})
	// call-3: 2 and 4 are in the stream, 3 and 5 nowhere.
	c.publish(t, "call-3", 1, &events.CallCreatedV1{})
	store(t, nc, "call-3", 2, &events.LegCreatedV1{})
	store(t, nc, "call-3", 4, &events.LegEndedV1{})
	c.publish(t, "call-3", 6, &events.CallEndedV1{})
	c.publish(t, "end", 1, &events.CallCreatedV1{})

	expect(t, got,
		"call-1#1 created", "call-1#2 leg_created", "call-1#3 leg_ringing", "call-1#4 leg_answered", "call-1#5 connected",
		"call-2#1 created", "gap call-2 2-3", "call-2#4 ended",
		"call-3#1 created", "call-3#2 leg_created", "gap call-3 3-3", "call-3#4 leg_ended", "gap call-3 5-5", "call-3#6 ended",
	)
	expect(t, control,
		"call-1#1 created", "gap call-1 2-3", "call-1#4 leg_answered", "call-1#5 connected",
		"call-2#1 created", "gap call-2 2-3", "call-2#4 ended",
		"call-3#1 created", "gap call-3 2-5", "call-3#6 ended",
	)
}

// A subscription to some of a call's events sees jumps over the others;
// the catch-up finds those in the stream and, as they do not match the
// subscription's filter, neither delivers them nor reports a gap.
func TestCatchUpKeepsTheFilter(t *testing.T) {
	c := startCore(t)
	got := make(chan string, 64)
	start(t, c, recorder(got, sdk.ForSubject(events.EventPrefix+".*.call.*.leg_ringing")))
	other := make(chan string, 64)
	start(t, c, recorder(other, sdk.ForCall("end")))

	c.publish(t, "call-1", 1, &events.CallCreatedV1{})
	c.publish(t, "call-1", 2, &events.LegRingingV1{Code: 180})
	c.publish(t, "call-1", 3, &events.LegAnsweredV1{})
	c.publish(t, "call-1", 4, &events.LegRingingV1{Code: 183})
	c.publish(t, "call-1", 6, &events.LegRingingV1{Code: 180}) // 5 was never published
	c.publish(t, "end", 1, &events.CallCreatedV1{})
	for _, w := range []string{"call-1#2 leg_ringing", "call-1#4 leg_ringing", "gap call-1 5-5", "call-1#6 leg_ringing"} {
		if g := recv(t, got, w); g != w {
			t.Fatalf("got %q, want %q", g, w)
		}
	}
	// The marker, seen by the other subscription, was published last; the
	// filtered subscription had its last event before it.
	expect(t, other)
	select {
	case g := <-got:
		t.Errorf("unexpected %q", g)
	default:
	}
}

// Without JetStream (or without the right to read the stream) the
// catch-up fails at once and the gaps are reported as before.
func TestCatchUpWithoutStream(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(wait) {
		t.Fatal("nats server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	got := make(chan string, 64)
	startOn(t, nc, recorder(got))

	pub := func(seq uint64) {
		data := fmt.Sprintf(`{"type":%q,"node":%q,"call_id":"call-1","seq":%d}`, events.TypeLegRingingV1, node, seq)
		if err := nc.Publish(events.EventSubject(node, "call-1", "leg_ringing"), []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	for _, seq := range []uint64{1, 3, 6} {
		pub(seq)
	}
	for _, w := range []string{"call-1#1 leg_ringing", "gap call-1 2-2", "call-1#3 leg_ringing", "gap call-1 4-5", "call-1#6 leg_ringing"} {
		if g := recv(t, got, w); g != w {
			t.Fatalf("got %q, want %q", g, w)
		}
	}
}
