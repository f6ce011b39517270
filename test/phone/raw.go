package phone

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// RawConn is a plain UDP socket on 127.0.0.1 for bytes sipgo would not
// build: malformed requests, torture messages, header injection attempts.
type RawConn struct {
	t    testing.TB
	conn *net.UDPConn
}

// Raw opens a raw socket, closed in t.Cleanup.
func Raw(t testing.TB) *RawConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("phone: raw listen: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &RawConn{t: t, conn: c}
}

// Addr is the socket's host:port.
func (r *RawConn) Addr() string { return r.conn.LocalAddr().String() }

// Port is the socket's port, for the Via of hand-made requests (responses
// go to the source address and the Via port).
func (r *RawConn) Port() int { return r.conn.LocalAddr().(*net.UDPAddr).Port }

// Send writes data to addr (host:port) as one datagram.
func (r *RawConn) Send(addr string, data []byte) {
	r.t.Helper()
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		r.t.Fatalf("phone: raw resolve %s: %v", addr, err)
	}
	if _, err := r.conn.WriteToUDP(data, ua); err != nil {
		r.t.Fatalf("phone: raw send: %v", err)
	}
}

// Read waits up to timeout for a datagram; the test fails if none comes.
func (r *RawConn) Read(timeout time.Duration) []byte {
	r.t.Helper()
	b, err := r.read(timeout)
	if err != nil {
		r.t.Fatalf("phone: raw read: %v", err)
	}
	return b
}

func (r *RawConn) read(timeout time.Duration) ([]byte, error) {
	buf := make([]byte, 65535)
	if err := r.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	n, _, err := r.conn.ReadFromUDP(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, fmt.Errorf("nothing within %v", timeout)
	}
	return buf[:n], err
}

// ReadResponse reads datagrams until one is a response whose Call-ID is
// callID ("" for any) and returns it parsed.
func (r *RawConn) ReadResponse(callID string, timeout time.Duration) *sip.Response {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			r.t.Fatalf("phone: raw: no response for Call-ID %q within %v", callID, timeout)
		}
		b := r.Read(left)
		msg, err := sip.ParseMessage(b)
		if err != nil {
			r.t.Fatalf("phone: raw: unparseable reply %q: %v", b, err)
		}
		res, ok := msg.(*sip.Response)
		if !ok {
			continue
		}
		if callID == "" || (res.CallID() != nil && res.CallID().Value() == callID) {
			return res
		}
	}
}

// Request builds a request as text with CRLF line ends, a Via for this
// socket (branch z9hG4bK<callID>-<seq>), and the given header lines and
// body; Content-Length is computed. headers are complete lines without
// CRLF, e.g. "Subject: hi".
func (r *RawConn) Request(method, ruri, callID string, seq int, headers []string, body string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s-%d;rport\r\n", r.Addr(), strings.NewReplacer("@", "", ".", "").Replace(callID), seq)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}
