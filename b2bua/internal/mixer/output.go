package mixer

import "github.com/pion/rtp"

// outStream is a participant's outgoing RTP stream: its own SSRC, and a
// sequence number and timestamp that continue across ticks (the timestamp
// also across skipped ticks, so the receiver sees the gap in time).
type outStream struct {
	pkt     rtp.Packet
	payload [FrameSamples]byte
	started bool
}

// next sets up the header of the packet of this tick, ticks periods after
// the previous one.
func (o *outStream) next(ticks int) {
	if !o.started {
		o.started, o.pkt.Marker = true, true // first packet of a talkspurt
		return
	}
	o.pkt.Marker = false
	o.pkt.SequenceNumber++
	o.pkt.Timestamp += uint32(ticks) * FrameSamples
}
