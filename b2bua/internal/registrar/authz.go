package registrar

import (
	"fmt"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// AuthResult is the outcome of Authenticate.
type AuthResult struct {
	// User is the authenticated user; "" with Config.Auth.Required off.
	User string
	// Code is 0 when the request may proceed; else the response to send
	// (401 with Headers, the challenges, or 403), with Reason.
	Code    int
	Reason  string
	Headers []sipx.Header
}

// Authenticate checks the digest credentials of any request (the core
// uses it for SUBSCRIBE Event: reg) exactly as Process does for REGISTER:
// same realm, nonces, replay protection and per-source failure limit.
func (r *Registrar) Authenticate(req *sipx.Request, now time.Time) AuthResult {
	if !r.cfg.Auth.Required {
		return AuthResult{}
	}
	o := r.auth.authenticate(req, now)
	if o.code != 0 {
		return AuthResult{Code: o.code, Reason: o.reason, Headers: o.headers}
	}
	return AuthResult{User: o.acct.name}
}

// MayWatch reports whether user may subscribe to the reg event of aor
// (canonical): the AOR's owner (an AOR the user may register) or a user
// Config.Watchers lists for it or for "*". With authentication off
// (user ""), anyone may, on a served domain.
func (r *Registrar) MayWatch(user, aor string) bool {
	if !r.cfg.Auth.Required {
		return r.ServesDomain(hostOf(aorDomain(aor)))
	}
	if user == "" {
		return false
	}
	if r.owns(r.auth.users[user], aor) {
		return true
	}
	for _, key := range []string{aor, "*"} {
		for _, u := range r.watchers[key] {
			if u == user {
				return true
			}
		}
	}
	return false
}

// CanonicalAOR returns the address-of-record of a URI (the To URI of a
// REGISTER, the Request-URI of a reg SUBSCRIBE): sip:user@host, without
// parameters, escapes normalised.
func CanonicalAOR(u sipx.Uri) (string, error) {
	aor, err := canonicalAOR(u)
	if err != nil {
		return "", fmt.Errorf("registrar: %w", err)
	}
	return aor, nil
}

// AcceptsRegEvent reports whether a SUBSCRIBE is for the reg event package
// (Event: reg, compact o: reg) and accepts application/reginfo+xml (or says
// nothing of what it accepts).
func AcceptsRegEvent(req *sipx.Request) bool {
	ev := ""
	for _, n := range []string{"Event", "o"} {
		if h := req.GetHeader(n); h != nil {
			ev = h.Value()
			break
		}
	}
	pkg, _, _ := strings.Cut(ev, ";")
	if !strings.EqualFold(strings.TrimSpace(pkg), "reg") {
		return false
	}
	accepts := req.GetHeaders("Accept")
	if len(accepts) == 0 {
		return true
	}
	for _, h := range accepts {
		for _, t := range strings.Split(h.Value(), ",") {
			t, _, _ = strings.Cut(t, ";")
			if t = strings.ToLower(strings.TrimSpace(t)); t == RegInfoContentType || t == "application/*" || t == "*/*" {
				return true
			}
		}
	}
	return false
}
