package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/apps/rcc"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/plugins/sdk"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// Tokens of the REST gateway in these tests.
const (
	rccOps     = "ops-0123456789abcdef"     // ops: calls.*, legs.*, events
	rccViewer  = "viewer-0123456789abcdef"  // viewer: calls.list, calls.get
	rccConsole = "console-0123456789abcdef" // console: legs.originate with answer_mode
)

// rccConfig is the gateway's configuration, listening on listen.
func rccConfig(listen string) map[string]any {
	return map[string]any{
		"listen": listen,
		"tokens": []any{
			map[string]any{"name": "ops", "token": rccOps, "permissions": []any{"calls.*", "legs.*", "events"}},
			map[string]any{"name": "viewer", "token": rccViewer, "permissions": []any{"calls.list", "calls.get"}},
			map[string]any{"name": "console", "token": rccConsole, "permissions": []any{"legs.originate"}, "answer_mode": true},
		},
	}
}

// startRCC runs the REST gateway (apps/rcc) on the node's NATS with an SDK
// client of its own, as the host runs a built-in, and returns its base URL.
func startRCC(t *testing.T, n *harness.Node) string {
	t.Helper()
	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-rcc"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	cfg, _ := json.Marshal(rccConfig("127.0.0.1:0"))
	addr := make(chan net.Addr, 1)
	inst, err := sdk.Start(ctx10(t), nc, rcc.NewPlugin(rcc.OnListen(func(a net.Addr) { addr <- a })),
		sdk.WithConfig(cfg), sdk.WithNode(n.Config.Node))
	if err != nil {
		t.Fatalf("rcc: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := inst.Stop(ctx); err != nil {
			t.Errorf("rcc stop: %v", err)
		}
	})
	return "http://" + (<-addr).String()
}

// rccDo sends one request to the gateway with token ("" none) and JSON
// body ("" none), and returns the status and the body.
func rccDo(t *testing.T, method, url, token, body string, headers ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx10(t), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, data
}

// sseEvent is one event read from the gateway's stream.
type sseEvent struct {
	name, id string
	env      events.Envelope
	data     string
}

// rccStream opens GET /v1/events at url with token and delivers its
// events until the test ends; it returns once the stream is subscribed.
func rccStream(t *testing.T, url, token string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	rd := bufio.NewReader(res.Body)
	if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, ": tandem events ") {
		t.Fatalf("stream starts with %q, %v", line, err)
	}
	ch := make(chan sseEvent, 256)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		var ev sseEvent
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "" && ev.name != "":
				_ = json.Unmarshal([]byte(ev.data), &ev.env)
				ch <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[len("id: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			}
		}
	}()
	return ch
}

// The REST gateway against a live node with a real HTTP client: no token
// is 401, a token without the permission 403; calls are listed; a leg is
// originated to a scripted phone, which gets the INVITE and answers; the
// call is read back, hung up by DELETE (BYE to the phone) and gone (404);
// the event stream carries the leg's events for that call, in order; a
// repeated Idempotency-Key gets the first answer; Answer-Mode is only for
// a token with answer_mode.
func TestRCCGateway(t *testing.T) {
	t.Parallel()
	n := harness.Start(t)
	carol := phone.New(t, "carol")
	base := startRCC(t, n)

	if code, body := rccDo(t, "GET", base+"/v1/calls", "", ""); code != 401 {
		t.Errorf("no token: %d %s", code, body)
	}
	if code, body := rccDo(t, "GET", base+"/v1/calls", "not-a-token-at-all", ""); code != 401 {
		t.Errorf("unknown token: %d %s", code, body)
	}
	code, body := rccDo(t, "GET", base+"/v1/calls", rccViewer, "")
	var list events.CallsListReplyV1
	if err := json.Unmarshal(body, &list); code != 200 || err != nil || list.Error != nil || len(list.Calls) != 0 {
		t.Fatalf("list calls: %d %s", code, body)
	}
	if code, body := rccDo(t, "POST", base+"/v1/legs", rccViewer, `{"target":"`+carol.URI("carol")+`"}`); code != 403 {
		t.Errorf("viewer originates: %d %s", code, body)
	}
	if code, body := rccDo(t, "GET", base+"/v1/events", rccViewer, ""); code != 403 {
		t.Errorf("viewer streams: %d %s", code, body)
	}
	stream := rccStream(t, base+"/v1/events?subject=*.call.>", rccOps)

	origin := `{"target":"` + carol.URI("carol") + `","from_display":"Reception"}`
	code, body = rccDo(t, "POST", base+"/v1/legs", rccOps, origin, "Idempotency-Key", "dial-1")
	var orig events.LegsOriginateReplyV1
	if err := json.Unmarshal(body, &orig); code != 200 || err != nil || orig.CallID == "" || orig.LegID == "" || orig.RequestID != "dial-1" {
		t.Fatalf("originate: %d %s", code, body)
	}
	inv := carol.NextInvite(wait)
	if user := inv.Req.Recipient.User; user != "carol" {
		t.Errorf("INVITE to %s", inv.Req.Recipient.String())
	}
	if from := inv.Req.From(); from == nil || from.DisplayName != "Reception" {
		t.Errorf("INVITE From %v", from)
	}
	inv.Ringing()
	n.Events.Await(events.TypeLegRingingV1, func(e harness.Event) bool { return e.LegID == orig.LegID }, wait)
	inv.Answer(carol.SDP(phone.SendRecv))
	inv.ExpectRequest(sip.ACK, wait)

	// the same key: the first answer, no second leg
	code, body = rccDo(t, "POST", base+"/v1/legs", rccOps, origin, "Idempotency-Key", "dial-1")
	var again events.LegsOriginateReplyV1
	if err := json.Unmarshal(body, &again); code != 200 || err != nil || again.LegID != orig.LegID {
		t.Errorf("repeated originate: %d %s, want leg %s", code, body, orig.LegID)
	}

	code, body = rccDo(t, "GET", base+"/v1/calls/"+orig.CallID, rccViewer, "")
	var got events.CallsGetReplyV1
	if err := json.Unmarshal(body, &got); code != 200 || err != nil || got.Call == nil || len(got.Call.Legs) != 1 ||
		got.Call.Legs[0].LegID != orig.LegID || got.Call.Legs[0].State == "" {
		t.Fatalf("get call: %d %s", code, body)
	}
	code, body = rccDo(t, "GET", base+"/v1/calls", rccViewer, "")
	if err := json.Unmarshal(body, &list); code != 200 || err != nil || len(list.Calls) != 1 || list.Calls[0].CallID != orig.CallID {
		t.Errorf("list calls: %d %s", code, body)
	}

	if code, body := rccDo(t, "DELETE", base+"/v1/calls/"+orig.CallID, rccViewer, ""); code != 403 {
		t.Errorf("viewer hangs up: %d %s", code, body)
	}
	code, body = rccDo(t, "DELETE", base+"/v1/calls/"+orig.CallID, rccOps, `{"reason":"done"}`)
	if code != 200 {
		t.Fatalf("hangup: %d %s", code, body)
	}
	inv.ExpectRequest(sip.BYE, wait).OK(nil)
	n.Events.AwaitCallEnd(orig.CallID, wait)

	// the stream: the call's events in order, the leg's among them
	var legEvents []string
	var lastSeq uint64
	timeout := time.After(wait)
	for done := false; !done; {
		select {
		case ev, ok := <-stream:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.env.CallID != orig.CallID {
				continue
			}
			if ev.name != ev.env.Type || ev.id != ev.env.ID || ev.env.Seq != lastSeq+1 {
				t.Errorf("stream event %s id %s: envelope %+v after seq %d", ev.name, ev.id, ev.env, lastSeq)
			}
			lastSeq = ev.env.Seq
			if ev.env.LegID == orig.LegID {
				legEvents = append(legEvents, ev.name)
			}
			done = ev.name == events.TypeCallEndedV1
		case <-timeout:
			t.Fatalf("stream: no call end; leg events %v", legEvents)
		}
	}
	want := []string{events.TypeLegCreatedV1, events.TypeLegRingingV1, events.TypeLegAnsweredV1, events.TypeLegEndedV1}
	if strings.Join(onlyOf(legEvents, want), " ") != strings.Join(want, " ") {
		t.Errorf("leg events on the stream %v, want %v among them", legEvents, want)
	}

	code, body = rccDo(t, "GET", base+"/v1/calls/"+orig.CallID, rccViewer, "")
	if code != 404 || !strings.Contains(string(body), `"unknown_call"`) {
		t.Errorf("ended call: %d %s", code, body)
	}

	// Answer-Mode: refused for ops, relayed for the console's token
	am := `{"target":"` + carol.URI("carol") + `","headers":[{"name":"Answer-Mode","value":"Auto"}]}`
	if code, body := rccDo(t, "POST", base+"/v1/legs", rccOps, am); code != 403 {
		t.Errorf("ops with Answer-Mode: %d %s", code, body)
	}
	if code, body := rccDo(t, "POST", base+"/v1/legs", rccConsole, am); code != 200 {
		t.Fatalf("console with Answer-Mode: %d %s", code, body)
	}
	inv = carol.NextInvite(wait)
	if h := header(inv.Req, "Answer-Mode"); h != "Auto" {
		t.Errorf("INVITE Answer-Mode %q, want Auto", h)
	}
	inv.Reject(486)
}

// onlyOf keeps the items of s that are in set, in order.
func onlyOf(s, set []string) []string {
	var out []string
	for _, x := range s {
		for _, y := range set {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// The gateway as the built-in app "rcc" of plugins.list: the host starts
// it and it serves its document and the calls.
func TestRCCBuiltin(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // free again for the gateway
	n := harness.Start(t, harness.WithConfig(func(c *config.Config) {
		c.Plugins.List = append(c.Plugins.List, host.PluginConfig{Name: "rcc", Kind: host.KindBuiltin, Config: rccConfig(addr)})
	}))
	if st := n.Server.Plugins().Status(); len(st) != 1 || !st[0].Up {
		t.Fatalf("rcc not up: %+v", st)
	}
	base := "http://" + addr
	if code, body := rccDo(t, "GET", base+"/openapi.json", "", ""); code != 200 || !strings.Contains(string(body), `"/v1/legs/{leg_id}/hold"`) {
		t.Errorf("openapi: %d %.200s", code, body)
	}
	if code, body := rccDo(t, "GET", base+"/v1/calls", rccViewer, ""); code != 200 || !strings.Contains(string(body), `"calls":[]`) {
		t.Errorf("list calls: %d %s", code, body)
	}
}
