package registrar

import (
	"crypto/subtle"
	"net"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// authenticator checks digest credentials (RFC 8760 algorithms SHA-256 and
// MD5, qop=auth only, so that every request carries a nonce-count) and
// builds challenges. It is safe for concurrent use.
type authenticator struct {
	realm   string
	algs    []string // offered, in order of preference
	users   users
	nonces  nonceMaker
	ttl     time.Duration
	counts  *nonceCounts
	limiter *failLimiter
	m       *metrics
}

// Failure reasons, the label values of the failures metric.
const (
	failMalformed   = "malformed"
	failUnknownUser = "unknown_user"
	failAlgorithm   = "algorithm"
	failQop         = "qop"
	failNonce       = "nonce"
	failURI         = "uri"
	failResponse    = "response"
	failReplay      = "replay"
)

// authOutcome is the result of checking a request's credentials: the
// account on success, else the response to send.
type authOutcome struct {
	acct    *account
	code    int // 0 on success
	reason  string
	headers []sipx.Header
	failure string // a failed attempt (counted, rate-limited), "" otherwise
}

// authenticate checks req's Authorization against our realm.
func (a *authenticator) authenticate(req *sipx.Request, now time.Time) authOutcome {
	src := sourceIP(req.Source())
	var creds []string
	for _, h := range req.GetHeaders("Authorization") {
		creds = append(creds, h.Value())
	}
	if len(creds) == 0 {
		return a.challenge(now, false)
	}
	if a.limiter.blocked(src, now) {
		a.m.throttled.Inc()
		return authOutcome{code: 403, reason: "Too Many Failed Attempts"}
	}
	var c credentials
	found := false
	for _, v := range creds {
		p, err := parseAuthorization(v)
		if err != nil {
			return a.fail(src, now, failMalformed)
		}
		if p.realm == a.realm {
			c, found = p, true
			break
		}
	}
	if !found {
		// credentials for another realm: not an attempt on ours
		return a.challenge(now, false)
	}
	alg := c.algorithm
	if alg == "" {
		alg = AlgMD5 // RFC 2617's default
	}
	alg = canonicalAlg(alg)
	if !a.offers(alg) {
		return a.fail(src, now, failAlgorithm)
	}
	if c.qop != "auth" || c.cnonce == "" {
		return a.fail(src, now, failQop)
	}
	nc, ok := parseNC(c.nc)
	if !ok || nc == 0 {
		return a.fail(src, now, failMalformed)
	}
	if c.userhash || c.username == "" || c.response == "" || c.uri == "" {
		return a.fail(src, now, failMalformed)
	}
	issued, ok := a.nonces.check(c.nonce)
	if !ok {
		return a.fail(src, now, failNonce)
	}
	acct := a.users[c.username]
	if acct == nil {
		return a.fail(src, now, failUnknownUser)
	}
	ha1, ok := acct.ha1[alg]
	if !ok {
		return a.fail(src, now, failAlgorithm)
	}
	if !sameRequestURI(c.uri, req.Recipient) {
		return a.fail(src, now, failURI)
	}
	ha2 := hexHash(alg, string(req.Method), c.uri)
	want := hexHash(alg, ha1, c.nonce, c.nc, c.cnonce, c.qop, ha2)
	if subtle.ConstantTimeCompare([]byte(want), []byte(c.response)) != 1 {
		return a.fail(src, now, failResponse)
	}
	if now.Sub(issued) > a.ttl {
		return a.challenge(now, true) // right password, old nonce
	}
	if !a.counts.use(c.nonce, issued, nc, now) {
		a.m.authFailures.WithLabelValues(failReplay).Inc()
		return a.challenge(now, true)
	}
	return authOutcome{acct: acct}
}

// fail counts a failed attempt and challenges again.
func (a *authenticator) fail(src string, now time.Time, why string) authOutcome {
	a.m.authFailures.WithLabelValues(why).Inc()
	a.limiter.fail(src, now)
	o := a.challenge(now, false)
	o.failure = why
	return o
}

// challenge is a 401 with one WWW-Authenticate per offered algorithm, the
// preferred first (RFC 8760 §2.4).
func (a *authenticator) challenge(now time.Time, stale bool) authOutcome {
	nonce := a.nonces.make(now)
	hs := make([]sipx.Header, 0, len(a.algs))
	for _, alg := range a.algs {
		var sb strings.Builder
		sb.WriteString(`Digest realm="`)
		sb.WriteString(a.realm)
		sb.WriteString(`", nonce="`)
		sb.WriteString(nonce)
		sb.WriteString(`", algorithm=`)
		sb.WriteString(alg)
		sb.WriteString(`, qop="auth"`)
		if stale {
			sb.WriteString(", stale=true")
		}
		hs = append(hs, sipx.NewHeader("WWW-Authenticate", sb.String()))
	}
	return authOutcome{code: 401, reason: "Unauthorized", headers: hs}
}

func (a *authenticator) offers(alg string) bool {
	for _, x := range a.algs {
		if x == alg {
			return true
		}
	}
	return false
}

func canonicalAlg(s string) string {
	switch strings.ToUpper(s) {
	case "MD5":
		return AlgMD5
	case "SHA-256":
		return AlgSHA256
	}
	return s
}

// sameRequestURI: the digest-uri must be the Request-URI (RFC 7616
// §3.4.6); compared as parsed URIs so that equivalent spellings match.
func sameRequestURI(digestURI string, ruri sipx.Uri) bool {
	if digestURI == ruri.String() {
		return true
	}
	u, err := sipx.ParseURI(digestURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, ruri.Scheme) && u.User == ruri.User &&
		strings.EqualFold(u.Host, ruri.Host) && u.Port == ruri.Port
}

// sourceIP is the address part of a host:port source.
func sourceIP(src string) string {
	if h, _, err := net.SplitHostPort(src); err == nil {
		return h
	}
	return src
}
