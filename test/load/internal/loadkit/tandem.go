package loadkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tandem is a tandem process this program started.
type Tandem struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when it has exited
	err    error         // its exit, once done
	logf   *os.File
	LogDir string // where its configuration and log are
}

// FreePort returns a port free on 127.0.0.1 right now, for network "udp"
// or "tcp".
func FreePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartTandem runs bin with configuration conf (YAML) written to
// dir/tandem.yaml, its output to dir/tandem.log; httpPort is the HTTP port
// conf gives it. It returns once /readyz answers.
func StartTandem(bin, dir, conf string, httpPort int) (*Tandem, error) {
	path := filepath.Join(dir, "tandem.yaml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "tandem.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--config", path)
	// TANDEM_* variables would override the file.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TANDEM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	t := &Tandem{cmd: cmd, done: make(chan struct{}), logf: logf, LogDir: dir}
	go func() {
		t.err = cmd.Wait()
		close(t.done)
	}()
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", httpPort)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-t.done:
			return nil, fmt.Errorf("tandem exited (%v): see %s", t.err, logf.Name())
		default:
		}
		if res, err := http.Get(ready); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				return t, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Kill()
	return nil, errors.New("tandem not ready after 60 s")
}

// Stop sends SIGTERM and waits up to 60 s; it returns the exit status
// (-1 if it had to be killed) and how long it took.
func (t *Tandem) Stop() (int, time.Duration) {
	t0 := time.Now()
	_ = t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.done:
	case <-time.After(60 * time.Second):
		t.Kill()
		return -1, time.Since(t0)
	}
	defer t.logf.Close()
	if t.err == nil {
		return 0, time.Since(t0)
	}
	var ee *exec.ExitError
	if errors.As(t.err, &ee) {
		return ee.ExitCode(), time.Since(t0)
	}
	return -1, time.Since(t0)
}

// Kill kills the process and waits for it.
func (t *Tandem) Kill() {
	_ = t.cmd.Process.Kill()
	<-t.done
	t.logf.Close()
}

// CPU is the process's user+system CPU time so far.
func (t *Tandem) CPU() (time.Duration, error) { return ProcCPU(t.cmd.Process.Pid) }

// ProcCPU is process pid's user+system CPU time so far.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad /proc stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("bad /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad /proc stat")
	}
	// USER_HZ is 100 on Linux.
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// Metrics scrapes url (Prometheus text) into sample -> value, samples
// named with their labels as written (tandem_transfers_total{outcome="completed"}).
func Metrics(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m, sc.Err()
}

// StealTime is the time the hypervisor has given this machine's CPUs to
// others while they had work, so far (/proc/stat's steal, all CPUs).
func StealTime() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, errors.New("bad /proc/stat")
	}
	v, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return 0, errors.New("bad /proc/stat")
	}
	// USER_HZ is 100 on Linux.
	return time.Duration(v) * 10 * time.Millisecond, nil
}
