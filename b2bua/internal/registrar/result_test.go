package registrar

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// TestResultApply: a 2xx built the way the core builds responses, with
// the result applied, goes on the wire and parses back: a To tag, every
// binding as a Contact with its GRUUs, Date, Supported.
func TestResultApply(t *testing.T) {
	e := newEnv(t)
	e.process(t, reg{callID: "x", contacts: []string{`"Desk, 2" <sip:desk@192.0.2.2>;q=0.3;methods="INVITE, BYE"`}})
	g := reg{contacts: []string{"<sip:a@192.0.2.1;transport=tcp>" + instParam(instA) + ";reg-id=1"}, supported: "gruu"}
	req := g.request(t)
	res := e.r.Process(t.Context(), req, e.clock.Now())
	if res.Code != 200 {
		t.Fatal(res.Code, res.Err)
	}
	resp := sipx.NewResponseFromRequest(req, res.Code, res.Reason, nil)
	res.Apply(resp)
	msg, err := sip.ParseMessage([]byte(resp.String()))
	if err != nil {
		t.Fatalf("the 2xx does not parse: %v\n%s", err, resp.String())
	}
	back := msg.(*sip.Response)
	if tag, _ := back.To().Params.Get("tag"); tag == "" {
		t.Error("no To tag")
	}
	cs := back.GetHeaders("Contact")
	if len(cs) != 2 {
		t.Fatalf("%d Contacts in\n%s", len(cs), resp.String())
	}
	text := resp.String()
	for _, want := range []string{
		`Contact: <sip:a@192.0.2.1;transport=tcp>;expires=3600;+sip.instance="<` + instA + `>";reg-id=1;pub-gruu="sip:alice@example.com;gr=` + instA + `";temp-gruu="sip:t`,
		`Contact: "Desk, 2" <sip:desk@192.0.2.2>;expires=3600;q=0.3;methods="INVITE, BYE"`,
		"Supported: gruu", "Date: ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	// a challenge, too
	a := newEnv(t, func(c *Config) { c.Auth.Required = true })
	ch := a.r.Process(t.Context(), g.request(t), a.clock.Now())
	resp = sipx.NewResponseFromRequest(req, ch.Code, ch.Reason, nil)
	ch.Apply(resp)
	if msg, err = sip.ParseMessage([]byte(resp.String())); err != nil || len(msg.(*sip.Response).GetHeaders("WWW-Authenticate")) != 2 {
		t.Errorf("401: %v\n%s", err, resp.String())
	}
}
