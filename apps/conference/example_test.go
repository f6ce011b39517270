package conference_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/conference"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// The app runs in-process on a NATS connection, as Tandem runs its
// built-in apps (a process would call sdk.Serve(conference.Plugin)); the
// example asks the route decision the way the core does for each new
// INVITE, and lists the rooms with the app's own command: the caller of
// 1000 is a participant already, admitted and waiting for the core to
// park its call (no core here).
func Example() {
	nc, stop := connect() // Tandem's NATS; here a server of the example's own
	defer stop()
	ctx := context.Background()
	inst, err := sdk.Start(ctx, nc, conference.Plugin, sdk.WithConfig([]byte(`{
		"domain": "conf.example.com",
		"rooms": [
			{"uri": "1000", "pin": "1234", "moderator_pin": "9999", "max_participants": 20},
			{"uri": "sip:board@conf.example.com"}
		],
		"adhoc": {"lease_ttl": "10m", "max_lease_ttl": "2h"}
	}`)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inst.Stop(ctx)

	for i, user := range []string{"1000", "conf-unknown", "alice"} {
		req := events.RouteRequestV1{User: user, Host: "conf.example.com"}
		req.Type, req.CallID, req.LegID = events.TypeRouteRequestV1, fmt.Sprint("c", i), fmt.Sprint("c", i, "-a")
		data, _ := json.Marshal(req)
		msg, err := nc.Request(events.DecideRoute, data, time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(user, string(msg.Data))
	}
	rep, err := sdk.Do(ctx, inst.Client(), conference.CmdList, conference.ListRequestV1{RequestID: "r1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Rooms {
		fmt.Println(r.Room, r.URI, r.Kind, r.State, "pin", r.PIN, "participants", len(r.Participants))
	}
	// Output:
	// 1000 {"action":"park","controller":"conference"}
	// conf-unknown {"action":"reject","code":404,"reason":"Conference Not Found"}
	// alice {"action":"default"}
	// 1000  static open pin true participants 1
	// board sip:board@conf.example.com static open pin false participants 0
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
