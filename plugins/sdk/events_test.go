package sdk_test

import (
	"context"
	"testing"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Events arrive typed, through an EventMux; a jump in a call's Seq is a
// gap, reported before the event after it (without a catch-up: the late
// event is published after the jump); a late event of the gap is still
// delivered; a duplicate is dropped; an unknown type goes to OnRaw.
func TestSubscribeTypedWithGaps(t *testing.T) {
	c := startCore(t)
	type got struct {
		typ string
		seq uint64
	}
	evs := make(chan got, 16)
	gaps := make(chan sdk.Gap, 4)
	raws := make(chan sdk.RawEvent, 4)
	start(t, c, plugin("watcher", func(_ context.Context, cl *sdk.Client) error {
		mux := sdk.NewEventMux()
		sdk.On(mux, func(_ context.Context, ev *events.CallCreatedV1) {
			evs <- got{"created:" + ev.From, ev.Seq}
		})
		sdk.On(mux, func(_ context.Context, ev *events.CallEndedV1) {
			evs <- got{"ended", ev.Seq}
		})
		mux.HandleOther(func(_ context.Context, ev events.Event) { evs <- got{ev.Name(), ev.Env().Seq} })
		_, err := cl.Subscribe(mux.HandleEvent, sdk.NoCatchUp(),
			sdk.OnGap(func(_ context.Context, g sdk.Gap) { gaps <- g }),
			sdk.OnRaw(func(_ context.Context, r sdk.RawEvent) { raws <- r }))
		return err
	}))

	c.publish(t, "call-1", 1, &events.CallCreatedV1{From: "sip:alice@x"})
	c.publish(t, "call-1", 2, &events.LegRingingV1{Code: 180})
	c.publish(t, "call-1", 4, &events.CallEndedV1{Code: 200})
	c.publish(t, "call-1", 3, &events.LegAnsweredV1{})
	// A retried publish: the same event again (a new id, as the stream
	// would refuse the old one; plain subscribers see both).
	c.publish(t, "call-1", 2, &events.LegRingingV1{Code: 180})
	c.publish(t, "call-2", 1, &events.CallCreatedV1{From: "sip:bob@x"})

	want := []got{{"created:sip:alice@x", 1}, {"leg_ringing", 2}, {"ended", 4}, {"leg_answered", 3}, {"created:sip:bob@x", 1}}
	for i, w := range want {
		if g := recv(t, evs, "event"); g != w {
			t.Fatalf("event %d = %+v, want %+v", i, g, w)
		}
	}
	if g := recv(t, gaps, "gap"); g.CallID != "call-1" || g.First != 3 || g.Last != 3 || g.Node != node || g.Missing() != 1 {
		t.Errorf("gap %+v", g)
	}
	select {
	case g := <-gaps:
		t.Errorf("a second gap %+v", g)
	default:
	}

	// An event type this SDK does not know.
	nc := c.conn(t)
	if err := nc.Publish(events.EventSubject(node, "call-3", "teleported"),
		[]byte(`{"type":"tandem.call.v9.teleported","call_id":"call-3","seq":1}`)); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, raws, "raw event"); r.Envelope.Type != "tandem.call.v9.teleported" || r.Err == nil {
		t.Errorf("raw %+v", r)
	}
}

// ForCall narrows a subscription to one call.
func TestSubscribeForCall(t *testing.T) {
	c := startCore(t)
	seqs := make(chan string, 8)
	start(t, c, plugin("one-call", func(_ context.Context, cl *sdk.Client) error {
		_, err := cl.Subscribe(func(_ context.Context, ev events.Event) { seqs <- ev.Env().CallID }, sdk.ForCall("b"))
		return err
	}))
	c.publish(t, "a", 1, &events.CallCreatedV1{})
	c.publish(t, "b", 1, &events.CallCreatedV1{})
	if got := recv(t, seqs, "event"); got != "b" {
		t.Errorf("got call %s, want b only", got)
	}
}

// On panics for a type that is not a registered event.
func TestOnUnregistered(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("On accepted a type that is not an event")
		}
	}()
	sdk.On(sdk.NewEventMux(), func(context.Context, *notAnEvent) {})
}

type notAnEvent struct{ events.Envelope }

func (*notAnEvent) Name() string { return "nope" }
