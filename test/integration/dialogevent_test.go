package integration

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/host"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
)

// withDialogEvent runs the built-in dialog event package
// (apps/rcc/dialogevent) with cfg on the node's NATS, as plugins.list
// configures it, and gives it time to answer even on a loaded machine
// (route_deadline bounds the wait for the subscribe decision; the answer
// ends it).
func withDialogEvent(cfg map[string]any) harness.Option {
	return harness.WithConfig(func(c *config.Config) {
		c.Plugins.List = append(c.Plugins.List, host.PluginConfig{
			Name: "dialog-event", Kind: host.KindBuiltin, Decisions: []string{"subscribe"}, Config: cfg,
		})
		c.RouteDeadline = wait
	})
}

// dialogInfo is a dialog-info document (RFC 4235 §4.1) as a watcher reads
// it.
type dialogInfo struct {
	XMLName xml.Name
	Version int    `xml:"version,attr"`
	State   string `xml:"state,attr"`
	Entity  string `xml:"entity,attr"`
	Dialogs []struct {
		ID        string `xml:"id,attr"`
		CallID    string `xml:"call-id,attr"`
		Direction string `xml:"direction,attr"`
		State     struct {
			Event string `xml:"event,attr"`
			Code  int    `xml:"code,attr"`
			Value string `xml:",chardata"`
		} `xml:"state"`
		Local struct {
			Identity string `xml:"identity"`
			Target   struct {
				URI string `xml:"uri,attr"`
			} `xml:"target"`
		} `xml:"local"`
		Remote struct {
			Identity string `xml:"identity"`
		} `xml:"remote"`
	} `xml:"dialog"`
}

// nextDialogInfo takes the next NOTIFY in the watcher's dialog, checks its
// headers, answers it and returns its document and Subscription-State.
func nextDialogInfo(t *testing.T, d *phone.Dialog) (dialogInfo, string) {
	t.Helper()
	r := d.ExpectRequest(sip.NOTIFY, wait)
	r.OK(nil)
	if ev, ct := header(r.Req, "Event"), header(r.Req, "Content-Type"); ev != "dialog" || ct != "application/dialog-info+xml" {
		t.Fatalf("NOTIFY Event %q, Content-Type %q:\n%s", ev, ct, r.Req)
	}
	var info dialogInfo
	if err := xml.Unmarshal(r.Body(), &info); err != nil {
		t.Fatalf("NOTIFY body: %v\n%s", err, r.Body())
	}
	if info.XMLName.Space != "urn:ietf:params:xml:ns:dialog-info" || info.XMLName.Local != "dialog-info" {
		t.Fatalf("NOTIFY body is not a dialog-info document:\n%s", r.Body())
	}
	return info, header(r.Req, "Subscription-State")
}

// expectDialog takes the next NOTIFY: a partial document of one more
// version than prev, about one dialog in state (with event and code when
// terminated), whose direction is dir. It returns the document.
func expectDialog(t *testing.T, d *phone.Dialog, prev int, state, event string, code int, dir string) dialogInfo {
	t.Helper()
	info, sub := nextDialogInfo(t, d)
	if info.Version != prev+1 || info.State != "partial" || len(info.Dialogs) != 1 || !strings.HasPrefix(sub, "active") {
		t.Fatalf("NOTIFY %+v (%s): want version %d, partial, one dialog", info, sub, prev+1)
	}
	dl := info.Dialogs[0]
	if dl.State.Value != state || dl.State.Event != event || dl.State.Code != code || dl.Direction != dir || dl.ID == "" || dl.CallID == "" {
		t.Fatalf("dialog %+v: want %s (event %q code %d), direction %s", dl, state, event, code, dir)
	}
	return info
}

// A receptionist watches bob's AOR: the full state, empty; alice calls
// bob: bob's dialog (recipient, alice the remote party) goes trying, early
// on the 180, confirmed, then terminated by alice's BYE (remote-bye), each
// NOTIFY one version more; a refresh's full state no longer has it. Bob
// may fetch his own state; mallory, whom nobody allowed, gets 403.
func TestDialogEventBusyLamp(t *testing.T) {
	t.Parallel()
	b := phone.New(t, "bob")
	n := harness.Start(t, routeTo(b), withDialogEvent(map[string]any{
		"watchers": map[string]any{"sip:bob@127.0.0.1": []any{"sip:reception@127.0.0.1"}},
	}))
	a := phone.New(t, "alice")
	reception := phone.New(t, "reception")

	res, w := reception.SubscribeEvent(target(n, "bob"), "dialog", 600, sip.NewHeader("Accept", "application/dialog-info+xml"))
	if res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %d %s, want 200", res.StatusCode, res.Reason)
	}
	full, sub := nextDialogInfo(t, w)
	if full.Version != 0 || full.State != "full" || len(full.Dialogs) != 0 || !strings.Contains(full.Entity, "bob@") || !strings.HasPrefix(sub, "active") {
		t.Fatalf("first NOTIFY %+v (%s): want version 0, full, no dialogs", full, sub)
	}

	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	trying := expectDialog(t, w, 0, "trying", "", 0, "recipient")
	dl := trying.Dialogs[0]
	if !strings.HasPrefix(dl.Remote.Identity, "sip:alice@") || !strings.HasPrefix(dl.Local.Identity, "sip:bob@") ||
		!strings.Contains(dl.Local.Target.URI, b.Addr()) {
		t.Errorf("bob's dialog: local %+v remote %+v; want bob (at his phone) talking to alice", dl.Local, dl.Remote)
	}
	in.Ringing()
	c.Expect(180, wait)
	early := expectDialog(t, w, 1, "early", "", 0, "recipient")
	in.Answer(b.SDP(phone.SendRecv))
	c.Expect(200, wait)
	c.Ack()
	in.ExpectRequest(sip.ACK, wait)
	confirmed := expectDialog(t, w, 2, "confirmed", "", 0, "recipient")
	hangup(t, c, in)
	ended := expectDialog(t, w, 3, "terminated", "remote-bye", 0, "recipient")
	for _, info := range []dialogInfo{early, confirmed, ended} {
		if info.Dialogs[0].ID != dl.ID || info.Dialogs[0].CallID != dl.CallID {
			t.Errorf("dialog %s (%s), want the same one as %s (%s)", info.Dialogs[0].ID, info.Dialogs[0].CallID, dl.ID, dl.CallID)
		}
	}

	// a refresh gets the full state: the terminated dialog is gone
	if res := w.Request(sip.SUBSCRIBE, nil, sip.NewHeader("Event", "dialog"), sip.NewHeader("Expires", "600")).Final(wait); res.StatusCode != 200 {
		t.Fatalf("refresh: %d %s", res.StatusCode, res.Reason)
	}
	if info, _ := nextDialogInfo(t, w); info.Version != 5 || info.State != "full" || len(info.Dialogs) != 0 {
		t.Fatalf("NOTIFY after the refresh %+v: want version 5, full, no dialogs", info)
	}

	// bob may watch himself: a fetch, one NOTIFY that ends it
	res, own := b.SubscribeEvent(target(n, "bob"), "dialog", 0)
	if res.StatusCode != 200 {
		t.Fatalf("bob's fetch: %d %s, want 200", res.StatusCode, res.Reason)
	}
	if info, sub := nextDialogInfo(t, own); info.Version != 0 || info.State != "full" || !strings.HasPrefix(sub, "terminated") {
		t.Fatalf("fetch NOTIFY %+v (%s): want version 0, full, terminated", info, sub)
	}

	mallory := phone.New(t, "mallory")
	if res, _ := mallory.SubscribeEvent(target(n, "bob"), "dialog", 600); res.StatusCode != 403 {
		t.Fatalf("mallory's SUBSCRIBE: %d %s, want 403", res.StatusCode, res.Reason)
	}
}

// An operator allowed to watch everyone watches alice: her call to a busy
// bob is hers as initiator (bob the remote party): trying, proceeding once
// routed, early on bob's 180, then terminated, rejected with bob's 486.
func TestDialogEventCallerRejected(t *testing.T) {
	t.Parallel()
	b := phone.New(t, "bob")
	n := harness.Start(t, routeTo(b), withDialogEvent(map[string]any{
		"watchers": map[string]any{"*": []any{"sip:operator@127.0.0.1"}},
	}))
	a := phone.New(t, "alice")
	operator := phone.New(t, "operator")

	res, w := operator.SubscribeEvent(target(n, "alice"), "dialog", 600)
	if res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %d %s, want 200", res.StatusCode, res.Reason)
	}
	if full, _ := nextDialogInfo(t, w); full.Version != 0 || full.State != "full" || len(full.Dialogs) != 0 {
		t.Fatalf("first NOTIFY %+v", full)
	}

	c := a.Invite(target(n, "bob"))
	in := b.NextInvite(wait)
	trying := expectDialog(t, w, 0, "trying", "", 0, "initiator")
	if dl := trying.Dialogs[0]; dl.CallID != c.CallID() || !strings.HasPrefix(dl.Local.Identity, "sip:alice@") || !strings.HasPrefix(dl.Remote.Identity, "sip:bob@") {
		t.Errorf("alice's dialog %+v: want her Call-ID %s, alice talking to bob", dl, c.CallID())
	}
	expectDialog(t, w, 1, "proceeding", "", 0, "initiator")
	in.Ringing()
	c.Expect(180, wait)
	expectDialog(t, w, 2, "early", "", 0, "initiator")
	in.Reject(486)
	c.Expect(486, wait)
	expectDialog(t, w, 3, "terminated", "rejected", 486, "initiator")
}
