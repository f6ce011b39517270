package transfer_test

import (
	"testing"

	"github.com/tandem-sip/tandem/apps/transfer"
	"github.com/tandem-sip/tandem/events"
)

func refer(referTo, from string) events.ReferRequestV1 {
	return events.ReferRequestV1{TransferID: "t1", ReferTo: referTo, From: from}
}

func accept(target string) events.ReferDecisionV1 {
	return events.ReferDecisionV1{Action: events.ActionAccept, Target: target}
}

func reject(code int, reason string) events.ReferDecisionV1 {
	return events.ReferDecisionV1{Action: events.ActionReject, Code: code, Reason: reason}
}

var (
	notAllowed  = reject(403, "Transfer Target Not Allowed")
	otherDomain = reject(403, "Transfer Target Not In Domain")
	tooMany     = reject(486, "Too Many Transfers")
)

func TestDecide(t *testing.T) {
	const from = "sip:bob@example.com"
	tests := []struct {
		name  string
		cfg   transfer.Config
		req   events.ReferRequestV1
		prior int
		want  events.ReferDecisionV1
		rule  string
	}{
		{"no config accepts as asked", transfer.Config{}, refer("sip:carol@example.com", from), 0, accept(""), ""},
		{"no limit however many", transfer.Config{}, refer("sip:carol@example.com", from), 1000, accept(""), ""},
		{"deny match", transfer.Config{Deny: []string{`^sip:9`, `@premium\.example\.com`}},
			refer("sip:0900@premium.example.com", from), 0, notAllowed, "deny[1]"},
		{"deny no match", transfer.Config{Deny: []string{`@premium\.example\.com`}},
			refer("sip:carol@example.com", from), 0, accept(""), ""},
		{"allow match", transfer.Config{Allow: []string{`@example\.com$`, `@example\.org$`}},
			refer("sip:carol@example.org", from), 0, accept(""), ""},
		{"allow no match", transfer.Config{Allow: []string{`@example\.com$`}},
			refer("sip:carol@evil.example", from), 0, notAllowed, "allow"},
		{"deny wins over allow", transfer.Config{Allow: []string{`example\.com`}, Deny: []string{`^sip:0`}},
			refer("sip:0800@example.com", from), 0, notAllowed, "deny[0]"},
		{"same domain", transfer.Config{RequireSameDomain: true},
			refer("sip:carol@EXAMPLE.com:5070;transport=tcp", from), 0, accept(""), ""},
		{"same domain, sips and a name-addr From", transfer.Config{RequireSameDomain: true},
			refer("sips:carol@example.com", `"Bob" <sip:bob@example.com>;tag=x`), 0, accept(""), ""},
		{"same domain, IPv6", transfer.Config{RequireSameDomain: true},
			refer("sip:carol@[2001:db8::1]:5060", "sip:bob@[2001:DB8::1]"), 0, accept(""), ""},
		{"other domain", transfer.Config{RequireSameDomain: true},
			refer("sip:carol@example.org", from), 0, otherDomain, "require_same_domain"},
		{"subdomain is another domain", transfer.Config{RequireSameDomain: true},
			refer("sip:carol@pbx.example.com", from), 0, otherDomain, "require_same_domain"},
		{"no From host", transfer.Config{RequireSameDomain: true},
			refer("sip:carol@example.com", ""), 0, otherDomain, "require_same_domain"},
		{"under the limit", transfer.Config{MaxTransfersPerCall: 2},
			refer("sip:carol@example.com", from), 1, accept(""), ""},
		{"at the limit", transfer.Config{MaxTransfersPerCall: 2},
			refer("sip:carol@example.com", from), 2, tooMany, "max_transfers_per_call"},
		{"a denied target says 403, not 486", transfer.Config{MaxTransfersPerCall: 1, Deny: []string{"carol"}},
			refer("sip:carol@example.com", from), 5, notAllowed, "deny[0]"},
		{"rewrite by group", transfer.Config{Rewrite: []transfer.Rewrite{
			{Match: `^sip:(\d{3})@`, Target: "sip:$1@pbx.example.com"},
		}}, refer("sip:201@example.com", from), 0, accept("sip:201@pbx.example.com"), "rewrite[0]"},
		{"rewrite by name, ${} and $$", transfer.Config{Rewrite: []transfer.Rewrite{
			{Match: `^sip:(?P<user>\w+)@`, Target: "sip:${user}x$$@vm.example.com"},
		}}, refer("sip:carol@example.com", from), 0, accept("sip:carolx$@vm.example.com"), "rewrite[0]"},
		{"first rewrite wins", transfer.Config{Rewrite: []transfer.Rewrite{
			{Match: `^sip:nobody@`, Target: "sip:a@x"},
			{Match: `^sip:(carol)@`, Target: "sip:$1@first"},
			{Match: `^sip:carol@`, Target: "sip:second@x"},
		}}, refer("sip:carol@example.com", from), 0, accept("sip:carol@first"), "rewrite[1]"},
		{"no rewrite matches", transfer.Config{Rewrite: []transfer.Rewrite{{Match: `^sip:1`, Target: "sip:x@y"}}},
			refer("sip:carol@example.com", from), 0, accept(""), ""},
		{"checks see the Refer-To, not the rewrite", transfer.Config{
			Deny:    []string{`@blocked`},
			Rewrite: []transfer.Rewrite{{Match: `^sip:(\w+)@`, Target: "sip:$1@blocked"}},
		}, refer("sip:carol@example.com", from), 0, accept("sip:carol@blocked"), "rewrite[0]"},
		{"attended transfer is not rewritten", transfer.Config{Rewrite: []transfer.Rewrite{{Match: `carol`, Target: "sip:x@y"}}},
			events.ReferRequestV1{ReferTo: "sip:carol@example.com", Replaces: &events.ReplacesV1{CallID: "c"}}, 0, accept(""), ""},
		{"attended transfer is checked", transfer.Config{Deny: []string{`carol`}},
			events.ReferRequestV1{ReferTo: "sip:carol@example.com", Replaces: &events.ReplacesV1{CallID: "c"}}, 0, notAllowed, "deny[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := transfer.NewPolicy(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			v := p.Decide(tt.req, tt.prior)
			if v.Decision != tt.want || v.Rule != tt.rule {
				t.Errorf("Decide = %+v rule %q, want %+v rule %q", v.Decision, v.Rule, tt.want, tt.rule)
			}
			if err := v.Decision.Validate(); err != nil {
				t.Errorf("the core would refuse %+v: %v", v.Decision, err)
			}
			if v.Accepted() != (tt.want.Action == events.ActionAccept) {
				t.Errorf("Accepted = %v", v.Accepted())
			}
		})
	}
}
