package dialogevent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/rcc/dialogevent"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// The app runs in-process on a NATS connection, as Tandem runs its
// built-in apps (a process would call sdk.Serve(dialogevent.Plugin)), and
// the example asks the subscribe decision the way the core does for each
// new SUBSCRIBE of a package it does not serve itself.
func Example() {
	nc, stop := connect() // Tandem's NATS; here a server of the example's own
	defer stop()
	ctx := context.Background()
	inst, err := sdk.Start(ctx, nc, dialogevent.Plugin, sdk.WithLogger(slog.New(slog.DiscardHandler)), sdk.WithConfig([]byte(`{
		"watchers": {"sip:bob@example.com": ["sip:reception@example.com"]},
		"max_expires": 600
	}`)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inst.Stop(ctx)

	for i, r := range []struct{ event, ruri, from string }{
		{"dialog", "sip:bob@example.com", "sip:reception@example.com"},
		{"dialog", "sip:bob@example.com", "sip:bob@example.com"},
		{"dialog", "sip:bob@example.com", "sip:mallory@example.com"},
		{"presence", "sip:bob@example.com", "sip:reception@example.com"},
	} {
		req := events.SubscribeRequestV1{Event: r.event, RequestURI: r.ruri, From: r.from, Expires: 3600}
		req.Type, req.LegID = events.TypeSubscribeRequestV1, fmt.Sprintf("s%d", i)
		data, _ := json.Marshal(req)
		msg, err := nc.Request(events.DecideSubscribe, data, time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.event, r.from, string(msg.Data))
	}
	// Output:
	// dialog sip:reception@example.com {"action":"accept","expires":600}
	// dialog sip:bob@example.com {"action":"accept","expires":600}
	// dialog sip:mallory@example.com {"action":"reject","code":403,"reason":"Forbidden"}
	// presence sip:reception@example.com {"action":"default"}
}

// connect starts a NATS server in this process and connects to it; stop
// closes both.
func connect() (nc *nats.Conn, stop func()) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(5 * time.Second) {
		panic("nats server not ready")
	}
	nc, err = nats.Connect(srv.ClientURL())
	if err != nil {
		panic(err)
	}
	return nc, func() { nc.Close(); srv.Shutdown() }
}
