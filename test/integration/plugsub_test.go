package integration

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// subPlugin answers the SUBSCRIBE decision on the node's NATS with decide
// (nil: no answer) and hands every request it saw to the returned channel.
func subPlugin(t *testing.T, n *harness.Node, decide func(events.SubscribeRequestV1) *events.SubscribeDecisionV1) <-chan events.SubscribeRequestV1 {
	t.Helper()
	nc, err := nats.Connect(n.Server.NATSURL(), nats.Name("test-subscribe-plugin"))
	if err != nil {
		t.Fatalf("plugin connect: %v", err)
	}
	t.Cleanup(nc.Close)
	seen := make(chan events.SubscribeRequestV1, 8)
	_, err = nc.Subscribe(events.DecideSubscribe, func(m *nats.Msg) {
		var req events.SubscribeRequestV1
		if err := json.Unmarshal(m.Data, &req); err != nil {
			t.Errorf("plugin: undecodable subscribe request %s: %v", m.Data, err)
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

// accept is a decision that accepts, capping the expiry at expires (0:
// no cap).
func accept(expires int) func(events.SubscribeRequestV1) *events.SubscribeDecisionV1 {
	return func(events.SubscribeRequestV1) *events.SubscribeDecisionV1 {
		return &events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: expires}
	}
}

// askedSub is the next subscribe request the plugin saw.
func askedSub(t *testing.T, seen <-chan events.SubscribeRequestV1) events.SubscribeRequestV1 {
	t.Helper()
	select {
	case r := <-seen:
		return r
	case <-time.After(wait):
		t.Fatal("the plugin was not asked")
		return events.SubscribeRequestV1{}
	}
}

// watcher is a phone's side of a subscription to an event package a
// plugin serves. test/phone subscribes only to reg; so its reg SUBSCRIBE
// without credentials, which the registrar refuses (the plugin is never
// asked about reg), opens the phone's side of the dialog (Call-ID,
// From-tag, CSeq, the NOTIFYs' routing), and the SUBSCRIBE for the package
// follows in it. Later requests carry Tandem's To-tag themselves.
type watcher struct {
	t     *testing.T
	d     *phone.Dialog
	uri   sip.Uri
	event string
	toTag string
}

// newWatcher opens p's dialog towards resource user at the node.
func newWatcher(t *testing.T, n *harness.Node, p *phone.Phone, user, event string) *watcher {
	t.Helper()
	aor := "sip:" + user + "@" + n.SIPAddr
	res, d := p.Subscribe(n.SIPAddr, aor, p.Name(), "", 600)
	if res.StatusCode < 400 {
		t.Fatalf("reg SUBSCRIBE without credentials: %d, want a refusal", res.StatusCode)
	}
	w := &watcher{t: t, d: d, event: event}
	if err := sip.ParseUri(aor, &w.uri); err != nil {
		t.Fatal(err)
	}
	return w
}

// subscribe sends a SUBSCRIBE for the watcher's package asking for expires
// seconds (out of the dialog until Tandem's To-tag is known).
func (w *watcher) subscribe(expires int) *phone.ClientTx {
	w.t.Helper()
	hdrs := []sip.Header{
		sip.NewHeader("Event", w.event),
		sip.NewHeader("Expires", strconv.Itoa(expires)),
		sip.NewHeader("Accept", "application/conference-info+xml"),
	}
	if w.toTag != "" {
		to := &sip.ToHeader{Address: w.uri}
		to.Params.Add("tag", w.toTag)
		hdrs = append(hdrs, to)
	}
	return w.d.Request(sip.SUBSCRIBE, nil, hdrs...)
}

// accepted checks a 200 to the first SUBSCRIBE and keeps its To-tag.
func (w *watcher) accepted(res *sip.Response, expires string) {
	w.t.Helper()
	if res.StatusCode != 200 {
		w.t.Fatalf("SUBSCRIBE: %d %s, want 200", res.StatusCode, res.Reason)
	}
	w.toTag = phone.ToTag(res)
	if w.toTag == "" || header(res, "Expires") != expires || res.Contact() == nil {
		w.t.Fatalf("200 to SUBSCRIBE: To-tag %q, Expires %q (want %s), Contact %v", w.toTag, header(res, "Expires"), expires, res.Contact())
	}
}

// notify has the plugin send a NOTIFY on the subscription, the way
// legs.request does; it returns the phone's code.
func notify(ctx context.Context, n *harness.Node, subID, state, body string) (int, error) {
	var hdrs []events.HeaderV1
	if state != "" {
		hdrs = append(hdrs, events.HeaderV1{Name: "Subscription-State", Value: state})
	}
	ct := ""
	if body != "" {
		ct = "application/conference-info+xml"
	}
	code, _, err := n.Server.Core().SendRequest(ctx, subID, "", "NOTIFY", hdrs, ct, []byte(body))
	return code, err
}

// notifyAsync is notify on its own goroutine, for a phone that must answer
// first.
func notifyAsync(n *harness.Node, subID, state, body string) <-chan int {
	out := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		code, err := notify(ctx, n, subID, state, body)
		if err != nil {
			code = -2
		}
		out <- code
	}()
	return out
}

// notifyWire is notifyAsync over NATS, as a plugin sends it: the
// legs.request command naming the subscription id.
func notifyWire(t *testing.T, nc *nats.Conn, subID, body string) <-chan int {
	t.Helper()
	data, err := json.Marshal(events.LegsRequestRequestV1{RequestID: "notify-" + subID, LegID: subID, Method: "NOTIFY",
		ContentType: "application/conference-info+xml", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan int, 1)
	go func() {
		code := -2
		if m, err := nc.Request(events.CommandSubject(events.VerbLegsRequest), data, wait); err == nil {
			var rep events.LegsRequestReplyV1
			if json.Unmarshal(m.Data, &rep) == nil && rep.Error == nil {
				code = rep.Code
			}
		}
		out <- code
	}()
	return out
}

// codeOf waits for notifyAsync's code.
func codeOf(t *testing.T, c <-chan int) int {
	t.Helper()
	select {
	case code := <-c:
		return code
	case <-time.After(wait):
		t.Fatal("NOTIFY command did not return")
		return 0
	}
}

// subEvent waits for a subscription event of sub and decodes it into v.
func subEvent(t *testing.T, n *harness.Node, typ, subID string, v any) harness.Event {
	t.Helper()
	e := n.Events.Await(typ, func(e harness.Event) bool { return e.LegID == subID }, wait)
	if err := e.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", typ, err)
	}
	if e.CallID != "" || e.Node != n.Config.Node || !strings.HasSuffix(e.Subject, ".node."+lastToken(e.Subject)) {
		t.Fatalf("subscription event envelope %+v on %s", e.Envelope, e.Subject)
	}
	return e
}

const confInfo = `<?xml version="1.0"?><conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:conf" state="full" version="1"/>`

// A SUBSCRIBE to a package a plugin serves: the plugin, asked with the
// subscription's id, accepts; its NOTIFY sent at once waits for the 200
// and reaches the phone in the dialog; a refresh is capped by the
// decision; a second usage in the dialog gets 603; an unsubscribe gets
// 200, the plugin's last NOTIFY, and ends the subscription.
func TestPlugSubLifecycle(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(300))
	alice := phone.New(t, "alice")
	w := newWatcher(t, n, alice, "conf-1", "conference")

	tx := w.subscribe(600)
	req := askedSub(t, seen)
	if req.Event != "conference" || req.Expires != 600 || !strings.HasPrefix(req.LegID, "s") || req.Type != events.TypeSubscribeRequestV1 ||
		req.RequestURI != w.uri.String() || !strings.Contains(req.From, "alice@") || req.Accept != "application/conference-info+xml" {
		t.Fatalf("subscribe request %+v", req)
	}
	sub := req.LegID
	first := notifyAsync(n, sub, "active;expires=300", confInfo) // before the core has the answer, likely
	w.accepted(tx.Final(wait), "300")

	var created events.SubscriptionCreatedV1
	subEvent(t, n, events.TypeSubscriptionCreatedV1, sub, &created)
	if created.Event != "conference" || created.Expires != 300 || created.SIPCallID != w.d.CallID() || created.RequestURI != w.uri.String() {
		t.Errorf("created %+v", created)
	}

	nt := w.d.ExpectRequest(sip.NOTIFY, wait)
	if header(nt.Req, "Event") != "conference" || header(nt.Req, "Subscription-State") != "active;expires=300" ||
		header(nt.Req, "Content-Type") != "application/conference-info+xml" || string(nt.Body()) != confInfo ||
		phone.FromTag(nt.Req) != w.toTag || nt.Req.Contact() == nil {
		t.Fatalf("NOTIFY:\n%s", nt.Req)
	}
	nt.OK(nil)
	if code := codeOf(t, first); code != 200 {
		t.Fatalf("NOTIFY command: %d, want 200", code)
	}

	// refresh: asks 1000, the decision caps it at 300
	if r := w.subscribe(1000).Final(wait); r.StatusCode != 200 || header(r, "Expires") != "300" {
		t.Fatalf("refresh: %d Expires %q", r.StatusCode, header(r, "Expires"))
	}
	var refreshed events.SubscriptionRefreshedV1
	subEvent(t, n, events.TypeSubscriptionRefreshedV1, sub, &refreshed)
	if refreshed.Expires != 300 {
		t.Errorf("refreshed %+v", refreshed)
	}
	// the NOTIFY after a refresh, over legs.request; without
	// Subscription-State the core says active
	second := notifyWire(t, commandConn(t, n), sub, confInfo)
	nt = w.d.ExpectRequest(sip.NOTIFY, wait)
	if s := header(nt.Req, "Subscription-State"); !strings.HasPrefix(s, "active;expires=") {
		t.Errorf("default Subscription-State %q", s)
	}
	nt.OK(nil)
	if code := codeOf(t, second); code != 200 {
		t.Fatalf("NOTIFY command: %d", code)
	}

	// a second usage in the subscription's dialog
	to := &sip.ToHeader{Address: w.uri}
	to.Params.Add("tag", w.toTag)
	if r := w.d.Request(sip.INVITE, alice.SDP(phone.SendRecv), to).Final(wait); r.StatusCode != 603 {
		t.Errorf("INVITE in the subscription dialog: %d, want 603", r.StatusCode)
	}
	if r := w.d.Request(sip.SUBSCRIBE, nil, to, sip.NewHeader("Event", "dialog"), sip.NewHeader("Expires", "60")).Final(wait); r.StatusCode != 603 {
		t.Errorf("SUBSCRIBE to another package in the subscription dialog: %d, want 603", r.StatusCode)
	}
	// only NOTIFY goes on a subscription
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, _, err := n.Server.Core().SendRequest(ctx, sub, "", "INFO", nil, "", nil); !isCode(err, events.ErrBadRequest) {
		t.Errorf("INFO on a subscription: %v, want bad request", err)
	}

	// unsubscribe, then the plugin's last NOTIFY
	if r := w.subscribe(0).Final(wait); r.StatusCode != 200 || header(r, "Expires") != "0" {
		t.Fatalf("unsubscribe: %d Expires %q", r.StatusCode, header(r, "Expires"))
	}
	subEvent(t, n, events.TypeSubscriptionRefreshedV1, sub, &refreshed)
	last := notifyAsync(n, sub, "terminated;reason=timeout", confInfo)
	nt = w.d.ExpectRequest(sip.NOTIFY, wait)
	nt.OK(nil)
	if code := codeOf(t, last); code != 200 {
		t.Fatalf("last NOTIFY command: %d", code)
	}
	var ended events.SubscriptionEndedV1
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionUnsubscribed || ended.Event != "conference" {
		t.Errorf("ended %+v", ended)
	}
	if _, err := notify(ctx, n, sub, "", ""); !isCode(err, events.ErrUnknownLeg) {
		t.Errorf("NOTIFY after the end: %v, want unknown leg", err)
	}
	if r := w.subscribe(60).Final(wait); r.StatusCode != 481 {
		t.Errorf("refresh after the end: %d, want 481", r.StatusCode)
	}
	w.d.NoRequest()
}

// isCode reports whether err is an events.Error with code.
func isCode(err error, code events.ErrorCode) bool {
	var e *events.Error
	return errors.As(err, &e) && e.Code == code
}

// A plugin's reject is the SUBSCRIBE's answer; default, no answer and no
// plugin at all leave the answer the core gives without plugins (489); the
// reg package is never asked.
func TestPlugSubRefused(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	decisions := map[string]*events.SubscribeDecisionV1{
		"rejected": {Action: events.ActionReject, Code: 403, Reason: "Not Your Conference"},
		"default":  {Action: events.ActionDefault},
	}
	seen := subPlugin(t, n, func(r events.SubscribeRequestV1) *events.SubscribeDecisionV1 {
		return decisions[strings.TrimPrefix(r.Event, "x-")]
	})
	alice := phone.New(t, "alice")
	for _, tc := range []struct {
		event string
		code  int
	}{
		{"x-rejected", 403},
		{"x-default", 489},
	} {
		w := newWatcher(t, n, alice, "conf-2", tc.event)
		if r := w.subscribe(60).Final(wait); r.StatusCode != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.event, r.StatusCode, r.Reason, tc.code)
		} else if tc.code == 403 && r.Reason != "Not Your Conference" {
			t.Errorf("reject reason %q", r.Reason)
		}
		if r := askedSub(t, seen); r.Event != tc.event {
			t.Errorf("asked about %q, want %q (reg is never asked)", r.Event, tc.event)
		}
	}

	// nobody listens on the decision
	bare := harness.Start(t)
	w := newWatcher(t, bare, alice, "conf-3", "conference")
	if r := w.subscribe(60).Final(wait); r.StatusCode != 489 {
		t.Errorf("no plugin: %d, want 489", r.StatusCode)
	}
}

// A NOTIFY answered 481 ends the subscription (RFC 5057: it destroys the
// usage); the command returns the 481.
func TestPlugSubNotifyFailure(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(0))
	alice := phone.New(t, "alice")
	w := newWatcher(t, n, alice, "conf-4", "conference")
	tx := w.subscribe(600)
	sub := askedSub(t, seen).LegID
	w.accepted(tx.Final(wait), "600")

	res := notifyAsync(n, sub, "active;expires=600", confInfo)
	w.d.ExpectRequest(sip.NOTIFY, wait).Respond(481, nil)
	if code := codeOf(t, res); code != 481 {
		t.Fatalf("NOTIFY command: %d, want 481", code)
	}
	var ended events.SubscriptionEndedV1
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionFailed || ended.Code != 481 {
		t.Errorf("ended %+v", ended)
	}
	if r := w.subscribe(600).Final(wait); r.StatusCode != 481 {
		t.Errorf("refresh after the failure: %d, want 481", r.StatusCode)
	}
}

// A subscription the plugin caps at one second expires: the core sends the
// terminal NOTIFY itself. A fetch (Expires: 0) lives for the plugin's one
// NOTIFY, whose Subscription-State the core fills in.
func TestPlugSubExpiryAndFetch(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(1))
	alice := phone.New(t, "alice")

	w := newWatcher(t, n, alice, "conf-5", "conference")
	tx := w.subscribe(600)
	sub := askedSub(t, seen).LegID
	w.accepted(tx.Final(wait), "1")
	nt := w.d.ExpectRequest(sip.NOTIFY, wait) // the core's, at expiry
	nt.OK(nil)
	if s := header(nt.Req, "Subscription-State"); s != "terminated;reason=timeout" || len(nt.Body()) != 0 || header(nt.Req, "Event") != "conference" {
		t.Errorf("terminal NOTIFY at expiry: %q:\n%s", s, nt.Req)
	}
	var ended events.SubscriptionEndedV1
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionExpired {
		t.Errorf("ended %+v", ended)
	}

	f := newWatcher(t, n, alice, "conf-6", "conference")
	tx = f.subscribe(0)
	sub = askedSub(t, seen).LegID
	f.accepted(tx.Final(wait), "0")
	var created events.SubscriptionCreatedV1
	subEvent(t, n, events.TypeSubscriptionCreatedV1, sub, &created)
	if created.Expires != 0 {
		t.Errorf("fetch created %+v", created)
	}
	res := notifyAsync(n, sub, "", confInfo)
	nt = f.d.ExpectRequest(sip.NOTIFY, wait)
	nt.OK(nil)
	if s := header(nt.Req, "Subscription-State"); s != "terminated;reason=timeout" || string(nt.Body()) != confInfo {
		t.Errorf("fetch NOTIFY %q:\n%s", s, nt.Req)
	}
	if code := codeOf(t, res); code != 200 {
		t.Errorf("fetch NOTIFY command: %d", code)
	}
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionExpired {
		t.Errorf("fetch ended %+v", ended)
	}
}

// A SUBSCRIBE inside a call leg is a second usage: 603, and the plugin is
// not asked.
func TestPlugSubInCallLeg(t *testing.T) {
	t.Parallel()
	n, a, b := setup(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(0))
	c, in := connect(t, n, a, b)
	if r := c.Request(sip.SUBSCRIBE, nil, sip.NewHeader("Event", "conference"), sip.NewHeader("Expires", "60")).Final(wait); r.StatusCode != 603 {
		t.Errorf("SUBSCRIBE in a call leg: %d, want 603", r.StatusCode)
	}
	select {
	case r := <-seen:
		t.Errorf("plugin asked about %+v", r)
	default:
	}
	hangup(t, c, in)
}

// A NOTIFY whose Subscription-State the plugin sets to terminated ends the
// subscription as it leaves.
func TestPlugSubTerminatedByPlugin(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(0))
	alice := phone.New(t, "alice")
	w := newWatcher(t, n, alice, "conf-7", "conference")
	tx := w.subscribe(120)
	sub := askedSub(t, seen).LegID
	w.accepted(tx.Final(wait), "120")

	res := notifyAsync(n, sub, "terminated;reason=noresource", "")
	nt := w.d.ExpectRequest(sip.NOTIFY, wait)
	nt.OK(nil)
	if s := header(nt.Req, "Subscription-State"); s != "terminated;reason=noresource" {
		t.Errorf("NOTIFY state %q", s)
	}
	if code := codeOf(t, res); code != 200 {
		t.Errorf("NOTIFY command: %d", code)
	}
	var ended events.SubscriptionEndedV1
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionTerminated {
		t.Errorf("ended %+v", ended)
	}
	if r := w.subscribe(120).Final(wait); r.StatusCode != 481 {
		t.Errorf("refresh after the end: %d, want 481", r.StatusCode)
	}
}

// An unsubscribe the plugin does not follow with a last NOTIFY: after the
// grace the core sends a body-less terminal NOTIFY itself.
func TestPlugSubUnsubscribeWithoutNotify(t *testing.T) {
	t.Parallel()
	n := harness.Start(t, deadline(2*time.Second))
	seen := subPlugin(t, n, accept(0))
	alice := phone.New(t, "alice")
	w := newWatcher(t, n, alice, "conf-8", "conference")
	tx := w.subscribe(120)
	sub := askedSub(t, seen).LegID
	w.accepted(tx.Final(wait), "120")

	if r := w.subscribe(0).Final(wait); r.StatusCode != 200 || header(r, "Expires") != "0" {
		t.Fatalf("unsubscribe: %d Expires %q", r.StatusCode, header(r, "Expires"))
	}
	nt := w.d.ExpectRequest(sip.NOTIFY, wait)
	nt.OK(nil)
	if s := header(nt.Req, "Subscription-State"); s != "terminated;reason=timeout" || len(nt.Body()) != 0 {
		t.Errorf("core's terminal NOTIFY %q:\n%s", s, nt.Req)
	}
	var ended events.SubscriptionEndedV1
	subEvent(t, n, events.TypeSubscriptionEndedV1, sub, &ended)
	if ended.Reason != events.SubscriptionUnsubscribed {
		t.Errorf("ended %+v", ended)
	}
}
