package sipp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The registrar scenarios:
//
//	uac_register          REGISTER, 401, REGISTER with credentials, 200 listing exactly
//	                      our Contact; the same with Expires: 0, 200 listing none
//	uac_register_badauth  REGISTER, 401, REGISTER with (wrong) credentials, then 401
//	                      (a fresh, non-stale challenge) or 403 (source throttled)
//
// SIPp 3.6 computes digest responses for MD5 only and takes the first
// WWW-Authenticate, so the registrar offers MD5 alone here (tandem's default
// offers SHA-256 first). Its digest-uri defaults to remote_ip:remote_port;
// -auth_uri makes it the Request-URI, which tandem requires.

// regDomain is the registrar's domain and regUser / regPassword its one
// account.
const (
	regDomain   = "example.test"
	regUser     = "bob"
	regPassword = "secret"
)

// registrarSection is the registrar configuration of these tests; auth
// carries extra keys of registrar.auth ("k: v, k: v"), if any.
func registrarSection(auth string) string {
	if auth != "" {
		auth += ", "
	}
	return fmt.Sprintf("registrar: {domains: [%s], auth: {algorithms: [MD5], %susers: [{user: %s, password: %s}]}}\n",
		regDomain, auth, regUser, yamlQuote(regPassword))
}

// registerArgs are SIPp's arguments for calls REGISTER scenarios of
// regUser, one at a time (each ends before the next starts, so that one's
// de-REGISTER never meets another's binding), answering challenges with
// password.
func registerArgs(password string, calls int) []string {
	return []string{
		"-s", regUser, "-au", regUser, "-ap", password,
		"-auth_uri", regDomain, "-key", "domain", regDomain,
		"-m", strconv.Itoa(calls), "-l", "1",
	}
}

// Registration and de-registration with digest authentication, over UDP
// and TCP: every REGISTER is challenged once, the 200 lists exactly the
// Contact sent (checked by the scenario), the de-REGISTER's 200 lists none.
func TestSIPpRegister(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			requireTools(t)
			const calls = 5
			tn := startTandemWith(t, nil, registrarSection(""))
			args := registerArgs(regPassword, calls)
			if transport == "tcp" {
				args = append(args, "-t", "t1")
			}
			uac := startSIPp(t, "uac", "uac_register.xml", freeUDPPort(t), tn.sipAddr, args...)
			uac.requireSuccess(t, calls)
			uac.requireCount(t, "REGISTER_Sent", 4*calls)
			uac.requireCount(t, "401_Recv", 2*calls)
			uac.requireCount(t, "200_Recv", 2*calls)
			tn.stop(t)
		})
	}
}

// A wrong password gets a fresh 401 (not stale), fail_burst times; then
// the source is refused with 403 without its credentials being checked,
// whether the password is wrong or right.
func TestSIPpRegisterWrongPassword(t *testing.T) {
	requireTools(t)
	const burst = 3
	// fail_interval 1h: no attempt comes back while the test runs.
	tn := startTandemWith(t, nil, registrarSection(fmt.Sprintf("fail_burst: %d, fail_interval: 1h", burst)))

	wrong := startSIPp(t, "wrong", "uac_register_badauth.xml", freeUDPPort(t), tn.sipAddr,
		registerArgs("wrong", burst)...)
	wrong.requireSuccess(t, burst)
	wrong.requireCount(t, "401_Recv", 2*burst) // the challenge and the refusal
	wrong.requireCount(t, "403_Recv", 0)

	for _, c := range []struct{ name, password string }{
		{"throttled-wrong", "wrong"},
		{"throttled-right", regPassword},
	} {
		s := startSIPp(t, c.name, "uac_register_badauth.xml", freeUDPPort(t), tn.sipAddr,
			registerArgs(c.password, 1)...)
		s.requireSuccess(t, 1)
		s.requireCount(t, "401_Recv", 1) // the challenge (no credentials yet)
		s.requireCount(t, "403_Recv", 1)
	}
	tn.stop(t)
}

// startTandemWith is startTandem with extra lines of YAML appended to the
// configuration (top-level keys, e.g. a registrar section).
func startTandemWith(t *testing.T, routes []route, extra string) *tandem {
	t.Helper()
	dir := t.TempDir()
	sipPort := freeUDPTCPPort(t)
	httpPort := freeTCPPort(t)
	tn := &tandem{
		log:      &syncBuffer{},
		done:     make(chan struct{}),
		sipAddr:  fmt.Sprintf("127.0.0.1:%d", sipPort),
		httpAddr: fmt.Sprintf("127.0.0.1:%d", httpPort),
	}

	var b strings.Builder
	fmt.Fprintf(&b, "node: %s\n", yamlQuote("sipp-"+strings.NewReplacer("/", "-").Replace(t.Name())))
	fmt.Fprintf(&b, "sip: {listen: %q, udp: true, tcp: true}\n", tn.sipAddr)
	b.WriteString("routes:\n")
	for _, r := range routes {
		if r.reject != 0 {
			fmt.Fprintf(&b, "  - {name: %s, user: %s, reject: %d, reason: %s}\n",
				yamlQuote(r.name), yamlQuote(r.user), r.reject, yamlQuote(r.reason))
		} else {
			fmt.Fprintf(&b, "  - {name: %s, user: %s, target: %s}\n",
				yamlQuote(r.name), yamlQuote(r.user), yamlQuote(r.target))
		}
	}
	b.WriteString("no_answer_timeout: 180s\n")
	b.WriteString("drain_timeout: 10s\n")
	fmt.Fprintf(&b, "nats: {embedded: {port: -1, data_dir: %s}}\n", yamlQuote(filepath.Join(dir, "nats")))
	fmt.Fprintf(&b, "http: {listen: %q}\n", tn.httpAddr)
	b.WriteString("log: {level: info, format: text}\n")
	b.WriteString(extra)
	cfg := filepath.Join(dir, "tandem.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	tn.cmd = exec.Command(tandemBin, "--config", cfg)
	tn.cmd.Dir = dir
	tn.cmd.Env = withoutTandemVars(os.Environ())
	tn.cmd.Stdout = tn.log
	tn.cmd.Stderr = tn.log
	if err := tn.cmd.Start(); err != nil {
		t.Fatalf("start tandem: %v", err)
	}
	go func() {
		tn.waitErr = tn.cmd.Wait()
		close(tn.done)
	}()
	t.Cleanup(func() {
		select {
		case <-tn.done:
		default:
			_ = tn.cmd.Process.Kill()
			<-tn.done
		}
		if t.Failed() {
			t.Logf("tandem configuration:\n%s", b.String())
			t.Logf("tandem output (%v):\n%s", tn.waitErr, tn.log.tail(64<<10))
		}
	})

	tn.awaitReady(t)
	return tn
}
