// Package sipx is the only place the core touches sipgo. It re-exports the
// message types the core works with (as aliases), owns the SIP stack
// (user agent, server, client, listeners) and holds the message builders
// sipgo leaves to us: CANCEL and 2xx ACK for our own INVITEs, in-dialog
// requests, header sanitising and the RFC 3261 §14.1 glare back-off.
//
// What sipgo v1.7.2 does not do and this package or the core does instead is
// listed in DESIGN.md §7: Max-Forwards and loop checks, timer C, 2xx
// retransmission towards the caller until its ACK, the To-tag of the 487 after
// CANCEL (the core puts its tag on the INVITE before any response), and
// answering unparseable datagrams (sipguard, wrapped around the UDP socket).
package sipx
