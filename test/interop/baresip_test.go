package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds. None of them paces a test: each one only limits how long we wait
// for a real condition before declaring failure.
const (
	wait         = 10 * time.Second // a SIP message, an event, a command's answer
	readyTimeout = 20 * time.Second // baresip's control socket accepting
	exitTimeout  = 10 * time.Second // baresip exiting after quit or SIGTERM
	lifetime     = 120              // baresip -t: it quits by itself after this many seconds
	pollInterval = 20 * time.Millisecond
)

// moduleDirs are where distributions install baresip's modules;
// $BARESIP_MODULES comes first when set.
var moduleDirs = []string{
	"/usr/lib/baresip/modules",
	"/usr/lib/x86_64-linux-gnu/baresip/modules",
	"/usr/lib/aarch64-linux-gnu/baresip/modules",
	"/usr/local/lib/baresip/modules",
}

// baresipModules are the modules the configuration loads.
var baresipModules = []string{"g711.so", "aubridge.so", "uuid.so", "account.so", "menu.so", "ctrl_tcp.so"}

// requireBaresip fails the test (never skips it) when baresip or one of
// its modules is missing, and returns the module directory.
func requireBaresip(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Fatalf("baresip not found on PATH (%v): install it (apt-get install -y baresip)", err)
	}
	dirs := moduleDirs
	if d := os.Getenv("BARESIP_MODULES"); d != "" {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		missing := false
		for _, m := range baresipModules {
			if _, err := os.Stat(filepath.Join(d, m)); err != nil {
				missing = true
				break
			}
		}
		if !missing {
			return d
		}
	}
	t.Fatalf("baresip modules %v not found in any of %v (set $BARESIP_MODULES to the directory)", baresipModules, dirs)
	return ""
}

// baresip is one running baresip with its control connection.
type baresip struct {
	t       *testing.T
	user    string
	sipPort int
	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done

	ctrl   net.Conn
	tokens int           // commands sent; each one's token
	resps  chan ctrlMsg  // answers to commands, in order
	rdDone chan struct{} // closed when the reader stops
	readMu sync.Mutex    // guards evs, more, rdErr
	evs    []ctrlMsg
	more   chan struct{} // closed and replaced on every new event and on rdErr
	rdErr  error         // why the reader stopped
}

// ctrlMsg is a message from ctrl_tcp: a command's answer (Response, OK,
// Data, Token) or an event (Event, Type, ID: the call's SIP Call-ID,
// Param), as in {"event":true,"type":"CALL_CLOSED","id":"...","param":"..."}.
type ctrlMsg struct {
	Response bool   `json:"response"`
	Event    bool   `json:"event"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
	Type     string `json:"type"`
	ID       string `json:"id"`
	Param    string `json:"param"`
	raw      string
}

func (m ctrlMsg) String() string { return m.raw }

// startBaresip starts baresip as sip:user@127.0.0.1:<port>, answering
// calls automatically, and returns once its control socket answers. It
// quits in t.Cleanup.
func startBaresip(t *testing.T, user string) *baresip {
	t.Helper()
	modDir := requireBaresip(t)
	dir := t.TempDir()
	sipPort := freeSIPPort(t)
	ctrlPort := freeTCPPort(t, sipPort, sipPort+1)

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "module_path\t\t%s\n", modDir)
	cfg.WriteString("poll_method\t\tepoll\n")
	// baresip listens on UDP and TCP at this port and on TLS at port+1
	fmt.Fprintf(&cfg, "sip_listen\t\t127.0.0.1:%d\n", sipPort)
	cfg.WriteString("net_interface\t\t127.0.0.1\n")
	cfg.WriteString("call_local_timeout\t120\n")
	cfg.WriteString("call_max_calls\t\t4\n")
	// no sound card: the player feeds the source
	cfg.WriteString("audio_player\t\taubridge,tandem\n")
	cfg.WriteString("audio_source\t\taubridge,tandem\n")
	cfg.WriteString("audio_alert\t\taubridge,tandem\n")
	for _, m := range []string{"g711.so", "aubridge.so"} {
		fmt.Fprintf(&cfg, "module\t\t\t%s\n", m)
	}
	for _, m := range []string{"uuid.so", "account.so"} {
		fmt.Fprintf(&cfg, "module_tmp\t\t%s\n", m)
	}
	for _, m := range []string{"menu.so", "ctrl_tcp.so"} {
		fmt.Fprintf(&cfg, "module_app\t\t%s\n", m)
	}
	fmt.Fprintf(&cfg, "ctrl_tcp_listen\t\t127.0.0.1:%d\n", ctrlPort)
	write(t, filepath.Join(dir, "config"), cfg.String())
	// no registration (regint=0), calls answered at once, PCMU only
	write(t, filepath.Join(dir, "accounts"),
		fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;answermode=auto;audio_codecs=pcmu\n", user))

	b := &baresip{
		t: t, user: user, sipPort: sipPort, out: &syncBuffer{}, done: make(chan struct{}),
		resps: make(chan ctrlMsg, 16), more: make(chan struct{}), rdDone: make(chan struct{}),
	}
	// -s: SIP trace in the output, shown when the test fails
	b.cmd = exec.Command("baresip", "-4", "-s", "-f", dir, "-t", strconv.Itoa(lifetime))
	b.cmd.Dir = dir
	b.cmd.Stdin = nil // no console: commands come over ctrl_tcp
	b.cmd.Stdout = b.out
	b.cmd.Stderr = b.out
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	go func() {
		b.waitErr = b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		b.stop()
		if t.Failed() {
			t.Logf("baresip configuration:\n%s", cfg.String())
			t.Logf("baresip output (%v):\n%s", b.waitErr, b.out.tail(64<<10))
		}
	})
	b.connect(ctrlPort)
	return b
}

// URI is the SIP URI that reaches baresip directly.
func (b *baresip) URI() string { return fmt.Sprintf("sip:%s@127.0.0.1:%d", b.user, b.sipPort) }

// connect dials the control socket until it accepts, the process exits or
// readyTimeout passes. ctrl_tcp is an application module, loaded after
// SIP is up, so SIP is bound once it accepts.
func (b *baresip) connect(port int) {
	b.t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			b.ctrl = c
			go b.read()
			return
		}
		select {
		case <-b.done:
			b.t.Fatalf("baresip exited before its control socket %s accepted: %v\n%s", addr, b.waitErr, b.out.tail(16<<10))
		case <-deadline.C:
			b.t.Fatalf("baresip control socket %s not accepting within %v: %v", addr, readyTimeout, err)
		case <-tick.C:
		}
	}
}

// read reads netstrings from the control socket until it fails: answers
// go to resps, events to the event log.
func (b *baresip) read() {
	defer close(b.rdDone)
	r := bufio.NewReader(b.ctrl)
	for {
		payload, err := readNetstring(r)
		if err != nil {
			b.stopReading(err)
			return
		}
		var m ctrlMsg
		if err := json.Unmarshal(payload, &m); err != nil {
			b.stopReading(fmt.Errorf("ctrl_tcp: undecodable message %q: %w", payload, err))
			return
		}
		m.raw = string(payload)
		switch {
		case m.Response:
			select {
			case b.resps <- m:
			default:
				b.stopReading(fmt.Errorf("ctrl_tcp: unread answer %s", payload))
				return
			}
		case m.Event:
			b.readMu.Lock()
			b.evs = append(b.evs, m)
			close(b.more)
			b.more = make(chan struct{})
			b.readMu.Unlock()
		}
	}
}

// stopReading records why the reader stopped and wakes awaitEvent.
func (b *baresip) stopReading(err error) {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	b.rdErr = err
	close(b.more)
	b.more = make(chan struct{})
}

// readNetstring reads one "<len>:<payload>," (ctrl_tcp's framing).
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n := 0
	for digits := 0; ; digits++ {
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		if c == ':' && digits > 0 {
			break
		}
		if c < '0' || c > '9' || digits > 9 {
			return nil, fmt.Errorf("ctrl_tcp: bad netstring length byte %q", c)
		}
		n = n*10 + int(c-'0')
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("ctrl_tcp: netstring not terminated by ','")
	}
	return buf[:n], nil
}

// command runs a menu command (e.g. "transfer" with params a URI) and
// returns its answer, failing the test unless baresip says ok.
func (b *baresip) command(name, params string) ctrlMsg {
	b.t.Helper()
	b.tokens++
	token := strconv.Itoa(b.tokens)
	req, err := json.Marshal(map[string]string{"command": name, "params": params, "token": token})
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(req), req); err != nil {
		b.t.Fatalf("baresip %s: %v", name, err)
	}
	select {
	case m := <-b.resps:
		if m.Token != token || !m.OK {
			b.t.Fatalf("baresip %s %q: answer %s", name, params, m)
		}
		return m
	case <-b.rdDone:
		b.t.Fatalf("baresip %s: control connection closed: %v", name, b.readErr())
	case <-time.After(wait):
		b.t.Fatalf("baresip %s: no answer within %v", name, wait)
	}
	return ctrlMsg{}
}

func (b *baresip) readErr() error {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	return b.rdErr
}

// events returns the events received so far.
func (b *baresip) events() []ctrlMsg {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	return append([]ctrlMsg(nil), b.evs...)
}

// mark is the number of events received so far, for awaitEvent.
func (b *baresip) mark() int {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	return len(b.evs)
}

// awaitEvent waits for an event of type typ (e.g. "CALL_ESTABLISHED")
// with param param ("" matches any), among those received after the
// first since events (see mark) and those to come.
func (b *baresip) awaitEvent(since int, typ, param string) ctrlMsg {
	b.t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	seen := since
	for {
		b.readMu.Lock()
		evs, more, rdErr := b.evs, b.more, b.rdErr
		b.readMu.Unlock()
		for _, e := range evs[seen:] {
			if e.Type == typ && (param == "" || e.Param == param) {
				return e
			}
		}
		seen = len(evs)
		if rdErr != nil {
			b.t.Fatalf("baresip: no %s %q event before the control connection failed (%v); got:\n%s", typ, param, rdErr, b.describe())
		}
		select {
		case <-more:
		case <-deadline.C:
			b.t.Fatalf("baresip: no %s %q event within %v; got:\n%s", typ, param, wait, b.describe())
			return ctrlMsg{}
		}
	}
}

func (b *baresip) describe() string {
	var s strings.Builder
	for _, e := range b.events() {
		s.WriteString("  " + e.raw + "\n")
	}
	return s.String()
}

// stop asks baresip to quit, then signals it, then kills it, each step
// bounded; a baresip that had to be killed fails the test.
func (b *baresip) stop() {
	select {
	case <-b.done:
		return
	default:
	}
	if b.ctrl != nil {
		req := `{"command":"quit","token":"quit"}`
		_, _ = fmt.Fprintf(b.ctrl, "%d:%s,", len(req), req)
	} else {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-b.done:
	case <-time.After(exitTimeout):
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(exitTimeout):
			_ = b.cmd.Process.Kill()
			<-b.done
			b.t.Errorf("baresip still running %v after quit and SIGTERM: killed", 2*exitTimeout)
		}
	}
	if b.ctrl != nil {
		_ = b.ctrl.Close()
		<-b.rdDone
	}
}

// freeSIPPort returns a loopback port p free a moment ago for UDP and TCP,
// with p+1 free for TCP too: baresip puts SIP over TLS on p+1.
func freeSIPPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		l1, err1 := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
		l2, err2 := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p+1))
		c.Close()
		for _, l := range []net.Listener{l1, l2} {
			if l != nil {
				l.Close()
			}
		}
		if err1 == nil && err2 == nil {
			return p
		}
	}
	t.Fatal("no loopback port p free for UDP and TCP with p+1 free for TCP")
	return 0
}

// freeTCPPort returns a loopback TCP port free a moment ago, other than
// the ones in not.
func freeTCPPort(t *testing.T, not ...int) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		clash := false
		for _, n := range not {
			clash = clash || p == n
		}
		if !clash {
			return p
		}
	}
	t.Fatal("no free loopback TCP port")
	return 0
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
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
	p := b.buf.Bytes()
	if len(p) <= n {
		return string(p)
	}
	return fmt.Sprintf("[... %d bytes cut ...]\n%s", len(p)-n, p[len(p)-n:])
}
