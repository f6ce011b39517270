package dialogevent

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

func newTestApp(t *testing.T, cfg Config) (*app, *fakeCore) {
	t.Helper()
	w, err := cfg.compile()
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); f.wg.Wait() })
	return newApp(slog.New(slog.DiscardHandler), w, cfg.MaxExpires, f.send, f.spawn(ctx)), f
}

func subscribeReq(id, ruri, from string, expires int, accept string) events.SubscribeRequestV1 {
	r := events.SubscribeRequestV1{Event: EventPackage, RequestURI: ruri, From: from, Expires: expires, Accept: accept}
	r.Type, r.LegID = events.TypeSubscribeRequestV1, id
	return r
}

func TestDecide(t *testing.T) {
	ap, f := newTestApp(t, Config{Watchers: map[string][]string{"sip:bob@x.example": {"sip:reception@x.example"}}, MaxExpires: 300})
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		req  events.SubscribeRequestV1
		want events.SubscribeDecisionV1
	}{
		{"another package", func() events.SubscribeRequestV1 {
			r := subscribeReq("s1", "sip:bob@x.example", "sip:reception@x.example", 600, "")
			r.Event = "presence"
			return r
		}(), events.SubscribeDecisionV1{Action: events.ActionDefault}},
		{"unauthorized", subscribeReq("s2", "sip:bob@x.example", "sip:mallory@x.example", 600, ""),
			events.SubscribeDecisionV1{Action: events.ActionReject, Code: 403, Reason: "Forbidden"}},
		{"no user", subscribeReq("s3", "sip:x.example", "sip:reception@x.example", 600, ""),
			events.SubscribeDecisionV1{Action: events.ActionReject, Code: 404, Reason: "Not Found"}},
		{"bad From", subscribeReq("s4", "sip:bob@x.example", "garbage", 600, ""),
			events.SubscribeDecisionV1{Action: events.ActionReject, Code: 403, Reason: "Forbidden"}},
		{"not acceptable", subscribeReq("s5", "sip:bob@x.example", "sip:reception@x.example", 600, "application/pidf+xml"),
			events.SubscribeDecisionV1{Action: events.ActionReject, Code: 406, Reason: "Not Acceptable"}},
		{"watcher", subscribeReq("s6", "sip:bob@x.example:5060", "sip:reception@x.example", 600, ContentType),
			events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: 300}},
		{"itself", func() events.SubscribeRequestV1 {
			r := subscribeReq("s7", "sip:bob@x.example", "sips:bob@X.example", 600, "")
			r.Event = "Dialog"
			return r
		}(), events.SubscribeDecisionV1{Action: events.ActionAccept, Expires: 300}},
	} {
		got, err := ap.decide(ctx, tt.req)
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	if _, err := ap.decide(ctx, subscribeReq("", "sip:bob@x.example", "sip:bob@x.example", 600, "")); err == nil {
		t.Error("a request without an id is answered")
	}
	// the two accepted ones got their full state, version 0
	for range 2 {
		if s := f.next(); s.version != "0" || !s.full || (s.id != "s6" && s.id != "s7") {
			t.Errorf("first NOTIFY %+v", s)
		}
		f.release <- struct{}{}
	}
	if len(ap.subs) != 2 || len(ap.byAOR) != 1 {
		t.Errorf("subs %v by AOR %v", ap.subs, ap.byAOR)
	}
}

// A subscription sees its AOR's calls: the full state when it starts,
// each change, a refresh's full state without the dialogs reported
// terminated, and nothing after it ended.
func TestAppNotifies(t *testing.T) {
	ap, f := newTestApp(t, Config{})
	ctx := context.Background()
	deliver := func(evs ...events.Event) {
		for _, ev := range evs {
			ap.onCallEvent(ctx, ev)
		}
	}
	expect := func(version string, full bool, dialogs string) sent {
		t.Helper()
		s := f.next()
		got := make([]string, len(s.dialogIDs))
		for i := range got {
			got[i] = s.dialogIDs[i] + "=" + s.states[i]
		}
		if s.version != version || s.full != full || strings.Join(got, " ") != dialogs {
			t.Fatalf("NOTIFY %+v, want version %s full %v dialogs %q", s, version, full, dialogs)
		}
		f.release <- struct{}{}
		return s
	}
	// a call up before the subscription
	deliver(callCreated("c1", alice, bobTo), legCreated("c1", "c1-a", a, "sip:alice@x.example"), legCreated("c1", "c1-b1", b, "sip:bob@h"))
	if d, err := ap.decide(ctx, subscribeReq("s1", bobTo, bobTo, 600, "")); err != nil || d.Action != events.ActionAccept {
		t.Fatalf("%+v %v", d, err)
	}
	expect("0", true, "c1-b1=trying")
	deliver(ringing("c1", "c1-b1"))
	expect("1", false, "c1-b1=early")
	deliver(answered("c1", "c1-b1", b), answered("c1", "c1-a", a), connected("c1"))
	expect("2", false, "c1-b1=confirmed")
	deliver(legEnded("c1", "c1-b1", b, 200, "bye"), legEnded("c1", "c1-a", a, 200, "bye"), callEnded("c1", a, 200, "bye"))
	expect("3", false, "c1-b1=terminated")

	refreshed := &events.SubscriptionRefreshedV1{Event: EventPackage, Expires: 600}
	refreshed.LegID = "s1"
	ap.onRefreshed(ctx, refreshed)
	expect("4", true, "")

	// a fetch: one NOTIFY, terminated, then gone
	if d, _ := ap.decide(ctx, subscribeReq("s2", bobTo, bobTo, 0, "")); d.Action != events.ActionAccept {
		t.Fatalf("fetch: %+v", d)
	}
	if s := expect("0", true, ""); s.id != "s2" || s.state != stateEnded {
		t.Fatalf("fetch NOTIFY %+v", s)
	}

	// unsubscribe: the full state as the last NOTIFY
	refreshed.Expires = 0
	ap.onRefreshed(ctx, refreshed)
	if s := expect("5", true, ""); s.state != stateEnded {
		t.Fatalf("last NOTIFY %+v", s)
	}
	f.wg.Wait()
	ap.mu.Lock()
	n := len(ap.subs)
	ap.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d subscriptions left", n)
	}
	deliver(callCreated("c2", alice, bobTo), legCreated("c2", "c2-b1", b, "sip:bob@h"))
	f.wg.Wait()
	f.none()
}

// The core's ended event drops a subscription.
func TestAppEnded(t *testing.T) {
	ap, f := newTestApp(t, Config{})
	ctx := context.Background()
	if d, _ := ap.decide(ctx, subscribeReq("s1", bobTo, bobTo, 600, "")); d.Action != events.ActionAccept {
		t.Fatal(d)
	}
	f.next()
	f.release <- struct{}{}
	ended := &events.SubscriptionEndedV1{Event: EventPackage, Reason: events.SubscriptionExpired}
	ended.LegID = "s1"
	ap.onEnded(ctx, ended)
	ap.onCallEvent(ctx, callCreated("c1", alice, bobTo))
	ap.onCallEvent(ctx, legCreated("c1", "c1-b1", b, "sip:bob@h"))
	f.wg.Wait()
	f.none()
	if len(ap.subs) != 0 || len(ap.byAOR) != 0 {
		t.Fatalf("subs %v by AOR %v", ap.subs, ap.byAOR)
	}
}
