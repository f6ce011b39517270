// Package b2bua is Tandem's back-to-back user agent core: it terminates both
// legs of every call and keeps each SIP dialog to a single usage (RFC 5057).
//
// # Calls and legs
//
// A leg is one SIP dialog carrying one INVITE usage. A call bridges an A leg
// (the caller's dialog; Tandem is UAS) and a B leg (towards the routed
// target; Tandem is UAC). Each side has its own Call-ID, tags, CSeq space,
// Via and Contact; only the body and the headers in Config.Headers.Allow
// (sanitised: no CR, LF or NUL) cross from one leg to the other. Dialog state
// (dialog.go) and usage state (leg.go) are separate types.
//
// Every call has one owner, its serial executor (call.go: post and drain),
// that runs all of its state changes one at a time, in order. SIP handlers,
// transaction readers, timers and commands post closures to it; nothing else
// touches a call. The executor's goroutine exists only while work is queued,
// so an idle connected call costs no goroutine. The call's life is the pure
// state machine nextCallState (call_state.go).
//
// # What the core does (RFC 3261 unless said)
//
//   - New INVITE: 100 Trying at once; checks (400 missing headers, 483
//     Max-Forwards 0, 420 Require, 416 URI scheme, 482 loop, 503 with
//     Retry-After while draining); routing: a plugin's answer on NATS within
//     Config.RouteDeadline, else Config.Routes (first match; $1/${name}
//     expansion), else 404.
//
//   - A route may fork: several B legs ring at once (the first 2xx wins, the
//     others get CANCEL; a 2xx that crosses the CANCEL gets ACK and BYE) or
//     one after another; when all fail, A gets the best response (RFC 3261
//     §16.7, bestFailure).
//
//   - 18x relayed (early media SDP with this leg's SDP origin); 2xx answers A
//     with B's SDP and is retransmitted until A's ACK; ACKs are local to each
//     leg (B's ACK carries A's answer when A's INVITE had no offer); failures
//     relayed with their reason; 3xx followed up to Config.MaxRedirects.
//
//   - CANCEL from A: sipgo answers 200 and 487 (with the To-tag of our 18x);
//     B is cancelled at once, or on its first 1xx. No answer within
//     Config.NoAnswerTimeout: 408 to A, CANCEL to B.
//
//   - BYE from either side ends the other; re-INVITE and UPDATE are relayed
//     (hold and resume are reported as events) with one offer in flight per
//     call: a second one is glare and gets 491; a 491 from the peer is
//     retried after the RFC 3261 §14.1 back-off (2.1-4 s when Tandem owns
//     the peer dialog's Call-ID, else 0-2 s), twice, then relayed. INFO and
//     MESSAGE are relayed; OPTIONS answered; SUBSCRIBE and REFER inside a call
//     leg get 603 (a second usage, RFC 5057 §5); NOTIFY 481; unknown 501.
//
//   - Every failure response to an in-dialog request goes through Classify
//     (RFC 5057 §5.1): transaction-only failures are relayed and the call
//     continues; failures that destroy the usage or dialog end the call with
//     BYE on the other leg.
//
//   - Malformed datagrams are answered 400 (or dropped when unanswerable) by
//     the guard around the UDP socket (internal/sipguard) before sipgo sees
//     them.
//
//   - A connected call longer than Config.MaxCallDuration is ended with BYE
//     on both legs (no session timers yet).
//
// # Registrar and GRUUs
//
// With Config.Registrar enabled (internal/registrar), REGISTER is processed
// (digest auth, bis-09 rules, RFC 5626 instances, RFC 5627 GRUUs), requests
// to a registered AOR fork to its contacts (parallel, or sequential in
// q-value order) and a registrar GRUU reaches exactly one instance or gets
// 404. Every Contact the core puts on a leg is a leg GRUU minted under
// Config.GRUU's key (internal/gruu): 404 once the leg has ended. A SUBSCRIBE
// for the reg event is a dialog of its own (regsub.go) with one usage.
//
// # Call control
//
// Plugins control calls through the Core's methods (served on NATS by
// natsapi): ClaimCall and ReleaseCall (one controller at a time, a lease
// that lapses unless renewed; others observe), HoldLeg (a re-INVITE of the
// leg with the last SDP Tandem sent it, sendonly or sendrecv), SendDTMF (INFO
// application/dtmf-relay; RFC 4733 needs media anchoring, not done yet),
// SendRequest (any in-dialog request that does not change the session) and
// HangupLeg. A command on a claimed call from another controller gets
// ErrConflict. Originate, bridge and unbridge are not done yet: they need
// calls of more than two legs.
//
// # Events, commands, decisions
//
// The core publishes events (package events) through an EventSink, in order
// per call with a sequence number; asks routing through a RouteDecider; and
// serves ListCalls, GetCall and HangupCall. Package natsapi connects these
// to NATS.
//
// # Shutdown
//
// Shutdown makes new INVITEs get 503 with Retry-After, lets calls continue
// until they end or Config.DrainTimeout passes, then sends BYE to both legs
// of those left.
//
// sipgo is used only inside internal/sipx; DESIGN.md §7 lists what sipgo
// leaves to us and where the core does it.
package b2bua
