package integration

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// plugin connects a routing plugin to the node's NATS: a plain nats.go
// subscriber on events.DecideRoute. decide returns the decision, or nil to
// stay silent. The requests it saw come out of the returned channel.
func plugin(t *testing.T, n *harness.Node, decide func(events.RouteRequestV1) *events.RouteDecisionV1) <-chan events.RouteRequestV1 {
	t.Helper()
	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-routing-plugin"))
	if err != nil {
		t.Fatalf("plugin connect: %v", err)
	}
	t.Cleanup(nc.Close)
	seen := make(chan events.RouteRequestV1, 8)
	_, err = nc.Subscribe(events.DecideRoute, func(m *nats.Msg) {
		var req events.RouteRequestV1
		if err := json.Unmarshal(m.Data, &req); err != nil {
			t.Errorf("plugin: undecodable route request %s: %v", m.Data, err)
			return
		}
		seen <- req
		if d := decide(req); d != nil {
			data, _ := json.Marshal(d)
			if err := m.Respond(data); err != nil {
				t.Errorf("plugin: respond: %v", err)
			}
		}
	})
	if err != nil {
		t.Fatalf("plugin subscribe: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("plugin flush: %v", err)
	}
	return seen
}

// deadline gives plugins time to answer even on a loaded machine; it only
// bounds the wait, the answer ends it.
func deadline(d time.Duration) harness.Option {
	return harness.WithConfig(func(c *config.Config) { c.RouteDeadline = d })
}

// asked is the next route request the plugin saw.
func asked(t *testing.T, seen <-chan events.RouteRequestV1) events.RouteRequestV1 {
	t.Helper()
	select {
	case req := <-seen:
		return req
	case <-time.After(wait):
		t.Fatal("the plugin was not asked")
		return events.RouteRequestV1{}
	}
}

func routed(t *testing.T, n *harness.Node, id string) events.CallRoutedV1 {
	t.Helper()
	e := n.Events.Await(events.TypeCallRoutedV1, func(e harness.Event) bool { return e.CallID == id }, wait)
	return decode[events.CallRoutedV1](t, e)
}

// A plugin's forward decision wins over the static rule.
func TestRoutingPluginForward(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, deadline(wait))
	carol := phone.New(t, "carol")
	seen := plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteForward, Target: carol.URI("carol")}
	})

	c := a.Invite(target(n, "bob"))
	in := carol.NextInvite(wait)
	id := callID(t, n, c.CallID())
	req := asked(t, seen)
	if req.CallID != id || req.User != "bob" || req.RequestURI != target(n, "bob") || req.LegID != id+"-a" || req.Node != n.Config.Node {
		t.Errorf("route request %+v", req)
	}
	if r := routed(t, n, id); r.By != "plugin" || r.Action != "forward" || r.Target != carol.URI("carol") {
		t.Errorf("routed %+v", r)
	}
	in.Answer(carol.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	hangup(t, c, in)
	ended(t, n, id)
	if got := b.Received(); len(got) != 0 {
		t.Errorf("bob, the static route, got %d requests", len(got))
	}
}

// A plugin's reject decision goes to A as is.
func TestRoutingPluginReject(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, deadline(wait))
	plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 {
		return &events.RouteDecisionV1{Action: events.RouteReject, Code: 403, Reason: "Not On My Watch"}
	})
	c := a.Invite(target(n, "bob"))
	res := c.Expect(403, wait)
	if res.Reason != "Not On My Watch" {
		t.Errorf("403 reason %q", res.Reason)
	}
	id := callID(t, n, c.CallID())
	if r := routed(t, n, id); r.By != "plugin" || r.Action != "reject" || r.Code != 403 {
		t.Errorf("routed %+v", r)
	}
	evs, end := ended(t, n, id)
	checkSteps(t, evs,
		step{events.TypeCallCreatedV1, ""}, step{events.TypeLegCreatedV1, id + "-a"}, step{events.TypeCallRoutedV1, ""},
		step{events.TypeLegEndedV1, id + "-a"}, step{events.TypeCallEndedV1, ""})
	if end.Code != 403 {
		t.Errorf("call ended %+v", end)
	}
	if got := b.Received(); len(got) != 0 {
		t.Errorf("bob got %d requests", len(got))
	}
}

// A plugin that listens but never answers: after the deadline the static
// rule routes the call.
func TestRoutingSilentPluginFallsBack(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, deadline(200*time.Millisecond))
	seen := plugin(t, n, func(events.RouteRequestV1) *events.RouteDecisionV1 { return nil })
	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	id := callID(t, n, c.CallID())
	if req := asked(t, seen); req.CallID != id {
		t.Errorf("the plugin was asked about %q, not %q", req.CallID, id)
	}
	if r := routed(t, n, id); r.By != "config" || r.Target != b.URI("bob") {
		t.Errorf("routed %+v", r)
	}
	in.Reject(486)
	c.Expect(486, wait)
	ended(t, n, id)
}

// No rule matches and no plugin listens: 404.
func TestRoutingNoRoute(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, harness.WithRoutes(b2bua.Route{User: "^bob$", Target: "sip:bob@127.0.0.1:9"}))
	a := phone.New(t, "alice")
	c := a.Invite(target(n, "carol"))
	c.Expect(404, wait)
	id := callID(t, n, c.CallID())
	if r := routed(t, n, id); r.By != "default" || r.Action != "reject" || r.Code != 404 {
		t.Errorf("routed %+v", r)
	}
	if _, end := ended(t, n, id); end.Code != 404 || end.HungUpBy != "core" {
		t.Errorf("call ended %+v", end)
	}
}
