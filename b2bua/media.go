package b2bua

import (
	"errors"
	"net"
	"sync/atomic"

	"github.com/pion/rtp"

	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
)

// legMedia is the media Tandem terminates for a leg in the mixer: its own
// RTP socket on the SIP host, read into the room's participant, and the
// participant's mixed stream written back to the party.
type legMedia struct {
	conn   *net.UDPConn
	remote atomic.Pointer[net.UDPAddr]
	part   *mixer.Participant
	room   *room
	params mediaParams
	done   chan struct{}
	// foreign counts packets dropped because they came from another
	// address than the one the party's SDP gave.
	foreign atomic.Uint64
}

// openMedia binds an RTP socket for a leg on the host Tandem advertises.
func (c *Core) openMedia() (*legMedia, error) {
	ip := net.ParseIP(c.stack.Host())
	if ip == nil {
		ip = net.IPv4(127, 0, 0, 1)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	return &legMedia{conn: conn, done: make(chan struct{})}, nil
}

func (m *legMedia) port() int { return m.conn.LocalAddr().(*net.UDPAddr).Port }

// WriteRTP sends the participant's mixed stream to the party (the
// mixer's Sink).
func (m *legMedia) WriteRTP(p *rtp.Packet) error {
	to := m.remote.Load()
	if to == nil {
		return nil
	}
	buf, err := p.Marshal()
	if err != nil {
		return err
	}
	_, err = m.conn.WriteToUDP(buf, to)
	return err
}

// read feeds the party's packets to the participant until the socket
// closes. The mixer copies and bounds what it is given.
func (m *legMedia) read() {
	defer close(m.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := m.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if to := m.remote.Load(); to != nil && !to.IP.IsUnspecified() && !to.IP.Equal(from.IP) {
			m.foreign.Add(1) // not from the party's address: a spoofer cannot take the stream over
			continue
		}
		if p := m.part; p != nil {
			_ = p.Write(buf[:n]) // malformed and excess packets are counted by the mixer
		}
	}
}

// close stops the media; the participant is removed by the caller.
func (m *legMedia) close() {
	_ = m.conn.Close()
	<-m.done
}

// close0 releases media whose reader never started.
func (m *legMedia) close0() { _ = m.conn.Close() }
