// Package sipguard answers malformed SIP requests that arrive over UDP
// before sipgo sees them, and keeps them away from sipgo.
//
// # Why
//
// sipgo v1.7.2 parses each UDP datagram in its transport and, when the
// parser fails, logs the whole datagram at error level and drops it: the
// sender never gets an answer and keeps retransmitting. sipgo also accepts
// requests that RFC 3261 and the RFC 4475 torture tests call invalid: no
// From, To or Call-ID, two CSeq headers, a CSeq method that differs from the
// request method, SIP/7.0, a Request-URI in an unknown scheme and so on.
// A B2BUA must answer such a request with a 4xx (RFC 3261 §8.2, §16.3 and
// RFC 4475 §3.1.2, §3.3) and keep serving everything else.
//
// # Pieces
//
//   - [Validate] checks a parsed *sip.Request for the defects the parser lets
//     through and returns a [Reject] (status code and reason phrase) or nil.
//   - [BuildReject] builds a stateless error response from raw bytes, whether
//     or not they parsed: it copies Via (all of them), From, To, Call-ID and
//     CSeq header lines as received (compact forms and folded lines
//     included), adds a To-tag, and sets Content-Length: 0.
//   - [NewPacketConn] wraps the UDP socket handed to sipgo
//     (srv.ServeUDP(pc)). Its ReadFrom returns a datagram to sipgo only when
//     it is a keep-alive, a response that parses with a 100-699 status code
//     and the headers a client transaction needs, or a request that parses
//     and validates. Every other request is answered on the spot with the
//     response built by BuildReject, reported to onReject, and never reaches
//     sipgo.
//
// # What is answered and what is dropped
//
// A request is answered when BuildReject can find at least one non-empty Via
// header line; the answer goes to the datagram's source address, like
// sipgo's own responses over UDP (RFC 3581 behaviour). Dropped, with an
// onReject call, are: requests with no usable Via (there is nobody to answer,
// RFC 3261 §18.2.2), ACKs (an ACK is never answered, RFC 3261 §17), malformed
// responses (RFC 3261 §18.1.2: discard), and datagrams whose start line is
// neither a request line nor a status line.
//
// Status codes: 505 for a SIP-Version other than SIP/2.0, 416 for a
// Request-URI scheme other than sip, sips or tel, 400 for everything else.
//
// The reason passed to onReject has the form "category: detail", where
// category is one of "malformed request" (did not parse; answered),
// "invalid request" (parsed, failed Validate; answered), "unanswerable
// request" (dropped: no Via, or an ACK), "malformed response" (dropped) and
// "not sip" (dropped). The category is a bounded set and fit for a metric
// label; the detail is for the log line and may quote the parser's error.
//
// # Cost
//
// The wrapper parses every datagram a second time (sipgo parses it again
// after ReadFrom returns). It keeps no state between datagrams and allocates
// nothing beyond what sip.Parser allocates for the message it parses; the
// error paths allocate the response. BenchmarkPacketConnRead measures the
// cost; see the figures recorded in packetconn_test.go.
//
// # Concurrency
//
// sip.Parser keeps no per-parse state (its fields are a read-only map of
// header parsers and a length limit), so one Parser serves any number of
// goroutines. The wrapper holds no mutable state of its own: ReadFrom may be
// called by the one reader goroutine sipgo runs per socket while other
// goroutines call WriteTo, which goes straight to the wrapped socket, as do
// the rejects ReadFrom writes.
//
// # Security
//
// A reject is sent to the source address of the datagram, which an attacker
// can forge. The reject is built only from the request's own header lines
// plus about 100 bytes, so it is not a useful amplifier; sipgo answers a
// forged well-formed request to the same address anyway.
package sipguard
