package registrar

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// tokenRE finds temp-gruu tokens, which differ at every mint.
var tokenRE = regexp.MustCompile(`sip:t[a-z2-7]+@`)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = tokenRE.ReplaceAll(got, []byte("sip:TOKEN@"))
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestRegEventDocuments: the reginfo documents of one subscription, full
// then partial states, with RFC 5628's pub-gruu and temp-gruu (first-cseq;
// the contact's callid and cseq say which temp-gruus are still valid).
func TestRegEventDocuments(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := func() Record {
		r, err := e.store.Get(ctx, aliceAOR)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var changes []Change
	stop := e.store.Watch(func(ch Change) { changes = append(changes, ch) })
	defer stop()

	sub := e.r.NewRegEventSubscription(aliceAOR)
	empty, err := sub.Full(rec(), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reginfo-0-full-empty.xml", empty)

	e.process(t, reg{callID: "843817637684230@998sdasdh09", cseq: 1826,
		contacts: []string{`"Alice's phone" <sip:alice@192.0.2.4;transport=tcp>;q=0.8` + instParam(instA) + ";reg-id=1"}, supported: "gruu"})
	e.clock.Advance(10 * time.Second)
	e.process(t, reg{callID: "other-call", cseq: 7, contacts: []string{"<sip:alice@pc33.example.com>;expires=600"}})
	e.clock.Advance(20 * time.Second)
	full, err := sub.Full(rec(), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reginfo-1-full.xml", full)

	e.clock.Advance(30 * time.Second)
	e.process(t, reg{callID: "843817637684230@998sdasdh09", cseq: 1827,
		contacts: []string{`"Alice's phone" <sip:alice@192.0.2.4;transport=tcp>;q=0.8` + instParam(instA) + ";reg-id=1"}, supported: "gruu"})
	refreshed, err := sub.Partial(changes[len(changes)-1], e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reginfo-2-partial-refreshed.xml", refreshed)

	e.process(t, reg{callID: "other-call", cseq: 8, contacts: []string{"<sip:alice@pc33.example.com>;expires=0"}})
	removed, err := sub.Partial(changes[len(changes)-1], e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reginfo-3-partial-unregistered.xml", removed)

	e.clock.Advance(time.Hour)
	exp, err := e.store.Expire(ctx, e.clock.Now())
	if err != nil || len(exp) != 1 {
		t.Fatalf("Expire: %v, %v", exp, err)
	}
	expired, err := sub.Partial(exp[0], e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reginfo-4-partial-expired.xml", expired)

	// another AOR's change is nothing to this subscription
	if doc, err := sub.Partial(Change{AOR: bobAOR}, e.clock.Now()); doc != nil || err != nil {
		t.Errorf("bob's change gave %q, %v", doc, err)
	}
	// every document is well-formed XML in the reginfo namespace
	for _, doc := range [][]byte{empty, full, refreshed, removed, expired} {
		var v struct {
			XMLName xml.Name
			Version string `xml:"version,attr"`
		}
		if err := xml.Unmarshal(doc, &v); err != nil || v.XMLName.Space != nsRegInfo || v.XMLName.Local != "reginfo" {
			t.Errorf("not a reginfo document (%v): %s", err, doc)
		}
	}
	if !strings.Contains(string(full), `<gr:temp-gruu uri="sip:t`) || !strings.Contains(string(full), `first-cseq="1826"`) {
		t.Errorf("no temp-gruu in %s", full)
	}
	// the temp-gruu of a document routes to the instance
	m := regexp.MustCompile(`temp-gruu uri="([^"]+)"`).FindSubmatch(refreshed)
	if m == nil {
		t.Fatal("no temp-gruu in the refreshed document")
	}
	if got := e.resolveOne(t, string(m[1])); got != "404" { // expired by now
		t.Errorf("temp-gruu of an expired binding routes to %s", got)
	}
}

func TestAcceptsRegEvent(t *testing.T) {
	cases := []struct {
		headers []string
		want    bool
	}{
		{[]string{"Event: reg"}, true},
		{[]string{"Event: REG;id=1"}, true},
		{[]string{"o: reg"}, true},
		{[]string{"Event: reg", "Accept: application/reginfo+xml"}, true},
		{[]string{"Event: reg", "Accept: application/sdp, application/reginfo+xml;q=0.5"}, true},
		{[]string{"Event: reg", "Accept: application/pidf+xml"}, false},
		{[]string{"Event: presence"}, false},
		{nil, false},
	}
	for _, tc := range cases {
		g := reg{method: "SUBSCRIBE", ruri: aliceAOR}
		req := g.request(t)
		for _, h := range tc.headers {
			k, v, _ := strings.Cut(h, ": ")
			req.AppendHeader(newHeader(k, v))
		}
		if got := AcceptsRegEvent(req); got != tc.want {
			t.Errorf("%q: %v", tc.headers, got)
		}
	}
}
