package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/nats-io/nats.go"
	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/test/harness"
	"github.com/tandem-sip/tandem/test/phone"
	"github.com/tandem-sip/tandem/test/shellwords"
)

// The examples of README.md, run: every line of its ```sh blocks is a
// tandemctl command, an export of a variable, or a comment. TestREADME
// runs the commands in order against a live node, each after the setup
// its step makes, while the step drives the phones; a command must exit
// with the code its comment states ("# exit 1: ..."), else 0.

// example is one line of README.md's ```sh blocks.
type example struct {
	lineNo int
	line   string // without its comment
	code   int    // the exit code the comment states; 0 if it states none
	export string // NAME=value of an "export" line; then line is not a command
}

var exitComment = regexp.MustCompile(`^exit (\d+)\b`)

// readmeExamples reads the ```sh blocks of a markdown file (only the part
// after the heading section, when not empty, up to the next heading of its
// level).
func readmeExamples(t *testing.T, file, section string) []example {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if section != "" {
		_, rest, ok := strings.Cut(text, "\n"+section+"\n")
		if !ok {
			t.Fatalf("%s: no section %q", file, section)
		}
		level := section[:strings.IndexByte(section, ' ')+1]
		text, _, _ = strings.Cut(rest, "\n"+level)
	}
	var (
		out     []example
		inBlock bool
		n       int
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		n++
		raw := sc.Text()
		if strings.HasPrefix(raw, "```") {
			inBlock = !inBlock && raw == "```sh"
			continue
		}
		if !inBlock {
			continue
		}
		line, comment := splitComment(raw)
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ex := example{lineNo: n, line: line}
		if m := exitComment.FindStringSubmatch(strings.TrimSpace(comment)); m != nil {
			ex.code, _ = strconv.Atoi(m[1])
		}
		switch {
		case strings.HasPrefix(line, "export "):
			ex.export = strings.TrimPrefix(line, "export ")
			if !strings.Contains(ex.export, "=") {
				t.Fatalf("%s:%d: export without a value: %q", file, n, raw)
			}
		case strings.HasPrefix(line, "tandemctl "):
		default:
			t.Fatalf("%s:%d: a line of a sh block that is neither a tandemctl command nor an export: %q", file, n, raw)
		}
		out = append(out, ex)
	}
	return out
}

// splitComment splits a shell line at its comment: a # that starts a word
// outside quotes.
func splitComment(line string) (string, string) {
	var quote rune
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return line[:i], line[i+1:]
		}
		prev = r
	}
	return line, ""
}

func TestSplitCommentAndShellWords(t *testing.T) {
	line, comment := splitComment(`tandemctl legs dtmf $LEG 1234# --x 'a # b' "c # d"   # exit 1: no`)
	if line != `tandemctl legs dtmf $LEG 1234# --x 'a # b' "c # d"   ` || comment != " exit 1: no" {
		t.Errorf("splitComment = %q, %q", line, comment)
	}
	got, err := shellwords.Split(`tandemctl --body 'x $A' --reason "busy $A" $A/b.wav ''`, map[string]string{"A": "a1"})
	want := []string{"tandemctl", "--body", "x $A", "--reason", "busy a1", "a1/b.wav", ""}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shellWords = %q, %v; want %q", got, err, want)
	}
	if _, err := shellwords.Split(`tandemctl $NOPE`, nil); err == nil {
		t.Error("an unset variable expanded")
	}
}

// step is what the test does for one README command: before sets up what
// it needs (and the placeholders), during drives the phones while it runs
// (on the test's goroutine), after checks what it did and cleans up.
type step struct {
	line   string // the README line it runs, without its comment
	before func()
	during func(stderr *syncBuffer)
	after  func(r result)
}

// exWait bounds every wait for a message, an event or a command; nothing
// waits for it to pass.
const exWait = 5 * time.Second

// walk is the live world the examples run in.
type walk struct {
	t                 *testing.T
	n                 *harness.Node
	alice, bob, carol *phone.Phone
	vars              map[string]string // placeholders and shell variables
	exported          map[string]string // the environment tandemctl sees
}

// TestREADME runs every example of README.md, in order, against a live
// node: node tandem-1 with the registrar (domain example.test), every
// user routed to bob's phone, and a routing plugin that parks calls to
// user "park" for controller ops.
func TestREADME(t *testing.T) {
	examples := readmeExamples(t, "README.md", "")
	bob := phone.New(t, "bob")
	n := harness.Start(t,
		harness.WithRoutes(b2bua.Route{Name: "all", User: "^(.*)$", Target: "sip:$1@" + bob.Addr()}),
		harness.WithConfig(func(c *config.Config) {
			c.Node = "tandem-1"
			c.RouteDeadline = exWait // the plugin answers at once; this only bounds the wait
			c.Registrar.Enabled = true
			c.Registrar.Domains = []string{"example.test"}
			c.Registrar.Auth.Users = append(c.Registrar.Auth.Users, exampleUser("bob", "secret"))
		}))
	w := &walk{
		t: t, n: n, alice: phone.New(t, "alice"), bob: bob, carol: phone.New(t, "carol"),
		exported: map[string]string{},
	}
	w.vars = map[string]string{
		"NATS":       n.Server.NATSURL(),
		"ALICE":      w.alice.URI("alice"),
		"BOB":        w.bob.URI("bob"),
		"CAROL":      w.carol.URI("carol"),
		"RECORDINGS": t.TempDir(),
	}
	w.parkPlugin()

	steps := w.steps()
	next := 0
	for _, ex := range examples {
		if ex.export != "" {
			name, value, _ := strings.Cut(ex.export, "=")
			words, err := shellwords.Split(value, w.vars)
			if err != nil || len(words) != 1 {
				t.Fatalf("README.md:%d: export %s: %q %v", ex.lineNo, ex.export, words, err)
			}
			w.vars[name], w.exported[name] = words[0], words[0]
			continue
		}
		if next == len(steps) {
			t.Fatalf("README.md:%d: %q: the test has no step for it (it has %d steps)", ex.lineNo, ex.line, len(steps))
		}
		s := steps[next]
		next++
		if s.line != ex.line {
			t.Fatalf("README.md:%d: %q: the test's step %d is for %q; the README and the steps must list the same commands in the same order",
				ex.lineNo, ex.line, next, s.line)
		}
		w.run(ex, s)
	}
	if next != len(steps) {
		t.Fatalf("the test's steps from %q on have no README line", steps[next].line)
	}
}

// run runs one example as its step says.
func (w *walk) run(ex example, s step) {
	t := w.t
	t.Helper()
	t.Logf("README.md:%d: %s", ex.lineNo, ex.line)
	if s.before != nil {
		s.before()
	}
	words, err := shellwords.Split(ex.line, w.vars)
	if err != nil {
		t.Fatalf("README.md:%d: %v", ex.lineNo, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel() // ends the command if the step fails the test
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, words[1:], stdout, stderr, func(k string) string { return w.exported[k] })
	}()
	if s.during != nil {
		s.during(stderr)
	}
	var code int
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("README.md:%d: %s: still running after 20s; stdout %q stderr %q", ex.lineNo, ex.line, stdout.String(), stderr.String())
	}
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	t.Logf("→ exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	if r.code != ex.code {
		t.Fatalf("README.md:%d: %s: exit %d, want %d; stderr %q", ex.lineNo, ex.line, r.code, ex.code, r.stderr)
	}
	if s.after != nil {
		s.after(r)
	}
}

// exampleUser is a registrar account (the registrar's config type is
// internal to b2bua: an identical struct type is assignable to it).
func exampleUser(user, password string) (u struct {
	User      string   `yaml:"user"`
	Password  string   `yaml:"password"`
	HA1       string   `yaml:"ha1"`
	HA1SHA256 string   `yaml:"ha1_sha256"`
	AORs      []string `yaml:"aors"`
}) {
	u.User, u.Password = user, password
	return u
}

// parkPlugin answers the route decision: calls to user "park" are parked
// for controller ops, the others go by the static route.
func (w *walk) parkPlugin() {
	t := w.t
	nc, err := nats.Connect(w.n.Server.NATSURL(), nats.Name("readme-routing-plugin"))
	if err != nil {
		t.Fatalf("plugin connect: %v", err)
	}
	t.Cleanup(nc.Close)
	_, err = nc.Subscribe(events.DecideRoute, func(m *nats.Msg) {
		var req events.RouteRequestV1
		d := events.RouteDecisionV1{Action: events.RouteDefault}
		if json.Unmarshal(m.Data, &req) == nil && req.User == "park" {
			d = events.RouteDecisionV1{Action: events.RoutePark, Controller: "ops"}
		}
		data, _ := json.Marshal(d)
		_ = m.Respond(data)
	})
	if err != nil {
		t.Fatalf("plugin subscribe: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("plugin flush: %v", err)
	}
}

// target is a URI for user at the node.
func (w *walk) target(user string) string { return "sip:" + user + "@" + w.n.SIPAddr }

// callOf is Tandem's id of the call whose A leg has SIP Call-ID sipCallID.
func (w *walk) callOf(sipCallID string) string {
	w.t.Helper()
	return w.n.Events.Await(events.TypeLegCreatedV1, func(e harness.Event) bool {
		var lc events.LegCreatedV1
		return e.Decode(&lc) == nil && lc.Side == events.SideA && lc.SIPCallID == sipCallID
	}, exWait).CallID
}

// connect has from call bob through the node; bob answers. It sets $CALL,
// $LEG_A and $LEG_B and returns the two dialogs and the call id.
func (w *walk) connect(from *phone.Phone) (*phone.Call, *phone.Incoming, string) {
	w.t.Helper()
	c := from.Invite(w.target("bob"))
	in := w.bob.NextInvite(exWait)
	in.Ringing()
	c.Expect(180, exWait)
	in.Answer(w.bob.SDP(phone.SendRecv))
	c.Expect(200, exWait)
	c.Ack()
	in.ExpectRequest(sip.ACK, exWait)
	id := w.callOf(c.CallID())
	w.vars["CALL"], w.vars["LEG_A"], w.vars["LEG_B"] = id, id+"-a", id+"-b1"
	return c, in, id
}

// park has alice call sip:park@ the node, which parks the call; it sets
// $PARKED.
func (w *walk) park() (*phone.Call, string) {
	w.t.Helper()
	c := w.alice.Invite(w.target("park"))
	id := w.callOf(c.CallID())
	w.await(events.TypeCallParkedV1, id, "")
	w.vars["PARKED"] = id + "-a"
	return c, id
}

// await waits for an event of typ of call (when not "") and leg (when not "").
func (w *walk) await(typ, call, leg string) harness.Event {
	w.t.Helper()
	return w.n.Events.Await(typ, func(e harness.Event) bool {
		return (call == "" || e.CallID == call) && (leg == "" || e.LegID == leg)
	}, exWait)
}

// hangup hangs up a call through the core; each dialog gets its BYE.
func (w *walk) hangup(id string, ds ...*phone.Dialog) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exWait)
	defer cancel()
	if err := w.n.Server.Core().HangupCall(ctx, id, 0, "readme test"); err != nil {
		w.t.Fatalf("hang up %s: %v", id, err)
	}
	for _, d := range ds {
		d.ExpectRequest(sip.BYE, exWait).OK(nil)
	}
	w.n.Events.AwaitCallEnd(id, exWait)
}

// referNotify sends a refer NOTIFY with a sipfrag of code in d.
func (w *walk) referNotify(d *phone.Dialog, code int, terminated bool) {
	w.t.Helper()
	state := "active;expires=60"
	if terminated {
		state = "terminated;reason=noresource"
	}
	d.Request(sip.NOTIFY, []byte("SIP/2.0 "+strconv.Itoa(code)+" X\r\n"),
		sip.NewHeader("Event", "refer"), sip.NewHeader("Subscription-State", state),
		sip.NewHeader("Content-Type", "message/sipfrag;version=2.0")).Expect(200, exWait)
}

// expectReinvite reads a re-INVITE in d, checks its offer's direction
// (any when dir is "") and answers it with p's
// SDP of answer, then reads the ACK and returns its body.
func (w *walk) expectReinvite(d *phone.Dialog, p *phone.Phone, dir, answer string) []byte {
	w.t.Helper()
	re := d.ExpectRequest(sip.INVITE, exWait)
	if got := phone.Direction(re.Body()); dir != "" && got != dir {
		w.t.Errorf("%s re-INVITEd with a=%s, want a=%s", p.Name(), got, dir)
	}
	re.OK(p.SDP(answer))
	return d.ExpectRequest(sip.ACK, exWait).Body()
}

// bridged answers the re-INVITEs of a bridge of x's leg and y's (RFC 3725
// flow III): an offerless one to x, whose offer goes to y, whose answer
// returns in x's ACK.
func (w *walk) bridged(x *phone.Dialog, xp *phone.Phone, y *phone.Dialog, yp *phone.Phone) {
	w.t.Helper()
	re := x.ExpectRequest(sip.INVITE, exWait)
	if len(re.Body()) != 0 {
		w.t.Errorf("%s's re-INVITE carries an offer:\n%s", xp.Name(), re.Body())
	}
	re.OK(xp.SDP(phone.SendRecv))
	w.expectReinvite(y, yp, phone.SendRecv, phone.SendRecv)
	if ack := x.ExpectRequest(sip.ACK, exWait); len(ack.Body()) == 0 {
		w.t.Errorf("%s's ACK carries no answer", xp.Name())
	}
}

// contains fails the test unless s contains each of subs.
func (w *walk) contains(what, s string, subs ...string) {
	w.t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			w.t.Errorf("%s %q does not contain %q", what, s, sub)
		}
	}
}

var (
	originatedLine = regexp.MustCompile(`^leg (\S+): calling \S+ \(call (\S+)\)`)
	callOrigLine   = regexp.MustCompile(`^call (\S+): calling \S+ \(leg (\S+)\), then \S+`)
	referLine      = regexp.MustCompile(`^refer (\S+): sip:bob@example.test accepted to call sip:carol@`)
	fallbackLine   = regexp.MustCompile(`^call (\S+): sip:bob@example.test refused the REFER \(501\); calling it \(leg (\S+), Answer-Mode: Auto\), then sip:carol@`)
)

// match returns re's submatches in s, failing the test without a match.
func (w *walk) match(re *regexp.Regexp, s string) []string {
	w.t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		w.t.Fatalf("%q does not match %s", s, re)
	}
	return m
}

// steps lists what the test does for each README command, in README order.
func (w *walk) steps() []step {
	t := w.t
	var (
		c        *phone.Call     // alice's side of the current call
		in       *phone.Incoming // bob's side
		c2       *phone.Call     // carol's call to bob (attended transfers, mixer)
		in2      *phone.Incoming
		inv      *phone.Incoming // carol's side of a call Tandem placed to her
		id, id2  string
		carolCID string                       // carol's own call, before it moves
		replaces struct{ uri, header string } // what a REFER with Replaces asks
	)
	stdoutLines := func(r result) []string { return lines(r.stdout) }
	return []step{
		// Connecting
		{line: "tandemctl --nats $NATS calls list", after: func(r result) {
			if got := stdoutLines(r); len(got) != 1 || !strings.HasPrefix(got[0], "CALL ID") {
				t.Errorf("calls list: %q; want the header only", r.stdout)
			}
		}},
		{line: "tandemctl --node tandem-1 --json calls list", after: func(r result) {
			var rep events.CallsListReplyV1
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Calls == nil || len(rep.Calls) != 0 || len(stdoutLines(r)) != 1 {
				t.Errorf("--json calls list: %q (%v); want one line with calls: []", r.stdout, err)
			}
		}},
		{line: "tandemctl version", after: func(r result) {
			w.contains("version", r.stdout, "tandemctl ", "NATS API "+events.Prefix)
		}},

		// Calls, claims and legs
		{line: "tandemctl calls list", before: func() { c, in, id = w.connect(w.alice) }, after: func(r result) {
			if got := stdoutLines(r); len(got) != 2 || !strings.HasPrefix(got[1], id+" ") || !strings.Contains(got[1], "tandem-1") {
				t.Errorf("calls list: %q; want the call's row", r.stdout)
			}
		}},
		{line: "tandemctl calls show $CALL", after: func(r result) {
			w.contains("calls show", r.stdout, "call:      "+id, "leg A ("+id+"-a)", "leg B ("+id+"-b1)", "remote uri:")
		}},
		{line: "tandemctl calls show no-such-call", after: func(r result) {
			w.contains("stderr", r.stderr, "calls show: unknown_call (code 2):")
		}},
		{line: "tandemctl calls claim $CALL --ttl 2m", after: func(r result) {
			w.contains("calls claim", r.stdout, "call "+id+": claimed by ops until ")
			w.await(events.TypeCallClaimedV1, id, "")
		}},
		{line: "tandemctl --controller intruder legs hold $LEG_B", after: func(r result) {
			w.contains("stderr", r.stderr, "legs hold: conflict (code 4):")
		}},
		{line: "tandemctl legs hold $LEG_B", during: func(*syncBuffer) {
			w.expectReinvite(in.Dialog, w.bob, phone.SendOnly, phone.RecvOnly)
		}, after: func(result) { w.await(events.TypeLegHeldV1, id, id+"-b1") }},
		{line: "tandemctl legs resume $LEG_B", during: func(*syncBuffer) {
			w.expectReinvite(in.Dialog, w.bob, phone.SendRecv, phone.SendRecv)
		}, after: func(result) { w.await(events.TypeLegResumedV1, id, id+"-b1") }},
		{line: "tandemctl legs dtmf $LEG_A 1234#", during: func(*syncBuffer) {
			for _, d := range []string{"1", "2", "3", "4", "#"} {
				info := c.Dialog.ExpectRequest(sip.INFO, exWait)
				if ct := info.Req.GetHeader("Content-Type"); ct == nil || ct.Value() != "application/dtmf-relay" || !strings.Contains(string(info.Body()), "Signal="+d) {
					t.Errorf("INFO %v %q, want application/dtmf-relay Signal=%s", ct, info.Body(), d)
				}
				info.OK(nil)
			}
		}},
		{line: "tandemctl legs request $LEG_B NOTIFY --header 'Event: dialog' --content-type text/plain --body state=on", during: func(*syncBuffer) {
			notify := in.ExpectRequest(sip.NOTIFY, exWait)
			if ev := notify.Req.GetHeader("Event"); ev == nil || ev.Value() != "dialog" || string(notify.Body()) != "state=on" {
				t.Errorf("NOTIFY at bob:\n%s", notify.Req)
			}
			notify.Respond(489, nil)
		}, after: func(r result) {
			w.contains("legs request", r.stdout, "leg "+id+"-b1: NOTIFY answered 489 ")
		}},
		{line: "tandemctl legs request $LEG_B OPTIONS", during: func(*syncBuffer) {
			in.ExpectRequest(sip.OPTIONS, exWait).OK(nil)
		}, after: func(r result) {
			w.contains("legs request", r.stdout, "leg "+id+"-b1: OPTIONS answered 200 OK")
		}},
		{line: "tandemctl legs unbridge $LEG_A", during: func(*syncBuffer) {
			w.expectReinvite(c.Dialog, w.alice, phone.Inactive, phone.Inactive)
			w.expectReinvite(in.Dialog, w.bob, phone.Inactive, phone.Inactive)
		}, after: func(result) { w.await(events.TypeLegUnbridgedV1, id, id+"-a") }},
		{line: "tandemctl legs bridge $LEG_A $LEG_B", during: func(*syncBuffer) {
			w.bridged(c.Dialog, w.alice, in.Dialog, w.bob)
		}, after: func(r result) {
			w.contains("legs bridge", r.stdout, "bridged in call "+id)
		}},
		{line: `tandemctl legs hangup $LEG_B --cause 486 --reason "busy in a meeting"`, during: func(*syncBuffer) {
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
		}, after: func(result) {
			e := w.await(events.TypeLegEndedV1, id, id+"-b1")
			if le := (events.LegEndedV1{}); e.Decode(&le) != nil || le.Reason != "busy in a meeting" {
				t.Errorf("leg ended %s", e.Raw)
			}
			if ci, ok := w.n.Server.Core().GetCall(id); !ok || ci.State != "connected" {
				t.Errorf("the claimed call after bob's leg ended: %+v %v", ci, ok)
			}
		}},
		{line: "tandemctl calls release $CALL", after: func(result) { w.await(events.TypeCallReleasedV1, id, "") }},
		{line: "tandemctl calls hangup $CALL --reason operator", during: func(*syncBuffer) {
			c.Dialog.ExpectRequest(sip.BYE, exWait).OK(nil)
		}, after: func(result) { w.n.Events.AwaitCallEnd(id, exWait) }},

		// Events
		{line: "tandemctl events watch --call $CALL --from-start --count 5", after: func(r result) {
			got := stdoutLines(r)
			if len(got) != 5 || !strings.Contains(got[0], " "+id+" #1 created") || !strings.Contains(got[4], " "+id+" #5 ") {
				t.Errorf("events watch --from-start --count 5: %q", r.stdout)
			}
		}},
		{line: "tandemctl --json events watch --type leg_ended,ended --count 3", during: func(stderr *syncBuffer) {
			stderr.waitFor(t, "tandemctl: watching ")
			c, in, id = w.connect(w.alice)
			bye := c.Bye()
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
			bye.Expect(200, exWait)
		}, after: func(r result) {
			got := stdoutLines(r)
			var last events.CallEndedV1
			if len(got) != 3 || json.Unmarshal([]byte(got[2]), &last) != nil || last.Type != events.TypeCallEndedV1 || last.CallID != id {
				t.Errorf("live events watch: %q; want leg_ended twice, then the call's end", r.stdout)
			}
		}},

		// Parked calls
		{line: "tandemctl legs answer $PARKED", before: func() { c, id = w.park() }, after: func(result) {
			if ok := c.Expect(200, exWait); phone.Direction(ok.Body()) != phone.Inactive {
				t.Errorf("parked call answered with a=%s, want inactive", phone.Direction(ok.Body()))
			}
			c.Ack()
			w.await(events.TypeCallConnectedV1, id, "")
		}},
		{line: "tandemctl legs originate $CAROL --bridge-to $PARKED", after: func(r result) {
			m := w.match(originatedLine, r.stdout)
			if m[2] != id {
				t.Errorf("originated into call %s, want %s", m[2], id)
			}
			inv = w.carol.NextInvite(exWait)
			if len(inv.Body()) != 0 {
				t.Errorf("carol's INVITE carries an offer (flow I has none):\n%s", inv.Body())
			}
			inv.Answer(w.carol.SDP(phone.SendRecv))
			w.expectReinvite(c.Dialog, w.alice, "", phone.SendRecv)
			inv.ExpectRequest(sip.ACK, exWait)
			w.await(events.TypeLegBridgedV1, id, m[1])
			w.hangup(id, c.Dialog, inv.Dialog)
		}},
		{line: `tandemctl legs reject $PARKED --code 603 --reason "Go Away"`, before: func() { c, id = w.park() }, after: func(result) {
			if res := c.Expect(603, exWait); res.Reason != "Go Away" {
				t.Errorf("reject reason %q", res.Reason)
			}
			w.n.Events.AwaitCallEnd(id, exWait)
		}},
		{line: "tandemctl legs redirect $PARKED sip:voicemail@example.test", before: func() { c, id = w.park() }, after: func(result) {
			if h := c.Expect(302, exWait).GetHeader("Contact"); h == nil || h.Value() != "<sip:voicemail@example.test>" {
				t.Errorf("302 Contact %v", h)
			}
			w.n.Events.AwaitCallEnd(id, exWait)
		}},

		// Originating and moving calls
		{line: "tandemctl legs originate $CAROL --ring-timeout 20s", before: func() { c, in, id = w.connect(w.alice) }, after: func(r result) {
			m := w.match(originatedLine, r.stdout)
			w.vars["LEG_C"], carolCID = m[1], m[2]
			if carolCID == id {
				t.Errorf("a leg originated without --call or --bridge-to joined call %s", id)
			}
			inv = w.carol.NextInvite(exWait)
			inv.Answer(w.carol.SDP(phone.SendRecv))
			if ack := inv.ExpectRequest(sip.ACK, exWait); phone.Direction(ack.Body()) != phone.Inactive {
				t.Errorf("a lone originated leg answered a=%s, want inactive", phone.Direction(ack.Body()))
			}
		}},
		{line: "tandemctl legs bridge $LEG_A $LEG_C", during: func(*syncBuffer) {
			w.bridged(c.Dialog, w.alice, inv.Dialog, w.carol)
		}, after: func(r result) {
			w.contains("legs bridge", r.stdout, "bridged in call "+id)
			w.await(events.TypeLegMovedV1, id, w.vars["LEG_C"])
			w.n.Events.AwaitCallEnd(carolCID, exWait)
		}},
		{line: "tandemctl legs hangup $LEG_B", during: func(*syncBuffer) {
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
		}, after: func(result) {
			w.await(events.TypeLegEndedV1, id, id+"-b1")
			w.hangup(id, c.Dialog, inv.Dialog)
		}},
		{line: "tandemctl calls originate $ALICE $BOB", after: func(r result) {
			m := w.match(callOrigLine, r.stdout)
			id = m[1]
			ia := w.alice.NextInvite(exWait)
			if d := phone.Direction(ia.Body()); d != phone.Inactive {
				t.Errorf("flow IV: alice offered a=%q, want inactive", d)
			}
			ia.Answer(w.alice.SDP(phone.Inactive))
			ia.ExpectRequest(sip.ACK, exWait)
			ib := w.bob.NextInvite(exWait)
			if len(ib.Body()) != 0 {
				t.Error("flow IV: bob's INVITE carries an offer")
			}
			ib.Answer(w.bob.SDP(phone.SendRecv))
			w.expectReinvite(ia.Dialog, w.alice, phone.SendRecv, phone.SendRecv)
			if ack := ib.ExpectRequest(sip.ACK, exWait); len(ack.Body()) == 0 {
				t.Error("flow IV: bob's ACK carries no answer")
			}
			w.await(events.TypeLegBridgedV1, id, m[2])
			w.hangup(id, ia.Dialog, ib.Dialog)
		}},
		{line: "tandemctl calls originate $ALICE $BOB --flow 1", after: func(r result) {
			m := w.match(callOrigLine, r.stdout)
			id = m[1]
			ia := w.alice.NextInvite(exWait)
			if len(ia.Body()) != 0 {
				t.Error("flow I: alice's INVITE carries an offer")
			}
			ia.Answer(w.alice.SDP(phone.SendRecv))
			ib := w.bob.NextInvite(exWait)
			if len(ib.Body()) == 0 {
				t.Error("flow I: bob's INVITE carries no offer")
			}
			ib.Answer(w.bob.SDP(phone.SendRecv))
			ib.ExpectRequest(sip.ACK, exWait)
			if ack := ia.ExpectRequest(sip.ACK, exWait); len(ack.Body()) == 0 {
				t.Error("flow I: alice's ACK carries no answer")
			}
			w.await(events.TypeLegBridgedV1, id, m[2])
			w.hangup(id, ia.Dialog, ib.Dialog)
		}},

		// Transfers
		{line: "tandemctl transfers blind $LEG_A $CAROL", before: func() { c, in, id = w.connect(w.alice) }, after: func(r result) {
			w.contains("transfers blind", r.stdout, "transfer ", ": calling "+w.vars["CAROL"]+" for leg "+id+"-a")
			inv = w.carol.NextInvite(exWait)
			inv.Answer(w.carol.SDP(phone.SendRecv))
			w.expectReinvite(c.Dialog, w.alice, "", phone.SendRecv)
			inv.ExpectRequest(sip.ACK, exWait)
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
			w.await(events.TypeTransferCompletedV1, id, "")
			w.hangup(id, c.Dialog, inv.Dialog)
		}},
		{line: "tandemctl transfers blind $LEG_B $CAROL --refer", before: func() { c, in, id = w.connect(w.alice) }, during: func(*syncBuffer) {
			r := in.ExpectRequest(sip.REFER, exWait)
			if rt := r.Req.GetHeader("Refer-To"); rt == nil || rt.Value() != "<"+w.vars["CAROL"]+">" {
				t.Errorf("Refer-To %v", rt)
			}
			r.Respond(202, nil)
		}, after: func(r result) {
			w.contains("transfers blind", r.stdout, "party accepted the REFER to "+w.vars["CAROL"])
			w.referNotify(in.Dialog, 100, false)
			w.await(events.TypeTransferProgressV1, id, "")
			w.referNotify(in.Dialog, 200, true)
			w.await(events.TypeTransferCompletedV1, id, "")
			w.hangup(id, c.Dialog, in.Dialog)
		}},
		{line: "tandemctl transfers blind $LEG_B $CAROL --target-dialog", before: func() { c, in, id = w.connect(w.alice) }, during: func(*syncBuffer) {
			r := w.bob.NextOutOfDialog(exWait)
			want := in.CallID() + ";local-tag=" + in.Dialog.RemoteTag() + ";remote-tag=" + in.Dialog.LocalTag()
			if td := r.Req.GetHeader("Target-Dialog"); td == nil || td.Value() != want {
				t.Errorf("Target-Dialog %v, want %s", td, want)
			}
			r.Respond(202, nil)
			w.referNotify(r.Dialog(), 200, true)
		}, after: func(result) {
			w.await(events.TypeTransferCompletedV1, id, "")
			w.hangup(id, c.Dialog, in.Dialog)
		}},
		{line: "tandemctl transfers attended $LEG_B $LEG_B2", before: func() {
			c, in, id = w.connect(w.alice)
			c2, in2, id2 = w.connect(w.carol)
			w.vars["LEG_B"], w.vars["LEG_B2"] = id+"-b1", id2+"-b1"
		}, during: func(*syncBuffer) {
			w.bridged(c.Dialog, w.alice, c2.Dialog, w.carol)
		}, after: func(result) {
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
			in2.ExpectRequest(sip.BYE, exWait).OK(nil)
			w.n.Events.AwaitCallEnd(id2, exWait)
			w.hangup(id, c.Dialog, c2.Dialog)
		}},
		{line: "tandemctl transfers attended $LEG_B $LEG_B2 --refer", before: func() {
			c, in, id = w.connect(w.alice)
			c2, in2, id2 = w.connect(w.carol)
			w.vars["LEG_B"], w.vars["LEG_B2"] = id+"-b1", id2+"-b1"
		}, during: func(*syncBuffer) {
			r := c.Dialog.ExpectRequest(sip.REFER, exWait)
			rt := ""
			if h := r.Req.GetHeader("Refer-To"); h != nil {
				rt = strings.Trim(h.Value(), "<>")
			}
			r.Respond(202, nil)
			uri, query, _ := strings.Cut(rt, "?Replaces=")
			rp, err := url.QueryUnescape(query)
			if err != nil || !strings.HasPrefix(rp, in2.CallID()+";") {
				t.Fatalf("Refer-To %q: Replaces %q does not name bob's leg in carol's call (%s)", rt, rp, in2.CallID())
			}
			replaces.uri, replaces.header = uri, rp
		}, after: func(result) {
			// alice's phone does what the REFER asks: an INVITE with
			// Replaces that takes the place of bob's leg in carol's call
			nc := w.alice.Invite(replaces.uri, phone.WithHeader("Replaces", replaces.header))
			w.expectReinvite(c2.Dialog, w.carol, "", phone.SendRecv)
			nc.Expect(200, exWait)
			nc.Ack()
			in2.ExpectRequest(sip.BYE, exWait).OK(nil)
			w.referNotify(c.Dialog, 200, true)
			w.await(events.TypeTransferCompletedV1, id, "")
			// then leaves her first call, as a transferee does
			c.Dialog.Bye().Expect(200, exWait)
			in.ExpectRequest(sip.BYE, exWait).OK(nil)
			w.n.Events.AwaitCallEnd(id, exWait)
			bye := nc.Dialog.Bye()
			c2.Dialog.ExpectRequest(sip.BYE, exWait).OK(nil)
			bye.Expect(200, exWait)
			w.n.Events.AwaitCallEnd(id2, exWait)
		}},

		// Click-to-dial
		{line: "tandemctl phones refer sip:bob@example.test $CAROL", before: func() {
			if res := w.bob.Register(w.n.SIPAddr, "sip:bob@example.test", "bob", "secret", 600, ""); res.StatusCode != 200 {
				t.Fatalf("REGISTER: %d", res.StatusCode)
			}
		}, during: func(*syncBuffer) {
			r := w.bob.NextOutOfDialog(exWait)
			if rt := r.Req.GetHeader("Refer-To"); rt == nil || rt.Value() != "<"+w.vars["CAROL"]+">" {
				t.Errorf("Refer-To %v", rt)
			}
			r.Respond(202, nil)
			w.referNotify(r.Dialog(), 200, true)
		}, after: func(r result) {
			m := w.match(referLine, r.stdout)
			// a click-to-dial is a transfer of no call; the refer id is
			// the transfer's
			w.n.Events.Await(events.TypeTransferCompletedV1, func(e harness.Event) bool {
				return e.CallID == "" && e.LegID == m[1]
			}, exWait)
		}},

		{line: "tandemctl phones refer sip:bob@example.test $CAROL --no-subscription", during: func(*syncBuffer) {
			r := w.bob.NextOutOfDialog(exWait)
			if rs := r.Req.GetHeader("Refer-Sub"); rs == nil || rs.Value() != "false" {
				t.Errorf("Refer-Sub %v, want false", rs)
			}
			r.Respond(200, nil, sip.NewHeader("Refer-Sub", "false"))
		}, after: func(r result) {
			m := w.match(referLine, r.stdout)
			w.contains("phones refer --no-subscription", r.stdout, "(no subscription: no progress reports)")
			e := w.n.Events.Await(events.TypeTransferRequestedV1, func(e harness.Event) bool {
				return e.CallID == "" && e.LegID == m[1]
			}, exWait)
			var tr events.TransferRequestedV1
			if err := e.Decode(&tr); err != nil || !tr.NoSubscription {
				t.Errorf("transfer requested %s, want no_subscription", e.Raw)
			}
		}},
		{line: "tandemctl phones refer sip:bob@example.test $CAROL --fallback originate", during: func(*syncBuffer) {
			// bob's phone cannot take a REFER
			w.bob.NextOutOfDialog(exWait).Respond(501, nil)
		}, after: func(r result) {
			m := w.match(fallbackLine, r.stdout)
			ib := w.bob.NextInvite(exWait)
			if am := ib.Req.GetHeader("Answer-Mode"); am == nil || am.Value() != "Auto" {
				t.Errorf("bob's INVITE Answer-Mode %v, want Auto", am)
			}
			ib.Answer(w.bob.SDP(phone.Inactive))
			ib.ExpectRequest(sip.ACK, exWait)
			ic := w.carol.NextInvite(exWait)
			ic.Answer(w.carol.SDP(phone.SendRecv))
			w.expectReinvite(ib.Dialog, w.bob, "", phone.SendRecv)
			ic.ExpectRequest(sip.ACK, exWait)
			w.await(events.TypeLegBridgedV1, m[1], m[2])
			w.hangup(m[1], ib.Dialog, ic.Dialog)
		}},

		// The conference mixer
		{line: "tandemctl mixer create room1 --record $RECORDINGS/room1.wav", after: func(r result) {
			w.contains("mixer create", r.stdout, "room room1: created, recording to "+w.vars["RECORDINGS"])
		}},
		{line: "tandemctl mixer join $PARKED room1", before: func() { c, id = w.park() }, after: func(result) {
			c.Expect(200, exWait)
			c.Ack()
			w.await(events.TypeMixerJoinedV1, id, id+"-a")
		}},
		{line: "tandemctl mixer join $LEG_B room1 --muted", before: func() { c2, in2, id2 = w.connect(w.carol) }, during: func(*syncBuffer) {
			w.expectReinvite(in2.Dialog, w.bob, "", phone.SendRecv)
		}, after: func(result) {
			w.await(events.TypeMixerJoinedV1, id2, id2+"-b1")
			for _, r := range w.n.Server.Core().ListRooms() {
				for _, p := range r.Participants {
					if p.Muted != (p.LegID == id2+"-b1") {
						t.Errorf("room %s after join --muted: %+v", r.RoomID, p)
					}
				}
			}
		}},
		{line: "tandemctl mixer set $LEG_B --unmute --gain-db -6"},
		{line: "tandemctl mixer list", after: func(r result) {
			got := stdoutLines(r)
			if len(got) != 3 || !strings.HasPrefix(got[0], "ROOM") {
				t.Fatalf("mixer list: %q; want a header and two legs", r.stdout)
			}
			for _, l := range got[1:] {
				f := strings.Fields(l)
				if len(f) != 8 || f[0] != "room1" || f[1] != filepath.Join(w.vars["RECORDINGS"], "room1.wav") || f[4] != "PCMU" || f[5] != "no" {
					t.Errorf("mixer list row %q", l)
				}
			}
		}},
		{line: "tandemctl mixer leave $PARKED", after: func(result) {
			w.await(events.TypeMixerLeftV1, id, id+"-a")
		}},
		{line: "tandemctl mixer destroy room1", after: func(result) {
			w.await(events.TypeMixerLeftV1, id2, id2+"-b1")
			if st, err := os.Stat(filepath.Join(w.vars["RECORDINGS"], "room1.wav")); err != nil || st.Size() < 44 {
				t.Errorf("recording: %v %v", st, err)
			}
			w.hangup(id, c.Dialog)
			w.hangup(id2, c2.Dialog, in2.Dialog)
		}},
	}
}

// The tandemctl examples of the top-level README are examples of this
// directory's README.md, so TestREADME runs them too.
func TestTopREADMEExamplesAreRun(t *testing.T) {
	ours := map[string]bool{}
	for _, ex := range readmeExamples(t, "README.md", "") {
		ours[ex.line] = true
	}
	top := readmeExamples(t, filepath.Join("..", "..", "README.md"), "## tandemctl")
	for _, ex := range top {
		if ex.export == "" && !ours[ex.line] {
			t.Errorf("README.md (top level), tandemctl section, line %d: %q is not an example of cmd/tandemctl/README.md, which a test runs", ex.lineNo, ex.line)
		}
	}
}
