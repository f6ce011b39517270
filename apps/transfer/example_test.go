package transfer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/transfer"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// The app runs in-process on a NATS connection, as Tandem runs its
// built-in apps (a process would call sdk.Serve(transfer.Plugin)), and the
// example asks the refer decision the way the core does after each REFER
// it accepted.
func Example() {
	nc, stop := connect() // Tandem's NATS; here a server of the example's own
	defer stop()
	ctx := context.Background()
	inst, err := sdk.Start(ctx, nc, transfer.Plugin, sdk.WithConfig([]byte(`{
		"deny": ["@premium\\.example\\.com"],
		"rewrite": [{"match": "^sip:(\\d{3})@", "target": "sip:$1@pbx.example.com"}],
		"max_transfers_per_call": 1
	}`)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inst.Stop(ctx)

	for _, r := range []struct{ call, referTo string }{
		{"c1", "sip:0900@premium.example.com"},
		{"c1", "sip:201@example.com"},
		{"c1", "sip:carol@example.com"},
		{"c2", "sip:carol@example.com"},
	} {
		req := events.ReferRequestV1{ReferTo: r.referTo, From: "sip:bob@example.com"}
		req.Type, req.CallID = events.TypeReferRequestV1, r.call
		data, _ := json.Marshal(req)
		msg, err := nc.Request(events.DecideRefer, data, time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.call, r.referTo, string(msg.Data))
	}
	// Output:
	// c1 sip:0900@premium.example.com {"action":"reject","code":403,"reason":"Transfer Target Not Allowed"}
	// c1 sip:201@example.com {"action":"accept","target":"sip:201@pbx.example.com"}
	// c1 sip:carol@example.com {"action":"reject","code":486,"reason":"Too Many Transfers"}
	// c2 sip:carol@example.com {"action":"accept"}
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
