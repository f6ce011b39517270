package sipp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds. None of them paces the test: each one only limits how long we wait
// for a real condition before declaring failure.
const (
	buildTimeout = 10 * time.Minute // go build of ./cmd/tandem
	readyTimeout = 60 * time.Second // tandem answering 200 on /readyz
	boundTimeout = 15 * time.Second // SIPp's UDP socket appearing in /proc/net/udp
	sippTimeout  = "30s"            // SIPp's own -timeout (with -timeout_error)
	sippWait     = 60 * time.Second // our wait for SIPp's exit, beyond its -timeout
	stopTimeout  = 60 * time.Second // tandem exiting after SIGTERM
	pollInterval = 20 * time.Millisecond
)

var (
	tandemBin string // built by TestMain, or $SIPP_TANDEM_BIN
	buildErr  error  // why it could not be built
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// SIPP_TANDEM_BIN runs the tests against a given binary (a release
	// build, say) instead of building ./cmd/tandem. (Not TANDEM_*: tandem
	// reads those as configuration.)
	if bin := os.Getenv("SIPP_TANDEM_BIN"); bin != "" {
		tandemBin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "tandem-sipp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sipp: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	tandemBin, buildErr = buildTandem(dir)
	return m.Run()
}

// buildTandem builds ./cmd/tandem of the enclosing module into dir, with the
// race detector when these tests run with it.
func buildTandem(dir string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	bin := filepath.Join(dir, "tandem")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/tandem")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return bin, nil
}

// requireTools fails the test (never skips it) when sipp or the tandem
// binary is missing.
func requireTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sipp"); err != nil {
		t.Fatalf("sipp not found on PATH (%v): install sip-tester (apt-get install -y sip-tester)", err)
	}
	if buildErr != nil {
		t.Fatalf("building tandem: %v", buildErr)
	}
}

// route is one entry of tandem's routes list.
type route struct {
	name, user, target string
	reject             int
	reason             string
}

// toUAS routes every Request-URI user to the SIPp UAS on port.
func toUAS(port int) route {
	return route{name: "to-uas", user: "^(.*)$", target: fmt.Sprintf("sip:$1@127.0.0.1:%d", port)}
}

func TestSIPpBasicCall(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			requireTools(t)
			const calls = 20
			uasPort := freeUDPPort(t)
			tn := startTandem(t, []route{toUAS(uasPort)})

			uas := startSIPp(t, "uas", "uas_answer.xml", uasPort, "",
				"-m", strconv.Itoa(calls))
			uacArgs := []string{"-s", "alice", "-m", strconv.Itoa(calls), "-r", "10", "-d", "200"}
			if transport == "tcp" {
				uacArgs = append(uacArgs, "-t", "t1")
			}
			uac := startSIPp(t, "uac", "uac_basic.xml", freeUDPPort(t), tn.sipAddr, uacArgs...)

			uac.requireSuccess(t, calls)
			uas.requireSuccess(t, calls)
			uac.requireCount(t, "200_Recv", 2*calls) // INVITE and BYE
			uas.requireCount(t, "ACK_Recv", calls)
			uas.requireCount(t, "BYE_Recv", calls)
			tn.stop(t)
		})
	}
}

func TestSIPpCancel(t *testing.T) {
	requireTools(t)
	const calls = 10
	uasPort := freeUDPPort(t)
	tn := startTandem(t, []route{toUAS(uasPort)})

	uas := startSIPp(t, "uas", "uas_ring.xml", uasPort, "", "-m", strconv.Itoa(calls))
	uac := startSIPp(t, "uac", "uac_cancel.xml", freeUDPPort(t), tn.sipAddr,
		"-s", "carol", "-m", strconv.Itoa(calls), "-r", "10")

	uac.requireSuccess(t, calls)
	uas.requireSuccess(t, calls)
	uac.requireCount(t, "180_Recv", calls)
	uac.requireCount(t, "200_Recv", calls) // to the CANCEL
	uac.requireCount(t, "487_Recv", calls)
	uas.requireCount(t, "CANCEL_Recv", calls)
	uas.requireCount(t, "ACK_Recv", calls)
	tn.stop(t)
}

func TestSIPpBusy(t *testing.T) {
	const calls = 10

	// tandem refuses by configuration: the busy rule comes first, and the
	// catch-all points at a port nobody listens on, so a call that leaked
	// past the rule would time out instead of succeeding.
	t.Run("route_reject", func(t *testing.T) {
		requireTools(t)
		tn := startTandem(t, []route{
			{name: "busy", user: "^busy$", reject: 486, reason: "Busy Here"},
			toUAS(freeUDPPort(t)),
		})
		uac := startSIPp(t, "uac", "uac_busy.xml", freeUDPPort(t), tn.sipAddr,
			"-s", "busy", "-m", strconv.Itoa(calls), "-r", "10")
		uac.requireSuccess(t, calls)
		uac.requireCount(t, "486_Recv", calls)
		tn.stop(t)
	})

	// The callee refuses: tandem relays its 486 and ACKs it hop by hop.
	t.Run("uas_486", func(t *testing.T) {
		requireTools(t)
		uasPort := freeUDPPort(t)
		tn := startTandem(t, []route{toUAS(uasPort)})
		uas := startSIPp(t, "uas", "uas_busy.xml", uasPort, "", "-m", strconv.Itoa(calls))
		uac := startSIPp(t, "uac", "uac_busy.xml", freeUDPPort(t), tn.sipAddr,
			"-s", "bob", "-m", strconv.Itoa(calls), "-r", "10")
		uac.requireSuccess(t, calls)
		uas.requireSuccess(t, calls)
		uac.requireCount(t, "486_Recv", calls)
		uas.requireCount(t, "INVITE_Recv", calls)
		uas.requireCount(t, "ACK_Recv", calls)
		tn.stop(t)
	})
}

// tandem is one running server process.
type tandem struct {
	cmd      *exec.Cmd
	log      *syncBuffer
	done     chan struct{} // closed when the process has exited
	waitErr  error         // valid after done
	sipAddr  string
	httpAddr string
}

// startTandem writes a configuration with free loopback ports into a temp
// dir, starts the binary and returns once /readyz answers 200.
func startTandem(t *testing.T, routes []route) *tandem {
	t.Helper()
	return startTandemWith(t, routes, "")
}

// awaitReady polls /readyz until it answers 200, the process exits or
// readyTimeout passes.
func (tn *tandem) awaitReady(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	url := "http://" + tn.httpAddr + "/readyz"
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-tn.done:
			t.Fatalf("tandem exited before it was ready: %v", tn.waitErr)
		case <-deadline.C:
			t.Fatalf("tandem not ready after %v: GET %s: %s", readyTimeout, url, last)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM and requires a clean exit (status 0) within stopTimeout.
func (tn *tandem) stop(t *testing.T) {
	t.Helper()
	if err := tn.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM tandem: %v", err)
	}
	select {
	case <-tn.done:
	case <-time.After(stopTimeout):
		t.Fatalf("tandem still running %v after SIGTERM", stopTimeout)
	}
	if tn.waitErr != nil {
		t.Fatalf("tandem exit after SIGTERM: %v (want status 0)", tn.waitErr)
	}
}

// sipp is one running SIPp process. Its trace files go to its own dir.
type sipp struct {
	name    string
	dir     string
	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{}
	waitErr error
	checked bool // requireSuccess ran
}

// startSIPp starts SIPp with the scenario on 127.0.0.1:port. With remote
// empty it is a UAS and startSIPp returns once its UDP socket is bound;
// otherwise it is a UAC calling remote.
func startSIPp(t *testing.T, name, scenario string, port int, remote string, extra ...string) *sipp {
	t.Helper()
	sf, err := filepath.Abs(scenario)
	if err != nil {
		t.Fatal(err)
	}
	s := &sipp{name: name, dir: t.TempDir(), out: &syncBuffer{}, done: make(chan struct{})}
	args := []string{
		"-sf", sf,
		"-i", "127.0.0.1",
		"-p", strconv.Itoa(port),
		"-nostdin",
		"-timeout", sippTimeout, "-timeout_error",
		"-trace_err", "-error_file", "errors.log",
		"-trace_msg", "-message_file", "messages.log",
		"-trace_stat", "-stf", "stat.csv",
		"-trace_counts",
	}
	args = append(args, extra...)
	if remote != "" {
		args = append(args, remote)
	}
	s.cmd = exec.Command("sipp", args...)
	s.cmd.Dir = s.dir
	s.cmd.Stdout = s.out
	s.cmd.Stderr = s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start sipp %s: %v", name, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			s.dump(t)
		}
	})
	if remote == "" {
		s.awaitBound(t, port)
	}
	return s
}

// awaitBound waits until the kernel lists a UDP socket on 127.0.0.1:port,
// so that tandem's first INVITE to the UAS is not sent into the void.
func (s *sipp) awaitBound(t *testing.T, port int) {
	t.Helper()
	want := fmt.Sprintf("0100007F:%04X", port)
	deadline := time.NewTimer(boundTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if udpBound(t, want) {
			return
		}
		select {
		case <-s.done:
			t.Fatalf("sipp %s exited before binding 127.0.0.1:%d: %v", s.name, port, s.waitErr)
		case <-deadline.C:
			t.Fatalf("sipp %s did not bind 127.0.0.1:%d within %v", s.name, port, boundTimeout)
		case <-tick.C:
		}
	}
}

// udpBound reports whether /proc/net/udp has a socket whose local address
// is local (hex "IP:PORT" as the kernel prints it).
func udpBound(t *testing.T, local string) bool {
	t.Helper()
	f, err := os.Open("/proc/net/udp")
	if err != nil {
		t.Fatalf("waiting for sipp's socket: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && fields[1] == local {
			return true
		}
	}
	return false
}

// wait waits for SIPp to exit and returns its exit status.
func (s *sipp) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(sippWait):
		t.Fatalf("sipp %s still running after %v", s.name, sippWait)
	}
	if s.waitErr == nil {
		return 0
	}
	var exit *exec.ExitError
	if errors.As(s.waitErr, &exit) {
		return exit.ExitCode()
	}
	t.Fatalf("sipp %s: %v", s.name, s.waitErr)
	return -1
}

// requireSuccess requires exit status 0 and, from SIPp's statistics file,
// exactly calls successful calls and none failed.
func (s *sipp) requireSuccess(t *testing.T, calls int) {
	t.Helper()
	if code := s.wait(t); code != 0 {
		t.Fatalf("sipp %s exit status %d, want 0", s.name, code)
	}
	stats := s.lastRow(t, filepath.Join(s.dir, "stat.csv"))
	for key, want := range map[string]int{"SuccessfulCall(C)": calls, "FailedCall(C)": 0} {
		got, err := strconv.Atoi(stats[key])
		if err != nil {
			t.Fatalf("sipp %s stat.csv %s = %q: %v", s.name, key, stats[key], err)
		}
		if got != want {
			t.Errorf("sipp %s: %s = %d, want %d", s.name, key, got, want)
		}
	}
}

// requireCount requires that the counts of scenario messages named like
// "<index>_<suffix>" (e.g. "487_Recv", "ACK_Recv") add up to want, and that
// no message was unexpected.
func (s *sipp) requireCount(t *testing.T, suffix string, want int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.dir, "*_counts.csv"))
	if err != nil || len(files) != 1 {
		t.Fatalf("sipp %s: want one *_counts.csv in %s, got %v (%v)", s.name, s.dir, files, err)
	}
	counts := s.lastRow(t, files[0])
	col := regexp.MustCompile(`^\d+_` + regexp.QuoteMeta(suffix) + `$`)
	got, found := 0, false
	for key, v := range counts {
		n, _ := strconv.Atoi(v)
		if strings.HasSuffix(key, "_Unexp") && n != 0 {
			t.Errorf("sipp %s: %s = %d, want 0", s.name, key, n)
		}
		if col.MatchString(key) {
			found = true
			got += n
		}
	}
	if !found {
		t.Fatalf("sipp %s: no column *_%s in %s", s.name, suffix, files[0])
	}
	if got != want {
		t.Errorf("sipp %s: %s = %d, want %d", s.name, suffix, got, want)
	}
}

// lastRow reads a SIPp CSV file (";"-separated, header first) and returns
// its last row keyed by the header.
func (s *sipp) lastRow(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("sipp %s: %v", s.name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		t.Fatalf("sipp %s: %s has no data row", s.name, path)
	}
	header := strings.Split(strings.TrimSuffix(lines[0], ";"), ";")
	row := strings.Split(strings.TrimSuffix(lines[len(lines)-1], ";"), ";")
	m := make(map[string]string, len(header))
	for i, h := range header {
		if i < len(row) {
			m[h] = row[i]
		}
	}
	return m
}

// dump logs SIPp's output and trace files.
func (s *sipp) dump(t *testing.T) {
	t.Logf("sipp %s: %s (%v)", s.name, strings.Join(s.cmd.Args, " "), s.waitErr)
	t.Logf("sipp %s output:\n%s", s.name, s.out.tail(16<<10))
	for _, name := range []string{"errors.log", "messages.log"} {
		data, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil || len(data) == 0 {
			continue
		}
		t.Logf("sipp %s %s:\n%s", s.name, name, tail(data, 32<<10))
	}
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// freeTCPPort returns a loopback TCP port that was free a moment ago.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeUDPTCPPort returns a loopback port free for both UDP and TCP.
func freeUDPTCPPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		c.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return 0
}

// withoutTandemVars drops TANDEM_* variables, which tandem would read as
// configuration overrides, so the test's configuration file is all it gets.
func withoutTandemVars(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TANDEM_") {
			out = append(out, kv)
		}
	}
	return out
}

// yamlQuote renders s as a YAML single-quoted scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// syncBuffer is an io.Writer safe for a process's stdout and stderr at once.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns at most the last n bytes written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return tail(b.buf.Bytes(), n)
}

func tail(p []byte, n int) string {
	if len(p) <= n {
		return string(p)
	}
	return fmt.Sprintf("[... %d bytes cut ...]\n%s", len(p)-n, p[len(p)-n:])
}

// A 2xx retransmitted after our INVITE transaction ended (its ACK got
// lost; the transaction lingers only sipx.AcceptedLinger after the 2xx)
// gets the leg's ACK again from the core (RFC 3261 §13.2.2.4), counted in
// tandem_sip_stray_responses_total{action="ack_resent"}.
func TestSIPpLostACK(t *testing.T) {
	requireTools(t)
	const calls = 5
	uasPort := freeUDPPort(t)
	tn := startTandem(t, []route{toUAS(uasPort)})

	uas := startSIPp(t, "uas", "uas_lost_ack.xml", uasPort, "", "-m", strconv.Itoa(calls))
	// the caller holds 6 s: the callee's 200 comes again 3 s after its ACK
	// (2.5 s after the transaction ended, a margin for a loaded machine)
	uac := startSIPp(t, "uac", "uac_basic.xml", freeUDPPort(t), tn.sipAddr,
		"-s", "alice", "-m", strconv.Itoa(calls), "-r", "10", "-d", "6000")

	uac.requireSuccess(t, calls)
	uas.requireSuccess(t, calls)
	uas.requireCount(t, "ACK_Recv", 2*calls) // the second one answers the retransmitted 200
	if got := tn.metrics(t)[`tandem_sip_stray_responses_total{action="ack_resent"}`]; got != calls {
		t.Errorf("tandem_sip_stray_responses_total{action=\"ack_resent\"} = %v, want %d", got, calls)
	}
	tn.stop(t)
}
