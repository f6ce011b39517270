package integration

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandem-sip/tandem/events"
)

// A consumer created after the call ended reads every event of the call,
// in order, from the JetStream stream: what the live subscriber saw.
func TestEventsLateConsumer(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t)
	c, in := connect(t, n, a, b)
	id := callID(t, n, c.CallID())
	hangup(t, c, in)
	live, _ := ended(t, n, id)

	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-late-consumer"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, events.Stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{events.CallEventsFilter(id)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	var stored []events.Envelope
	for len(stored) == 0 || stored[len(stored)-1].Type != events.TypeCallEndedV1 {
		msg, err := cons.Next(jetstream.FetchMaxWait(wait))
		if err != nil {
			t.Fatalf("after %d events: %v", len(stored), err)
		}
		var env events.Envelope
		if err := json.Unmarshal(msg.Data(), &env); err != nil {
			t.Fatalf("stored event %s: %v", msg.Data(), err)
		}
		if msg.Subject() != events.EventSubject(env.Node, env.CallID, lastToken(msg.Subject())) {
			t.Errorf("stored on %s: %+v", msg.Subject(), env)
		}
		stored = append(stored, env)
	}
	if len(stored) != len(live) {
		t.Fatalf("stream holds %d events of the call, live saw %d", len(stored), len(live))
	}
	for i, e := range stored {
		if e.Seq != uint64(i+1) || e.ID != live[i].ID || e.Type != live[i].Type || e.LegID != live[i].LegID || !e.Time.Equal(live[i].Time) {
			t.Errorf("stored event %d %+v, live %+v", i, e, live[i].Envelope)
		}
	}
	// Nothing after call.ended.
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatalf("consumer info: %v", err)
	}
	if info.NumPending != 0 {
		t.Errorf("%d events of the call after call.ended", info.NumPending)
	}
}
