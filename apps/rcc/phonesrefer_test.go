package rcc_test

import (
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// POST /v1/phones/refer passes no_subscription and fallback on; a fallback
// "originate" calls the phone with Answer-Mode: Auto, so it needs a token
// with answer_mode, as an originate carrying Answer-Mode does: without it
// the gateway refuses with 403 before the core hears of it.
func TestPhonesReferFallbackNeedsAnswerMode(t *testing.T) {
	s := startNATS(t)
	st := startStub(t, s, func(r received) any {
		return map[string]any{"request_id": r.Body["request_id"], "mode": "originate", "call_id": "c2", "a_leg_id": "c2-o1", "refer_refused": 501}
	})
	base := startGateway(t, s, `{
	"listen": "127.0.0.1:0",
	"command_timeout": "2s",
	"tokens": [
		{"name": "crm", "token": "crm-token-0123456789", "permissions": ["phones.refer"]},
		{"name": "desk", "token": "desk-token-0123456789", "permissions": ["phones.refer"], "answer_mode": true}
	]}`)
	const body = `{"phone":"sip:alice@example.com","target":"sip:bob@example.com","no_subscription":true,"fallback":"originate"}`

	res := do(t, "POST", base+"/v1/phones/refer", "crm-token-0123456789", body)
	if res.Status != 403 || res.errorName() != "forbidden" {
		t.Fatalf("crm (no answer_mode), fallback originate: %d %s, want 403 forbidden", res.Status, res.Body)
	}
	if n := len(st.commands()); n != 0 {
		t.Errorf("the core got %d commands", n)
	}
	// without the fallback the same token may refer
	res = do(t, "POST", base+"/v1/phones/refer", "crm-token-0123456789", `{"phone":"sip:alice@example.com","target":"sip:bob@example.com","no_subscription":true}`)
	if res.Status != 200 {
		t.Fatalf("crm, no fallback: %d %s", res.Status, res.Body)
	}
	if got := st.last(t).Body; got["no_subscription"] != true || got["fallback"] != nil {
		t.Errorf("core got %v", got)
	}

	res = do(t, "POST", base+"/v1/phones/refer", "desk-token-0123456789", body)
	if res.Status != 200 {
		t.Fatalf("desk (answer_mode), fallback originate: %d %s", res.Status, res.Body)
	}
	if got := st.last(t).Body; got["fallback"] != "originate" || got["no_subscription"] != true || got["controller"] != "desk" {
		t.Errorf("core got %v", got)
	}
	var rep events.PhonesReferReplyV1
	res.decode(t, &rep)
	if rep.Mode != events.ReferModeOriginate || rep.CallID != "c2" || rep.ALegID != "c2-o1" || rep.ReferRefused != 501 {
		t.Errorf("reply %s", res.Body)
	}
}
