package phone

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// Media is a phone's real RTP endpoint: a UDP socket on loopback that
// sends G.711 µ-law frames and decodes what it receives.
type Media struct {
	t    testing.TB
	conn *net.UDPConn

	mu    sync.Mutex
	seq   uint16
	ts    uint32
	ssrc  uint32
	frame chan []int16 // decoded received frames
}

// NewMedia opens an RTP socket on 127.0.0.1, closed with the test.
func NewMedia(t testing.TB) *Media {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("media: %v", err)
	}
	m := &Media{t: t, conn: conn, ssrc: uint32(time.Now().UnixNano()), frame: make(chan []int16, 4096)}
	t.Cleanup(func() { _ = conn.Close() })
	go m.read()
	return m
}

// Port is the socket's port.
func (m *Media) Port() int { return m.conn.LocalAddr().(*net.UDPAddr).Port }

// SDP is an offer or answer for this endpoint: PCMU and telephone-event.
func (m *Media) SDP() []byte {
	return []byte("v=0\r\no=media 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + strconv.Itoa(m.Port()) + " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")
}

func (m *Media) read() {
	buf := make([]byte, 1500)
	for {
		n, _, err := m.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil || p.PayloadType != 0 {
			continue
		}
		f := make([]int16, len(p.Payload))
		for i, b := range p.Payload {
			f[i] = ulawDecode(b)
		}
		select {
		case m.frame <- f:
		default: // nobody reads: drop
		}
	}
}

// Send sends n 20 ms frames of a constant level to addr ("host:port"),
// every 20 ms.
func (m *Media) Send(addr string, level int16, n int) {
	to, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		m.t.Errorf("media: %v", err)
		return
	}
	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = ulawEncode(level)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for range n {
		m.mu.Lock()
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: m.seq, Timestamp: m.ts, SSRC: m.ssrc}, Payload: payload}
		m.seq++
		m.ts += 160
		m.mu.Unlock()
		buf, _ := p.Marshal()
		if _, err := m.conn.WriteToUDP(buf, to); err != nil {
			return
		}
		<-tick.C
	}
}

// SendDigit sends an RFC 4733 telephone-event (payload type 101) for
// digit code (0-9, 10 = *, 11 = #): a start packet and three end packets.
func (m *Media) SendDigit(addr string, code byte) {
	to, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		m.t.Errorf("media: %v", err)
		return
	}
	m.mu.Lock()
	ts := m.ts
	m.ts += 160 * 4 // the event's duration: the next event or frame starts after it
	m.mu.Unlock()
	for i, end := range []bool{false, true, true, true} {
		m.mu.Lock()
		flags := byte(10) // volume
		if end {
			flags |= 0x80
		}
		dur := uint16(160 * (i + 1))
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: m.seq, Timestamp: ts, SSRC: m.ssrc, Marker: i == 0},
			Payload: []byte{code, flags, byte(dur >> 8), byte(dur)}}
		m.seq++
		m.mu.Unlock()
		buf, _ := p.Marshal()
		_, _ = m.conn.WriteToUDP(buf, to)
	}
}

// Hears waits until a received frame's mean level is within tol of
// level, and fails the test after timeout with the last level heard.
func (m *Media) Hears(level, tol int, timeout time.Duration) {
	m.t.Helper()
	deadline := time.After(timeout)
	last := "nothing"
	for {
		select {
		case f := <-m.frame:
			sum := 0
			for _, s := range f {
				sum += int(s)
			}
			mean := 0
			if len(f) > 0 {
				mean = sum / len(f)
			}
			if mean >= level-tol && mean <= level+tol {
				return
			}
			last = fmt.Sprint(mean)
		case <-deadline:
			m.t.Fatalf("media %d: did not hear level %d±%d within %v (last heard %s)", m.Port(), level, tol, timeout, last)
		}
	}
}

// ulawEncode and ulawDecode are the test's own G.711 µ-law (the textbook
// algorithm: bias 0x84, segment search), independent of the core's codec.
func ulawEncode(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int(s)
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	if v > clip {
		v = clip
	}
	v += bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

func ulawDecode(u byte) int16 {
	u = ^u
	exp := int(u>>4) & 7
	v := ((int(u&0x0F) << 3) + 0x84) << exp
	v -= 0x84
	if u&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}
