package transfer

import (
	"regexp"
	"strconv"

	"github.com/tandem-sip/tandem/events"
)

// Codes and reasons of the refusals, reported in the final NOTIFY of the
// refer subscription.
const (
	// CodeNotAllowed refuses a target by deny, allow or
	// require_same_domain.
	CodeNotAllowed    = 403
	ReasonNotAllowed  = "Transfer Target Not Allowed"   // deny, allow
	ReasonOtherDomain = "Transfer Target Not In Domain" // require_same_domain
	// CodeTooMany refuses a transfer beyond max_transfers_per_call.
	CodeTooMany   = 486
	ReasonTooMany = "Too Many Transfers"
)

// Rules named in a Verdict.
const (
	ruleDeny         = "deny"
	ruleAllow        = "allow"
	ruleSameDomain   = "require_same_domain"
	ruleMaxTransfers = "max_transfers_per_call"
	ruleRewrite      = "rewrite"
)

// Policy is a compiled Config: the transfer policy. It is immutable and
// safe for concurrent use.
type Policy struct {
	cfg Config
	re  compiled
}

// NewPolicy validates cfg and compiles it.
func NewPolicy(cfg Config) (*Policy, error) {
	re, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	return &Policy{cfg: cfg, re: re}, nil
}

// Counts reports whether the policy counts transfers per call
// (max_transfers_per_call is set).
func (p *Policy) Counts() bool { return p.cfg.MaxTransfersPerCall > 0 }

// Verdict is the policy's answer to one REFER: the decision sent to the
// core and the rule that gave it, for logs ("deny[2]", "allow",
// "require_same_domain", "max_transfers_per_call", "rewrite[0]", or ""
// for a transfer accepted as asked).
type Verdict struct {
	Decision events.ReferDecisionV1
	Rule     string
}

// Accepted reports whether the verdict lets the transfer happen; an
// accepted transfer counts towards max_transfers_per_call.
func (v Verdict) Accepted() bool { return v.Decision.Action == events.ActionAccept }

// Decide is the policy as a pure function: the verdict on req, given that
// prior transfers of req's call were accepted before. In order:
//
//  1. a Refer-To matching a deny expression: 403 Transfer Target Not Allowed;
//  2. with allow set, a Refer-To matching none of it: 403, the same;
//  3. with require_same_domain, a Refer-To host other than the From host:
//     403 Transfer Target Not In Domain;
//  4. with max_transfers_per_call set and reached by prior: 486 Too Many
//     Transfers;
//  5. otherwise accept, with Target from the first rewrite rule whose match
//     matches the Refer-To (none for an attended transfer, whose Refer-To
//     names a dialog to replace: rewriting it would break the replacement).
func (p *Policy) Decide(req events.ReferRequestV1, prior int) Verdict {
	for i, re := range p.re.deny {
		if re.MatchString(req.ReferTo) {
			return reject(CodeNotAllowed, ReasonNotAllowed, ruleDeny+"["+strconv.Itoa(i)+"]")
		}
	}
	if len(p.re.allow) > 0 && !matchesAny(p.re.allow, req.ReferTo) {
		return reject(CodeNotAllowed, ReasonNotAllowed, ruleAllow)
	}
	if p.cfg.RequireSameDomain {
		if h := uriHost(req.ReferTo); h == "" || h != uriHost(req.From) {
			return reject(CodeNotAllowed, ReasonOtherDomain, ruleSameDomain)
		}
	}
	if limit := p.cfg.MaxTransfersPerCall; limit > 0 && prior >= limit {
		return reject(CodeTooMany, ReasonTooMany, ruleMaxTransfers)
	}
	if req.Replaces == nil {
		for i, r := range p.re.rewrite {
			m := r.match.FindStringSubmatchIndex(req.ReferTo)
			if m == nil {
				continue
			}
			t := string(r.match.ExpandString(nil, r.target, req.ReferTo, m))
			return Verdict{
				Decision: events.ReferDecisionV1{Action: events.ActionAccept, Target: t},
				Rule:     ruleRewrite + "[" + strconv.Itoa(i) + "]",
			}
		}
	}
	return Verdict{Decision: events.ReferDecisionV1{Action: events.ActionAccept}}
}

func reject(code int, reason, rule string) Verdict {
	return Verdict{Decision: events.ReferDecisionV1{Action: events.ActionReject, Code: code, Reason: reason}, Rule: rule}
}

func matchesAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
