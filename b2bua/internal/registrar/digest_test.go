package registrar

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func authEnv(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	return newEnv(t, append([]func(*Config){func(c *Config) { c.Auth.Required = true }}, mutate...)...)
}

// register runs the challenge/response exchange for user and returns the
// final result.
func (e *env) register(t *testing.T, d *digestClient, alg string, g reg) Result {
	t.Helper()
	res := e.process(t, g)
	if res.Code != 401 {
		t.Fatalf("first REGISTER: %d, want 401", res.Code)
	}
	g.cseq++
	g.auth = d.authorize(t, res, alg, "REGISTER", orDefault(g.ruri, "sip:example.com"))
	return e.process(t, g)
}

func TestDigestChallenge(t *testing.T) {
	e := authEnv(t)
	res := e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>"}})
	if res.Code != 401 {
		t.Fatalf("code %d", res.Code)
	}
	chs := headers(res, "WWW-Authenticate")
	if len(chs) != 2 {
		t.Fatalf("challenges %q, want SHA-256 then MD5", chs)
	}
	for i, alg := range []string{"SHA-256", "MD5"} {
		c, _ := parseChallenge(chs[i])
		if c["algorithm"] != alg || c["realm"] != "example.com" || c["qop"] != "auth" || c["nonce"] == "" || c["stale"] != "" {
			t.Errorf("challenge %d: %q", i, chs[i])
		}
	}
	if len(e.lookup(t, aliceAOR)) != 0 {
		t.Error("an unauthenticated REGISTER changed bindings")
	}
}

func TestDigestSuccess(t *testing.T) {
	cases := []struct {
		user, pass, alg string
		to              string
	}{
		{"alice", "secret", "SHA-256", aliceAOR},
		{"alice", "secret", "MD5", aliceAOR},
		{"carol", "pw", "SHA-256", "sip:carol@example.com"}, // HA1 from config
		{"carol", "pw", "MD5", "sip:carol@example.com"},
		{"dave", "pw", "MD5", "sip:dave@example.com"},      // MD5 HA1 only
		{"erin", "pw", "SHA-256", "sip:sales@example.com"}, // explicit AORs
	}
	for _, tc := range cases {
		t.Run(tc.user+"/"+tc.alg, func(t *testing.T) {
			e := authEnv(t)
			d := &digestClient{user: tc.user, pass: tc.pass}
			res := e.register(t, d, tc.alg, reg{to: tc.to, contacts: []string{"<sip:a@192.0.2.1>"}})
			if res.Code != 200 || res.User != tc.user {
				t.Fatalf("code %d user %q (%v)", res.Code, res.User, res.Err)
			}
			if len(e.lookup(t, tc.to)) != 1 {
				t.Error("no binding")
			}
			if b := e.lookup(t, tc.to)[0]; b.User != tc.user {
				t.Errorf("binding user %q", b.User)
			}
		})
	}
}

func TestDigestFailures(t *testing.T) {
	e := authEnv(t)
	first := e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>"}})
	c, _ := parseChallenge(headers(first, "WWW-Authenticate")[0])
	nonce := c["nonce"]
	good := &digestClient{user: "alice", pass: "secret"}
	cases := []struct {
		name   string
		auth   string
		to     string
		code   int
		reason string // failure metric label, "" none
	}{
		{"wrong password", (&digestClient{user: "alice", pass: "nope"}).answer("example.com", nonce, "SHA-256", "REGISTER", "sip:example.com", "00000001", "x"), "", 401, failResponse},
		{"unknown user", (&digestClient{user: "mallory", pass: "x"}).answer("example.com", nonce, "SHA-256", "REGISTER", "sip:example.com", "00000001", "x"), "", 401, failUnknownUser},
		{"forged nonce", good.answer("example.com", strings.Repeat("A", nonceLen), "SHA-256", "REGISTER", "sip:example.com", "00000001", "x"), "", 401, failNonce},
		{"other uri", good.answer("example.com", nonce, "SHA-256", "REGISTER", "sip:evil.org", "00000001", "x"), "", 401, failURI},
		{"no qop", `Digest username="alice", realm="example.com", nonce="` + nonce + `", uri="sip:example.com", response="00", algorithm=MD5`, "", 401, failQop},
		{"unknown algorithm", strings.Replace(good.answer("example.com", nonce, "MD5", "REGISTER", "sip:example.com", "00000001", "x"), "algorithm=MD5", "algorithm=SHA-512-256", 1), "", 401, failAlgorithm},
		{"MD5 hash for a SHA-256-less user", (&digestClient{user: "dave", pass: "pw"}).answer("example.com", nonce, "SHA-256", "REGISTER", "sip:example.com", "00000001", "x"), "sip:dave@example.com", 401, failAlgorithm},
		{"malformed", `Digest username=alice"`, "", 401, failMalformed},
		{"bad nc", strings.Replace(good.answer("example.com", nonce, "MD5", "REGISTER", "sip:example.com", "00000001", "x"), "nc=00000001", "nc=1", 1), "", 401, failMalformed},
		{"another realm is no attempt", `Digest username="alice", realm="other", nonce="x", uri="sip:example.com", response="0"`, "", 401, ""},
		{"right user, foreign AOR", good.answer("example.com", nonce, "SHA-256", "REGISTER", "sip:example.com", "00000001", "x"), bobAOR, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.metricValue(t, "tandem_registrar_auth_failures_total", tc.reason)
			res := e.process(t, reg{to: orDefault(tc.to, aliceAOR), cseq: 2, contacts: []string{"<sip:a@192.0.2.1>"}, auth: tc.auth, source: "198.51.100." + tc.name[:1] + ":5060"})
			if res.Code != tc.code {
				t.Fatalf("code %d (%v), want %d", res.Code, res.Err, tc.code)
			}
			if tc.reason != "" {
				if got := e.metricValue(t, "tandem_registrar_auth_failures_total", tc.reason); got != before+1 {
					t.Errorf("failures{%s} = %v, want %v", tc.reason, got, before+1)
				}
			}
			if tc.code == 401 && len(headers(res, "WWW-Authenticate")) != 2 {
				t.Error("no new challenge")
			}
		})
	}
	if n := len(e.lookup(t, aliceAOR)) + len(e.lookup(t, bobAOR)); n != 0 {
		t.Errorf("%d bindings after failures", n)
	}
}

// TestDigestStaleAndReplay: an expired nonce with the right password gets
// stale=true; a replayed nonce-count is refused; the count may skip.
func TestDigestStaleAndReplay(t *testing.T) {
	e := authEnv(t)
	d := &digestClient{user: "alice", pass: "secret"}
	first := e.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>"}})
	c, _ := parseChallenge(headers(first, "WWW-Authenticate")[0])
	nonce := c["nonce"]
	send := func(cseq uint32, nc string) Result {
		return e.process(t, reg{cseq: cseq, contacts: []string{"<sip:a@192.0.2.1>"},
			auth: d.answer("example.com", nonce, "SHA-256", "REGISTER", "sip:example.com", nc, "cn")})
	}
	if res := send(2, "00000001"); res.Code != 200 {
		t.Fatalf("nc 1: %d %v", res.Code, res.Err)
	}
	if res := send(3, "00000001"); res.Code != 401 || !strings.Contains(headers(res, "WWW-Authenticate")[0], "stale=true") {
		t.Errorf("replayed nc 1: %d %q, want 401 stale", res.Code, headers(res, "WWW-Authenticate"))
	}
	if got := e.metricValue(t, "tandem_registrar_auth_failures_total", failReplay); got != 1 {
		t.Errorf("replay failures %v", got)
	}
	if res := send(4, "00000005"); res.Code != 200 {
		t.Errorf("nc 5: %d", res.Code)
	}
	e.clock.Advance(5*time.Minute + time.Second)
	res := send(5, "00000006")
	if res.Code != 401 || !strings.Contains(headers(res, "WWW-Authenticate")[0], "stale=true") {
		t.Fatalf("old nonce: %d %q, want 401 stale=true", res.Code, headers(res, "WWW-Authenticate"))
	}
	// the UA answers the new challenge without asking its user
	g := reg{cseq: 6, contacts: []string{"<sip:a@192.0.2.1>"}}
	g.auth = d.authorize(t, res, "SHA-256", "REGISTER", "sip:example.com")
	if res := e.process(t, g); res.Code != 200 {
		t.Errorf("after stale: %d", res.Code)
	}
}

// TestDigestNoncesAcrossNodes: a nonce of one node is good on another
// sharing the key (stateless nonces).
func TestDigestNoncesAcrossNodes(t *testing.T) {
	a, b := authEnv(t), authEnv(t)
	d := &digestClient{user: "alice", pass: "secret"}
	res := a.process(t, reg{contacts: []string{"<sip:a@192.0.2.1>"}})
	g := reg{cseq: 2, contacts: []string{"<sip:a@192.0.2.1>"}, auth: d.authorize(t, res, "MD5", "REGISTER", "sip:example.com")}
	if res := b.process(t, g); res.Code != 200 {
		t.Errorf("nonce of node a on node b: %d %v", res.Code, res.Err)
	}
}

// TestDigestRateLimit: after FailBurst failures a source is refused with
// 403 without its credentials being checked, other sources are not; it
// recovers one attempt per FailInterval.
func TestDigestRateLimit(t *testing.T) {
	e := authEnv(t, func(c *Config) { c.Auth.FailBurst = 3; c.Auth.FailInterval = 10 * time.Second })
	first := e.process(t, reg{})
	c, _ := parseChallenge(headers(first, "WWW-Authenticate")[0])
	bad := (&digestClient{user: "alice", pass: "guess"}).answer("example.com", c["nonce"], "SHA-256", "REGISTER", "sip:example.com", "00000001", "x")
	attacker := "203.0.113.5:5060"
	for i := range 3 {
		if res := e.process(t, reg{auth: bad, source: attacker}); res.Code != 401 {
			t.Fatalf("attempt %d: %d", i, res.Code)
		}
	}
	d := &digestClient{user: "alice", pass: "secret"}
	right := d.answer("example.com", c["nonce"], "SHA-256", "REGISTER", "sip:example.com", "00000002", "y")
	if res := e.process(t, reg{cseq: 5, auth: right, source: "203.0.113.5:6000"}); res.Code != 403 {
		t.Fatalf("throttled source with the right password: %d, want 403", res.Code)
	}
	if got := e.metricValue(t, "tandem_registrar_auth_throttled_total", ""); got != 1 {
		t.Errorf("throttled = %v", got)
	}
	if res := e.process(t, reg{cseq: 6, auth: right, source: "192.0.2.77:5060"}); res.Code != 200 {
		t.Errorf("another source: %d", res.Code)
	}
	e.clock.Advance(10 * time.Second)
	right = d.answer("example.com", c["nonce"], "SHA-256", "REGISTER", "sip:example.com", "00000003", "z")
	if res := e.process(t, reg{cseq: 7, auth: right, source: attacker}); res.Code != 200 {
		t.Errorf("after the interval: %d", res.Code)
	}
}

func TestUsersFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users")
	content := "# accounts\n" +
		"frank:letmein\n" +
		"gina:example.com:" + hexHash(AlgMD5, "gina", "example.com", "pw") + "\n" +
		"gina:example.com:" + hexHash(AlgSHA256, "gina", "example.com", "pw") + "\n" +
		"hank:other.realm:" + hexHash(AlgMD5, "hank", "other.realm", "pw") + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	e := authEnv(t, func(c *Config) { c.Auth.UsersFile = file })
	for _, u := range []struct{ user, pass, alg string }{{"frank", "letmein", "SHA-256"}, {"gina", "pw", "MD5"}, {"gina", "pw", "SHA-256"}} {
		res := e.register(t, &digestClient{user: u.user, pass: u.pass}, u.alg, reg{to: "sip:" + u.user + "@example.com", callID: u.alg, contacts: []string{"<sip:x@192.0.2.1>"}})
		if res.Code != 200 {
			t.Errorf("%s/%s: %d %v", u.user, u.alg, res.Code, res.Err)
		}
	}
	if _, ok := e.r.auth.users["hank"]; ok {
		t.Error("a line of another realm was loaded")
	}
	for _, bad := range []string{"nocolon\n", "a:b:c:d\n", "x:example.com:123\n"} {
		if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := testConfig()
		cfg.Auth.UsersFile = file
		if _, err := loadUsers(cfg, e.r.log); err == nil {
			t.Errorf("users file %q loaded", bad)
		}
	}
	cfg := testConfig()
	cfg.Auth.UsersFile = filepath.Join(dir, "missing")
	if _, err := New(cfg, NewMemStore(), e.minter, nil); err == nil {
		t.Error("a missing users file was accepted")
	}
}

func TestNonceCounts(t *testing.T) {
	n := newNonceCounts(3, time.Minute)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	steps := []struct {
		nonce  string
		issued int
		nc     uint32
		now    int
		want   bool
	}{
		{"a", 0, 1, 1, true},
		{"a", 0, 1, 2, false}, // replay
		{"a", 0, 3, 2, true},  // counts may skip
		{"a", 0, 2, 3, false}, // but not go back
		{"b", 1, 1, 3, true},
		{"c", 2, 1, 3, true},
		{"d", 3, 1, 4, true},   // full: a is forgotten, the floor rises to 0 s
		{"a", 0, 9, 4, false},  // a forgotten nonce is refused, never replayable
		{"e", 10, 1, 70, true}, // b, c, d are past their life: dropped without raising the floor
		{"f", 4, 1, 61, true},  // issued after the floor
	}
	for i, s := range steps {
		if got := n.use(s.nonce, at(s.issued), s.nc, at(s.now)); got != s.want {
			t.Errorf("step %d (%s nc %d): %v, want %v", i, s.nonce, s.nc, got, s.want)
		}
		if n.len() > 3 {
			t.Fatalf("step %d: %d tracked", i, n.len())
		}
	}
}

func TestFailLimiter(t *testing.T) {
	l := newFailLimiter(2, 10*time.Second, 2)
	if l.blocked("a", t0) {
		t.Fatal("unknown source blocked")
	}
	l.fail("a", t0)
	l.fail("a", t0)
	if !l.blocked("a", t0) {
		t.Error("a not blocked after its burst")
	}
	if l.blocked("a", t0.Add(10*time.Second)) {
		t.Error("a still blocked after an interval")
	}
	l.fail("b", t0)
	l.fail("c", t0.Add(time.Minute)) // full: a and b have refilled, they go
	if l.len() > 2 {
		t.Errorf("%d sources tracked, max 2", l.len())
	}
}

func TestAuthorizeSubscribe(t *testing.T) {
	e := authEnv(t, func(c *Config) {
		c.Watchers = []Watcher{{AOR: aliceAOR, Users: []string{"bob"}}, {AOR: "*", Users: []string{"carol"}}}
	})
	cases := []struct {
		user, aor string
		want      bool
	}{
		{"alice", aliceAOR, true}, {"bob", aliceAOR, true}, {"carol", aliceAOR, true}, {"carol", bobAOR, true},
		{"dave", aliceAOR, false}, {"alice", bobAOR, false}, {"", aliceAOR, false}, {"erin", "sip:sales@example.com", true},
		{"erin", "sip:erin@example.com", false},
	}
	for _, tc := range cases {
		if got := e.r.MayWatch(tc.user, tc.aor); got != tc.want {
			t.Errorf("MayWatch(%q, %s) = %v", tc.user, tc.aor, got)
		}
	}
	// a SUBSCRIBE authenticates like a REGISTER
	sub := reg{method: "SUBSCRIBE", ruri: aliceAOR}
	res := e.r.Authenticate(sub.request(t), t0)
	if res.Code != 401 || len(res.Headers) != 2 {
		t.Fatalf("Authenticate: %+v", res)
	}
	c, _ := parseChallenge(res.Headers[0].Value())
	d := &digestClient{user: "bob", pass: "hunter2"}
	sub.auth = d.answer(c["realm"], c["nonce"], c["algorithm"], "SUBSCRIBE", aliceAOR, "00000001", "q")
	if res := e.r.Authenticate(sub.request(t), t0); res.Code != 0 || res.User != "bob" {
		t.Errorf("Authenticate: %+v", res)
	}
	open := newEnv(t)
	if !open.r.MayWatch("", aliceAOR) || open.r.MayWatch("", "sip:x@other.org") {
		t.Error("without authentication anyone may watch a served AOR, and only those")
	}
}

// FuzzParseAuthorization: any Authorization value parses or fails with
// errParse, without panicking.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		`Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="0123", algorithm=SHA-256, cnonce="x", qop=auth, nc=00000001`,
		`Digest username="a\"b", realm=""`, `Basic Zm9vOmJhcg==`, `Digest `, `Digest a=b,,c=d`, `Digest a="`, `digest USERNAME=x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseAuthorization(s)
		if err != nil && !errors.Is(err, errParse) {
			t.Fatalf("error %v does not wrap errParse", err)
		}
		if err == nil {
			_, _ = parseNC(c.nc)
			_ = canonicalAlg(c.algorithm)
		}
	})
}

// metricValue reads a counter of the registrar's registry by name and
// label value ("" for a counter without labels).
func (e *env) metricValue(t *testing.T, name, label string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == label) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
