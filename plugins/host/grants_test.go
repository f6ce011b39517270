package host_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nuid"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// watcher tells the leg_ringing events and the gaps it sees on got.
func watcher(got chan<- string) sdk.Plugin {
	return sdk.Plugin{Name: "watcher", Start: func(_ context.Context, c *sdk.Client) error {
		_, err := c.Subscribe(func(_ context.Context, ev events.Event) {
			got <- fmt.Sprintf("%s#%d", ev.Env().CallID, ev.Env().Seq)
		},
			sdk.ForSubject(events.EventPrefix+".*.call.*.leg_ringing"),
			sdk.CatchUpTimeout(200*time.Millisecond),
			sdk.OnGap(func(_ context.Context, g sdk.Gap) { got <- fmt.Sprintf("gap %d-%d", g.First, g.Last) }))
		return err
	}}
}

// Under the default grant a plugin may read the events stream, which the
// SDK's gap catch-up does: a subscription to some of a call's events fills
// the jumps over the others from the stream, without a gap. A plugin with
// a subscribe list of its own may not read the stream: its catch-up fails
// and it gets the gap.
func TestGrantReadsTheEventsStream(t *testing.T) {
	wide, narrow := make(chan string, 16), make(chan string, 16)
	e := start(t, fast(
		host.PluginConfig{Name: "true", Kind: host.KindProcess, Path: "/bin/true"}, // a process plugin: grants on
		host.PluginConfig{Name: "wide", Kind: host.KindBuiltin},
		host.PluginConfig{Name: "narrow", Kind: host.KindBuiltin, Subscribe: []string{events.EventPrefix + ".*.call.>"}},
	), builtins(host.Registry{"wide": watcher(wide), "narrow": watcher(narrow)}))
	if !e.api.AuthRequired() {
		t.Fatal("no grants: the server does not require authentication")
	}
	// Start has returned: the built-ins are up, subscribed.
	for _, name := range []string{"wide", "narrow"} {
		if st := e.status(name); !st.Up {
			t.Fatalf("%s: %+v", name, st)
		}
	}

	typed := func(typ string) events.Envelope { return events.Envelope{Type: typ} }
	for seq, ev := range []events.Event{
		&events.CallCreatedV1{Envelope: typed(events.TypeCallCreatedV1)},
		&events.LegRingingV1{Envelope: typed(events.TypeLegRingingV1), Code: 180},
		&events.LegAnsweredV1{Envelope: typed(events.TypeLegAnsweredV1)},
		&events.LegRingingV1{Envelope: typed(events.TypeLegRingingV1), Code: 183},
	} {
		env := ev.Env()
		env.ID, env.CallID, env.Seq, env.Time = nuid.Next(), "c1", uint64(seq+1), time.Now().UTC()
		e.api.Publish(ev)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		err := e.api.Flush(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, tt := range map[string]struct {
		got  chan string
		want []string
	}{
		"wide":   {wide, []string{"c1#2", "c1#4"}},
		"narrow": {narrow, []string{"c1#2", "gap 3-3", "c1#4"}},
	} {
		for _, w := range tt.want {
			select {
			case g := <-tt.got:
				if g != w {
					t.Errorf("%s: got %q, want %q", name, g, w)
				}
			case <-time.After(wait):
				t.Fatalf("%s: no %q within %v", name, w, wait)
			}
		}
	}
}
