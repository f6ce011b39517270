package sdk_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// extensions routes calls to extensions (users starting with 1) to a PBX
// named in its configuration, declines the others (the core then uses its
// own routes), refuses transfers to anything but an extension, and logs
// the calls that end.
var extensions = sdk.Plugin{
	Name: "extensions",
	Start: func(_ context.Context, c *sdk.Client) error {
		cfg := struct {
			PBX string `json:"pbx"`
		}{PBX: "pbx.example.com"}
		if err := c.Config(&cfg); err != nil {
			return err
		}
		_, err := c.HandleRoute(func(_ context.Context, req events.RouteRequestV1) (events.RouteDecisionV1, error) {
			if !strings.HasPrefix(req.User, "1") {
				return events.RouteDecisionV1{Action: events.RouteDefault}, nil
			}
			return events.RouteDecisionV1{Action: events.RouteForward, Target: "sip:" + req.User + "@" + cfg.PBX}, nil
		})
		if err != nil {
			return err
		}
		_, err = c.HandleRefer(func(_ context.Context, req events.ReferRequestV1) (events.ReferDecisionV1, error) {
			if strings.HasPrefix(req.ReferTo, "sip:1") {
				return events.ReferDecisionV1{Action: events.ActionDefault}, nil // the core transfers
			}
			return events.ReferDecisionV1{Action: events.ActionReject, Code: 403, Reason: "Extensions Only"}, nil
		})
		if err != nil {
			return err
		}
		mux := sdk.NewEventMux()
		sdk.On(mux, func(_ context.Context, ev *events.CallEndedV1) {
			c.Log().Info("call ended", "call_id", ev.CallID, "code", ev.Code)
		})
		_, err = c.Subscribe(mux.HandleEvent, sdk.OnGap(func(_ context.Context, g sdk.Gap) {
			c.Log().Warn("missed events", "call_id", g.CallID, "missing", g.Missing())
		}))
		return err
	},
}

// As a process, the plugin's main is sdk.Serve(extensions). Here the same
// plugin runs in-process on a NATS connection, and the example asks the
// routing decision the way the core does for each new INVITE, and the REFER
// decision as for each transfer Tandem accepts.
func Example() {
	nc, stop := connect() // Tandem's NATS; here a server of the example's own
	defer stop()
	ctx := context.Background()
	inst, err := sdk.Start(ctx, nc, extensions, sdk.WithConfig([]byte(`{"pbx":"10.0.0.5"}`)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inst.Stop(ctx)

	for _, user := range []string{"1001", "0044123"} {
		req := fmt.Sprintf(`{"type":%q,"user":%q}`, events.TypeRouteRequestV1, user)
		msg, err := nc.Request(events.DecideRoute, []byte(req), time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(user, string(msg.Data))
	}
	for _, to := range []string{"sip:1002@10.0.0.5", "sip:0044123@trunk.example.com"} {
		req := fmt.Sprintf(`{"type":%q,"refer_to":%q}`, events.TypeReferRequestV1, to)
		msg, err := nc.Request(events.DecideRefer, []byte(req), time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(to, string(msg.Data))
	}
	// Output:
	// 1001 {"action":"forward","target":"sip:1001@10.0.0.5"}
	// 0044123 {"action":"default"}
	// sip:1002@10.0.0.5 {"action":"default"}
	// sip:0044123@trunk.example.com {"action":"reject","code":403,"reason":"Extensions Only"}
}

// connect starts a NATS server in this process and connects to it; stop
// closes both.
func connect() (nc *nats.Conn, stop func()) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		panic("nats server not ready")
	}
	nc, err = nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		panic(err)
	}
	return nc, func() { nc.Close(); srv.Shutdown() }
}
