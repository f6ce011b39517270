package registrar

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

func instParam(inst string) string { return `;+sip.instance="<` + inst + `>"` }

// gruusOf returns the pub-gruu and temp-gruu of the Contact of res whose
// URI is uri.
func gruusOf(t *testing.T, res Result, uri string) (pub, temp string) {
	t.Helper()
	for _, v := range headers(res, "Contact") {
		if strings.HasPrefix(v, "<"+uri+">") {
			pub, _ = paramOf(v, "pub-gruu")
			temp, _ = paramOf(v, "temp-gruu")
			return pub, temp
		}
	}
	t.Fatalf("no Contact %s in %q", uri, headers(res, "Contact"))
	return "", ""
}

func mustURI(t *testing.T, s string) sipx.Uri {
	t.Helper()
	u, err := sipx.ParseURI(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}

// resolveOne resolves a GRUU and returns the contact it routes to, or "404".
func (e *env) resolveOne(t *testing.T, uri string) string {
	t.Helper()
	tg, err := e.r.Resolve(context.Background(), mustURI(t, uri), e.clock.Now())
	if errors.Is(err, ErrNotFound) {
		return "404"
	}
	if err != nil {
		t.Fatal(err)
	}
	if tg.Kind != TargetGRUU || len(tg.Bindings) != 1 {
		t.Fatalf("Resolve(%s) = %+v: not exactly one binding", uri, tg)
	}
	return tg.Bindings[0].Contact
}

// TestGRUUConditions: GRUUs only for a Contact with +sip.instance, a
// non-zero expiry and Supported: gruu; a Contact that is a GRUU is left
// untouched (no GRUU processing, stored exactly as sent).
func TestGRUUConditions(t *testing.T) {
	cases := []struct {
		name      string
		contact   string
		supported string
		want      bool
	}{
		{"instance and gruu", "<sip:a@192.0.2.1>" + instParam(instA), "gruu", true},
		{"k: compact form", "<sip:a@192.0.2.1>" + instParam(instA), "", true}, // set below through k
		{"no Supported", "<sip:a@192.0.2.1>" + instParam(instA), "", false},
		{"no instance", "<sip:a@192.0.2.1>", "gruu", false},
		{"a GRUU as Contact", "<sip:alice@example.com;gr=urn:uuid:x>" + instParam(instA), "gruu", false},
		{"Supported among others", "<sip:a@192.0.2.1>" + instParam(instA), "path, GRUU, outbound", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			g := reg{contacts: []string{tc.contact}, supported: tc.supported}
			req := g.request(t)
			if tc.name == "k: compact form" {
				req.AppendHeader(sipx.NewHeader("k", "gruu"))
			}
			res := e.r.Process(context.Background(), req, e.clock.Now())
			if res.Code != 200 {
				t.Fatalf("code %d %v", res.Code, res.Err)
			}
			v := headers(res, "Contact")[0]
			_, hasPub := paramOf(v, "pub-gruu")
			_, hasTemp := paramOf(v, "temp-gruu")
			if hasPub != tc.want || hasTemp != tc.want {
				t.Errorf("pub-gruu %v temp-gruu %v in %q, want %v", hasPub, hasTemp, v, tc.want)
			}
			if strings.Contains(tc.contact, ";gr=") && !strings.HasPrefix(v, "<sip:alice@example.com;gr=urn:uuid:x>") {
				t.Errorf("the GRUU Contact was rewritten: %q", v)
			}
		})
	}
	// an expiry of zero removes; no GRUU is handed out for it
	e := newEnv(t)
	e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>" + instParam(instA)}, supported: "gruu"})
	res := e.process(t, reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>;expires=0" + instParam(instA)}, supported: "gruu"})
	if res.Code != 200 || len(headers(res, "Contact")) != 0 {
		t.Errorf("unregister: %d %q", res.Code, headers(res, "Contact"))
	}
}

// TestGRUUInvalidation is the register race of the GRUU-12 slides:
// refreshes with the same Call-ID keep every temp-gruu valid; a REGISTER
// with a new Call-ID invalidates them all at once, while the pub-gruu
// stays; unregistering ends them all (404).
func TestGRUUInvalidation(t *testing.T) {
	e := newEnv(t)
	contact := "<sip:a@192.0.2.1>" + instParam(instA)
	res1 := e.process(t, reg{cseq: 1, contacts: []string{contact}, supported: "gruu"})
	pub1, temp1 := gruusOf(t, res1, "sip:a@192.0.2.1")
	if want := "sip:alice@example.com;gr=" + instA; pub1 != want {
		t.Errorf("pub-gruu %q, want %q", pub1, want)
	}
	if !strings.HasPrefix(temp1, "sip:t") || !strings.HasSuffix(temp1, "@example.com;gr") || strings.Contains(temp1, "alice") {
		t.Errorf("temp-gruu %q", temp1)
	}
	e.clock.Advance(time.Minute)
	res2 := e.process(t, reg{cseq: 2, contacts: []string{contact}, supported: "gruu"})
	pub2, temp2 := gruusOf(t, res2, "sip:a@192.0.2.1")
	if pub2 != pub1 || temp2 == temp1 {
		t.Errorf("refresh: pub %q (want stable), temp %q (want new)", pub2, temp2)
	}
	for _, g := range []string{pub1, temp1, temp2} {
		if got := e.resolveOne(t, g); got != "sip:a@192.0.2.1" {
			t.Errorf("after a refresh %s routes to %s", g, got)
		}
	}
	// the UA restarts: same instance, new Call-ID, new Contact
	res3 := e.process(t, reg{callID: "call-2", cseq: 1, contacts: []string{"<sip:a@192.0.2.99>" + instParam(instA)}, supported: "gruu"})
	_, temp3 := gruusOf(t, res3, "sip:a@192.0.2.99")
	for _, g := range []string{temp1, temp2} {
		if got := e.resolveOne(t, g); got != "404" {
			t.Errorf("after a new Call-ID the old temp-gruu %s routes to %s", g, got)
		}
	}
	if got := e.resolveOne(t, temp3); got != "sip:a@192.0.2.99" {
		t.Errorf("new temp-gruu routes to %s", got)
	}
	if got := e.resolveOne(t, pub1); got != "sip:a@192.0.2.99" {
		t.Errorf("pub-gruu routes to %s", got)
	}
	// back to the first Call-ID, as a new binding: the first temp-gruus
	// stay dead (their first CSeq is not the binding's)
	e.process(t, reg{callID: "call-2", cseq: 2, contacts: []string{"<sip:a@192.0.2.99>;expires=0" + instParam(instA)}, supported: "gruu"})
	e.process(t, reg{callID: "call-1", cseq: 10, contacts: []string{contact}, supported: "gruu"})
	if got := e.resolveOne(t, temp1); got != "404" {
		t.Errorf("a temp-gruu of an earlier registration with the same Call-ID routes to %s", got)
	}
	// unregistered: every GRUU is 404
	e.process(t, reg{callID: "call-1", cseq: 11, contacts: []string{"*"}, expires: "0"})
	for _, g := range []string{pub1, temp3} {
		if got := e.resolveOne(t, g); got != "404" {
			t.Errorf("after unregistering %s routes to %s", g, got)
		}
	}
	// expired: 404 too
	res4 := e.process(t, reg{callID: "call-3", cseq: 1, contacts: []string{contact + ";expires=60"}, supported: "gruu"})
	_, temp4 := gruusOf(t, res4, "sip:a@192.0.2.1")
	e.clock.Advance(61 * time.Second)
	if got := e.resolveOne(t, temp4); got != "404" {
		t.Errorf("after expiry the temp-gruu routes to %s", got)
	}
}

// TestGRUUNeverForks: two instances of one AOR; the AOR forks to both, each
// GRUU reaches exactly its instance; GRUUs of unknown instances, foreign
// tokens and tampered tokens are 404.
func TestGRUUNeverForks(t *testing.T) {
	e := newEnv(t)
	resA := e.process(t, reg{callID: "a", contacts: []string{"<sip:phone-a@192.0.2.1>" + instParam(instA)}, supported: "gruu"})
	resB := e.process(t, reg{callID: "b", contacts: []string{"<sip:phone-b@192.0.2.2>;q=0.9" + instParam(instB)}, supported: "gruu"})
	pubA, tempA := gruusOf(t, resA, "sip:phone-a@192.0.2.1")
	pubB, tempB := gruusOf(t, resB, "sip:phone-b@192.0.2.2")

	tg, err := e.r.Resolve(context.Background(), mustURI(t, aliceAOR), e.clock.Now())
	if err != nil || tg.Kind != TargetAOR || len(tg.Bindings) != 2 {
		t.Fatalf("AOR: %+v, %v; want both contacts", tg, err)
	}
	if tg.Bindings[0].Contact != "sip:phone-a@192.0.2.1" {
		t.Errorf("q order: %v", contactsOf(tg.Bindings))
	}
	for g, want := range map[string]string{pubA: "sip:phone-a@192.0.2.1", tempA: "sip:phone-a@192.0.2.1", pubB: "sip:phone-b@192.0.2.2", tempB: "sip:phone-b@192.0.2.2"} {
		if got := e.resolveOne(t, g); got != want {
			t.Errorf("%s routes to %s, want %s", g, got, want)
		}
	}
	other, _ := gruu.NewMinter(gruu.GenerateKey())
	foreignTok, _ := other.MintTemp(gruu.NewTempRef(aliceAOR, instA, "a", 1, 1))
	tampered := []byte(tempA)
	tampered[10] ^= 'a' ^ 'b'
	for _, g := range []string{
		"sip:alice@example.com;gr=urn:uuid:99999999-0000-1000-8000-000a95a0e128",
		"sip:alice@example.com;gr",
		"sip:" + foreignTok + "@example.com;gr",
		string(tampered),
		"sip:bob@example.com;gr=" + instA,
	} {
		if got := e.resolveOne(t, g); got != "404" {
			t.Errorf("%s routes to %s, want 404", g, got)
		}
	}
	// a pub-gruu written with an upper-case UUID is the same instance
	if got := e.resolveOne(t, "sip:alice@example.com;gr="+strings.ToUpper(instA)); got != "sip:phone-a@192.0.2.1" {
		t.Errorf("upper-case pub-gruu routes to %s", got)
	}
}

func TestResolveKinds(t *testing.T) {
	e := newEnv(t)
	e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>"}})
	tok, _ := e.minter.MintLeg(gruu.LegRef{Node: "tandem-1", CallID: "c1", LegID: "c1-a"})
	cases := []struct {
		uri  string
		kind TargetKind
		err  error
	}{
		{aliceAOR, TargetAOR, nil},
		{"sip:alice@EXAMPLE.com;transport=tcp", TargetAOR, nil},
		{"sip:nobody@example.com", TargetNone, ErrNotFound}, // authoritative for example.com
		{"sip:alice@other.org", TargetNone, nil},            // not ours: route as usual
		{"sip:" + tok + "@192.0.2.200;gr", TargetLeg, nil},
		{"sip:" + tok + "@example.com;gr", TargetLeg, nil},
		{"sip:lnotatoken@example.com;gr", TargetNone, ErrNotFound},
		{"sip:lnotatoken@other.org;gr", TargetNone, nil},
	}
	for _, tc := range cases {
		tg, err := e.r.Resolve(context.Background(), mustURI(t, tc.uri), e.clock.Now())
		if !errors.Is(err, tc.err) || (err == nil && tg.Kind != tc.kind) {
			t.Errorf("Resolve(%s) = %v, %v; want kind %v, err %v", tc.uri, tg.Kind, err, tc.kind, tc.err)
		}
		if tg.Kind == TargetLeg && tg.Leg.LegID != "c1-a" {
			t.Errorf("leg %+v", tg.Leg)
		}
	}
	// without configured domains, an unknown AOR is not ours to refuse
	open := newEnv(t, func(c *Config) { c.Domains = nil })
	if tg, err := open.r.Resolve(context.Background(), mustURI(t, "sip:nobody@anywhere.org"), t0); err != nil || tg.Kind != TargetNone {
		t.Errorf("open registrar: %+v, %v", tg, err)
	}
}
