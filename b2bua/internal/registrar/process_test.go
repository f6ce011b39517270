package registrar

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBis09 checks the REGISTER corrections made between bis-09 and RFC
// 3261 (seeds/rfc3261-bis09-changes.txt), one by one. Each step runs
// against the bindings the earlier steps left; want lists the AOR's
// contacts afterwards with their remaining expiry.
func TestBis09(t *testing.T) {
	type step struct {
		name string
		reg  reg
		code int
		want []string // "uri expires"
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"no expiry asked: the server chooses", []step{
			{"register", reg{contacts: []string{"<sip:a@192.0.2.1>"}}, 200, []string{"sip:a@192.0.2.1 3600"}},
		}},
		{"the server shortens, never lengthens", []step{
			{"shorter than default kept", reg{contacts: []string{"<sip:a@192.0.2.1>"}, expires: "300"}, 200, []string{"sip:a@192.0.2.1 300"}},
			{"longer than max shortened", reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>;expires=100000"}}, 200, []string{"sip:a@192.0.2.1 7200"}},
		}},
		{"the parameter wins over the header", []step{
			{"register", reg{contacts: []string{"<sip:a@192.0.2.1>;expires=120", "<sip:b@192.0.2.2>"}, expires: "600"}, 200,
				[]string{"sip:a@192.0.2.1 120", "sip:b@192.0.2.2 600"}},
		}},
		{"too brief: 423 with Min-Expires", []step{
			{"register", reg{contacts: []string{"<sip:a@192.0.2.1>"}, expires: "59"}, 423, nil},
		}},
		{"2^32-1 is a valid expiry", []step{
			{"header", reg{contacts: []string{"<sip:a@192.0.2.1>"}, expires: "4294967295"}, 200, []string{"sip:a@192.0.2.1 7200"}},
			{"parameter beyond", reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>;expires=99999999999"}}, 200, []string{"sip:a@192.0.2.1 7200"}},
		}},
		{"Contact: * with Expires: 0 removes all", []step{
			{"two", reg{contacts: []string{"<sip:a@192.0.2.1>", "<sip:b@192.0.2.2>"}}, 200, []string{"sip:a@192.0.2.1 3600", "sip:b@192.0.2.2 3600"}},
			{"star", reg{cseq: 2, contacts: []string{"*"}, expires: "0"}, 200, nil},
		}},
		{"Contact: * only alone and with Expires: 0", []step{
			{"one", reg{contacts: []string{"<sip:a@192.0.2.1>"}}, 200, []string{"sip:a@192.0.2.1 3600"}},
			{"star and another", reg{cseq: 2, contacts: []string{"*", "<sip:b@192.0.2.2>"}, expires: "0"}, 400, []string{"sip:a@192.0.2.1 3600"}},
			{"star without Expires", reg{cseq: 3, contacts: []string{"*"}}, 400, []string{"sip:a@192.0.2.1 3600"}},
			{"star with Expires: 60", reg{cseq: 4, contacts: []string{"*"}, expires: "60"}, 400, []string{"sip:a@192.0.2.1 3600"}},
			{"star with expires param", reg{cseq: 5, contacts: []string{"*;expires=0"}, expires: "0"}, 400, []string{"sip:a@192.0.2.1 3600"}},
		}},
		{"out-of-order CSeq with the same Call-ID: 500, nothing changes", []step{
			{"cseq 5", reg{cseq: 5, contacts: []string{"<sip:a@192.0.2.1>"}}, 200, []string{"sip:a@192.0.2.1 3600"}},
			{"cseq 5 again plus a new contact", reg{cseq: 5, contacts: []string{"<sip:b@192.0.2.2>", "<sip:a@192.0.2.1>;expires=600"}}, 500,
				[]string{"sip:a@192.0.2.1 3600"}},
			{"cseq 4", reg{cseq: 4, contacts: []string{"<sip:a@192.0.2.1>;expires=0"}}, 500, []string{"sip:a@192.0.2.1 3600"}},
			{"another Call-ID may use a lower CSeq", reg{callID: "call-2", cseq: 1, contacts: []string{"<sip:a@192.0.2.1>;expires=600"}}, 200,
				[]string{"sip:a@192.0.2.1 600"}},
		}},
		{"Contact: * out of order aborts the whole removal", []step{
			{"a on call-1", reg{cseq: 9, contacts: []string{"<sip:a@192.0.2.1>"}}, 200, []string{"sip:a@192.0.2.1 3600"}},
			{"b on call-2", reg{callID: "call-2", cseq: 1, contacts: []string{"<sip:b@192.0.2.2>"}}, 200, []string{"sip:a@192.0.2.1 3600", "sip:b@192.0.2.2 3600"}},
			{"star on call-1 cseq 3", reg{cseq: 3, contacts: []string{"*"}, expires: "0"}, 500, []string{"sip:a@192.0.2.1 3600", "sip:b@192.0.2.2 3600"}},
			{"star on call-1 cseq 10", reg{cseq: 10, contacts: []string{"*"}, expires: "0"}, 200, nil},
		}},
		{"atomic: one bad contact fails them all", []step{
			{"too brief second", reg{contacts: []string{"<sip:a@192.0.2.1>", "<sip:b@192.0.2.2>;expires=5"}}, 423, nil},
			{"bad q second", reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>", "<sip:b@192.0.2.2>;q=7"}}, 400, nil},
			{"bad uri second", reg{cseq: 3, contacts: []string{"<sip:a@192.0.2.1>", "<mailto:b@example.com>"}}, 400, nil},
			{"bad Expires header", reg{cseq: 4, contacts: []string{"<sip:a@192.0.2.1>"}, expires: "soon"}, 400, nil},
		}},
		{"expires 0 removes only its contact", []step{
			{"two", reg{contacts: []string{"<sip:a@192.0.2.1>", "<sip:b@192.0.2.2>"}}, 200, []string{"sip:a@192.0.2.1 3600", "sip:b@192.0.2.2 3600"}},
			{"remove b", reg{cseq: 2, contacts: []string{"<sip:b@192.0.2.2>;expires=0"}}, 200, []string{"sip:a@192.0.2.1 3600"}},
			{"remove unknown is fine", reg{cseq: 3, contacts: []string{"<sip:c@192.0.2.3>"}, expires: "0"}, 200, []string{"sip:a@192.0.2.1 3600"}},
		}},
		{"the same URI spelled differently is the same binding", []step{
			{"one", reg{contacts: []string{"<sip:a@Host.Example;transport=UDP;foo=1>"}}, 200, []string{"sip:a@Host.Example;transport=UDP;foo=1 3600"}},
			{"again", reg{cseq: 2, contacts: []string{"<sip:a@host.example;foo=2;transport=udp>;expires=100"}}, 200, []string{"sip:a@host.example;foo=2;transport=udp 100"}},
			{"another port is another binding", reg{cseq: 3, contacts: []string{"<sip:a@host.example:5060;transport=udp>;expires=100"}}, 200,
				[]string{"sip:a@host.example:5060;transport=udp 100", "sip:a@host.example;foo=2;transport=udp 100"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, s := range tc.steps {
				res := e.process(t, s.reg)
				if res.Code != s.code {
					t.Fatalf("%s: code %d %s (%v), want %d", s.name, res.Code, res.Reason, res.Err, s.code)
				}
				if s.code == 423 {
					if got := headers(res, "Min-Expires"); !slices.Equal(got, []string{"60"}) {
						t.Errorf("%s: Min-Expires %v", s.name, got)
					}
				}
				var got []string
				for _, b := range e.lookup(t, aliceAOR) {
					got = append(got, b.Contact+" "+strconv.FormatUint(uint64(b.ExpiresIn(e.clock.Now())), 10))
				}
				slices.Sort(got)
				if !slices.Equal(got, s.want) {
					t.Errorf("%s: bindings %q, want %q", s.name, got, s.want)
				}
				if s.code == 200 {
					// the 2xx lists every current binding with its expiry
					var listed []string
					for _, v := range headers(res, "Contact") {
						uri := v[strings.IndexByte(v, '<')+1 : strings.IndexByte(v, '>')]
						exp, _ := paramOf(v, "expires")
						listed = append(listed, uri+" "+exp)
					}
					slices.Sort(listed)
					if !slices.Equal(listed, s.want) {
						t.Errorf("%s: 2xx Contacts %q, want %q", s.name, listed, s.want)
					}
					if len(headers(res, "Date")) != 1 {
						t.Errorf("%s: no Date", s.name)
					}
				}
			}
		})
	}
}

// TestQOrder: bindings are ranked by q (the AOR's scope), then recency.
func TestQOrder(t *testing.T) {
	e := newEnv(t)
	steps := []reg{
		{cseq: 1, contacts: []string{"<sip:low@192.0.2.1>;q=0.1", "<sip:mid@192.0.2.2>;q=0.5"}},
		{callID: "other", cseq: 1, contacts: []string{"<sip:high@192.0.2.3>;q=0.9"}},
		{callID: "third", cseq: 1, contacts: []string{"<sip:old@192.0.2.4>;q=0.5"}},
	}
	for i, s := range steps {
		e.clock.Advance(time.Second)
		if res := e.process(t, s); res.Code != 200 {
			t.Fatalf("step %d: %d", i, res.Code)
		}
	}
	e.clock.Advance(time.Second)
	// refresh mid: it becomes the most recent of the 0.5s
	if res := e.process(t, reg{cseq: 2, contacts: []string{"<sip:mid@192.0.2.2>;q=0.5"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	want := []string{"sip:high@192.0.2.3", "sip:mid@192.0.2.2", "sip:old@192.0.2.4", "sip:low@192.0.2.1"}
	if got := contactsOf(e.lookup(t, aliceAOR)); !slices.Equal(got, want) {
		t.Errorf("Lookup order %v, want %v", got, want)
	}
	// no q counts as 1.0
	if res := e.process(t, reg{callID: "fourth", contacts: []string{"<sip:noq@192.0.2.5>"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	if got := contactsOf(e.lookup(t, aliceAOR)); got[0] != "sip:noq@192.0.2.5" {
		t.Errorf("a contact without q is not first: %v", got)
	}
}

func TestQuery(t *testing.T) {
	e := newEnv(t)
	e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>;q=0.5"}})
	e.clock.Advance(100 * time.Second)
	res := e.process(t, reg{cseq: 2})
	if res.Code != 200 || len(res.Changes) != 0 {
		t.Fatalf("query: %d, changes %v", res.Code, res.Changes)
	}
	if got := headers(res, "Contact"); len(got) != 1 || got[0] != "<sip:a@192.0.2.1>;expires=3500;q=0.5" {
		t.Errorf("query Contacts %q", got)
	}
}

func TestRequestChecks(t *testing.T) {
	cases := []struct {
		name string
		reg  reg
		code int
		hdr  string // a header the response must carry
	}{
		{"Request-URI of another domain", reg{ruri: "sip:other.org", contacts: []string{"<sip:a@h>"}}, 404, ""},
		{"AOR of another domain", reg{to: "sip:alice@other.org", contacts: []string{"<sip:a@h>"}}, 404, ""},
		{"AOR without user", reg{to: "sip:example.com", contacts: []string{"<sip:a@h>"}}, 404, ""},
		{"tel Request-URI", reg{ruri: "tel:+1555", contacts: []string{"<sip:a@h>"}}, 416, ""},
		{"Require unknown", reg{require: "path, gruu", contacts: []string{"<sip:a@h>"}}, 420, "Unsupported"},
		{"Require gruu is fine", reg{require: "gruu", supported: "gruu", contacts: []string{"<sip:a@h>"}}, 200, ""},
		{"AOR with params and escapes is canonical", reg{to: "sip:%61lice@EXAMPLE.com;user=phone", contacts: []string{"<sip:a@h>"}}, 200, ""},
		{"not REGISTER", reg{method: "OPTIONS"}, 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.process(t, tc.reg)
			if res.Code != tc.code {
				t.Fatalf("code %d (%v), want %d", res.Code, res.Err, tc.code)
			}
			if tc.hdr != "" && len(headers(res, tc.hdr)) == 0 {
				t.Errorf("no %s header", tc.hdr)
			}
			if tc.code == 200 && res.AOR != aliceAOR {
				t.Errorf("AOR %q", res.AOR)
			}
		})
	}
}

func TestMaxContacts(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxContacts = 2 })
	if res := e.process(t, reg{contacts: []string{"<sip:a@h1>", "<sip:b@h2>"}}); res.Code != 200 {
		t.Fatal(res.Code)
	}
	if res := e.process(t, reg{cseq: 2, contacts: []string{"<sip:c@h3>"}}); res.Code != 403 {
		t.Fatalf("third contact: %d, want 403", res.Code)
	}
	// replacing one keeps the count
	if res := e.process(t, reg{cseq: 3, contacts: []string{"<sip:a@h1>;expires=0", "<sip:c@h3>"}}); res.Code != 200 {
		t.Fatalf("swap: %d", res.Code)
	}
}

// TestOutboundFlows: RFC 5626 instance and reg-id identify a flow; the same
// instance without reg-id keeps only its most recent Contact.
func TestOutboundFlows(t *testing.T) {
	e := newEnv(t)
	inst := `;+sip.instance="<` + instA + `>"`
	steps := []struct {
		reg  reg
		want []string
	}{
		{reg{contacts: []string{"<sip:a@192.0.2.1;ob>" + inst + ";reg-id=1"}}, []string{"sip:a@192.0.2.1;ob"}},
		{reg{callID: "flow2", contacts: []string{"<sip:a@198.51.100.1;ob>" + inst + ";reg-id=2"}}, []string{"sip:a@192.0.2.1;ob", "sip:a@198.51.100.1;ob"}},
		// flow 1 comes back through another address: it replaces flow 1
		{reg{cseq: 2, contacts: []string{"<sip:a@203.0.113.7;ob>" + inst + ";reg-id=1"}}, []string{"sip:a@198.51.100.1;ob", "sip:a@203.0.113.7;ob"}},
		// same instance without reg-id: its own binding, then the most recent wins
		{reg{callID: "plain", contacts: []string{"<sip:p1@192.0.2.9>" + inst}}, []string{"sip:a@198.51.100.1;ob", "sip:a@203.0.113.7;ob", "sip:p1@192.0.2.9"}},
		{reg{callID: "plain2", contacts: []string{"<sip:p2@192.0.2.9>" + inst}}, []string{"sip:a@198.51.100.1;ob", "sip:a@203.0.113.7;ob", "sip:p2@192.0.2.9"}},
		// two Contacts of the instance in one REGISTER: the last wins
		{reg{callID: "plain3", contacts: []string{"<sip:p3@192.0.2.9>" + inst, "<sip:p4@192.0.2.9>" + inst}}, []string{"sip:a@198.51.100.1;ob", "sip:a@203.0.113.7;ob", "sip:p4@192.0.2.9"}},
		// reg-id without an instance is ignored: a plain URI binding
		{reg{callID: "noinst", contacts: []string{"<sip:x@192.0.2.20>;reg-id=1"}}, []string{"sip:a@198.51.100.1;ob", "sip:a@203.0.113.7;ob", "sip:p4@192.0.2.9", "sip:x@192.0.2.20"}},
	}
	for i, s := range steps {
		res := e.process(t, s.reg)
		if res.Code != 200 {
			t.Fatalf("step %d: %d %v", i, res.Code, res.Err)
		}
		got := contactsOf(e.lookup(t, aliceAOR))
		slices.Sort(got)
		if !slices.Equal(got, s.want) {
			t.Errorf("step %d: %v, want %v", i, got, s.want)
		}
	}
}
