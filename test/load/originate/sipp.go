package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// With -phones sipp, A and B are two SIPp processes playing sipp_a.xml and
// sipp_b.xml as user agent servers, instead of this program's sipgo phones:
// on a machine where the generator shares the cores with Tandem, SIPp costs
// a fraction of the CPU the Go phones do (about 0.55 of a core at 300
// calls/s, next to Tandem's 0.75, on two). SIPp does not report each
// message, so a call is judged by what Tandem says (the command's reply,
// the call's leg_bridged and ended events), and SIPp checks every message
// of its scenario: it exits 0 only if all -m calls went as written. Flow IV
// only, B answering at once. A claimed call (-controller, -via rest) stays
// up when A hangs up; B then plays sipp_b_bye.xml and hangs up by itself
// 500 ms after A.

//go:embed sipp_a.xml
var sippA []byte

//go:embed sipp_b.xml
var sippB []byte

//go:embed sipp_b_bye.xml
var sippBBye []byte

// sippPhone is one running SIPp.
type sippPhone struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error         // how it exited; valid once done is closed
	cpu  time.Duration // its utime+stime; valid once done is closed
}

// startSIPp starts SIPp playing scenario on 127.0.0.1:port for calls
// calls, pausing hold where the scenario pauses; its files go to dir. It
// returns once SIPp listens.
func startSIPp(name string, scenario []byte, port, calls int, hold time.Duration, dir string) (*sippPhone, error) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		return nil, fmt.Errorf("-phones sipp: %w (Debian package sip-tester)", err)
	}
	sf := filepath.Join(dir, "sipp_"+name+".xml")
	if err := os.WriteFile(sf, scenario, 0o644); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(dir, "sipp_"+name+".out"))
	if err != nil {
		return nil, err
	}
	p := &sippPhone{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-sf", sf, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-nostdin",
		"-m", strconv.Itoa(calls), "-d", strconv.FormatInt(hold.Milliseconds(), 10),
		"-trace_err", "-error_file", filepath.Join(dir, "sipp_"+name+"_errors.log"))
	p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr = dir, out, out
	if err := p.cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("sipp %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		if st := p.cmd.ProcessState; st != nil {
			p.cpu = st.UserTime() + st.SystemTime()
		}
		out.Close()
		close(p.done)
	}()
	// SIPp binds its port after reading the scenario: wait for the socket
	want := fmt.Sprintf("0100007F:%04X", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if data, err := os.ReadFile("/proc/net/udp"); err == nil && strings.Contains(string(data), want) {
			return p, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("sipp %s exited at start (%v); see %s", name, p.err, out.Name())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.kill()
			return nil, fmt.Errorf("sipp %s: not listening on 127.0.0.1:%d after 10 s", name, port)
		}
	}
}

// wait waits for SIPp to finish its calls, at most until deadline (then it
// is killed), and says how it ended: nil if every call passed.
func (p *sippPhone) wait(deadline time.Time) error {
	select {
	case <-p.done:
	case <-time.After(time.Until(deadline)):
		p.kill()
		return fmt.Errorf("sipp %s had not finished its calls; killed", p.name)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return fmt.Errorf("sipp %s exited %d: some calls failed (see sipp_%s_errors.log)", p.name, ee.ExitCode(), p.name)
	}
	return p.err
}

func (p *sippPhone) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}
