// Package b2bua is Tandem's back-to-back user agent core: it terminates both
// legs of every call and keeps each SIP dialog to a single usage (RFC 5057).
//
// # Calls and legs
//
// A leg is one SIP dialog carrying one INVITE usage. A call made by an
// INVITE bridges an A leg (the caller's dialog; Tandem is UAS) and a B leg
// (towards the routed target; Tandem is UAC); commands add legs to calls
// (originate), join two legs (bridge, possibly moving one leg from its call
// to the other's: move.go) and part them (unbridge). Each leg has a peer, the
// leg its requests and offers are relayed to, or none (a leg alone: its
// media inactive). Each side has its own Call-ID, tags, CSeq space,
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
//   - BYE from a leg with a peer ends the call in a call nobody controls; in
//     a claimed call (or from the transferor during a transfer) the peer
//     stays up, alone, for the controller to deal with; a leg that was alone
//     just ends; a call without legs ends. re-INVITE and UPDATE are relayed
//     (hold and resume are reported as events) with one offer in flight per
//     call: a second one is glare and gets 491; a 491 from the peer is
//     retried after the RFC 3261 §14.1 back-off (2.1-4 s when Tandem owns
//     the peer dialog's Call-ID, else 0-2 s), twice, then relayed. INFO and
//     MESSAGE are relayed; OPTIONS answered; SUBSCRIBE inside a call leg gets
//     603 (a second usage, RFC 5057 §5); REFER starts a transfer (below);
//     NOTIFY 481 unless it reports a REFER Tandem sent; unknown 501.
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
// ErrConflict.
//
// Originate (originate.go) sends an INVITE for a new leg: into a new call
// (claimed by the command's controller), an existing one, or the call of a
// bridge_to leg; without an SDP offer the answerer's 2xx brings one, which
// goes to the bridge_to leg in a re-INVITE and whose answer returns in the
// ACK (RFC 3725 flow I), else is answered with the media inactive.
// BridgeLegs (bridge.go) joins two answered legs: an offerless re-INVITE to
// the first brings its offer, which goes to the second; the second's answer
// returns in the first's ACK. Legs of two calls first move to one (the leg's
// owner is atomic; work for a leg is posted with postLeg, which follows a
// move). UnbridgeLeg re-INVITEs both legs inactive. A route decision may
// park a call (park.go): A's INVITE waits for AnswerLeg (200 with the
// offer's media inactive, or the given SDP), RejectLeg or RedirectLeg (3xx
// with Contacts), bounded by Config.NoAnswerTimeout.
//
// # Transfer (RFC 3515, 4488, 4538, 3891, 3892)
//
// A REFER inside a call leg (refer.go) is answered at once: 202, or 200 with
// Refer-Sub: false when asked (no subscription then). Its refer subscription
// is a usage of its own in that dialog: NOTIFYs carry message/sipfrag (100,
// the target's 18x, then the final status with Subscription-State
// terminated), and no failure of them ends the call. A REFER outside any
// dialog to a leg's GRUU with a Target-Dialog naming that leg's dialog comes
// from a party of it (RFC 5057 §6) and is answered in a dialog of its own,
// where its NOTIFYs go. The refer decision (ReferDecider, within
// Config.RouteDeadline; Config.ReferFallback otherwise) accepts, rejects or
// retargets it. Accepted, a new leg calls the target (without an offer, From
// the transferee, Referred-By carried), is bridged to the transferee when it
// answers, and the transferor's leg gets BYE after the final NOTIFY. The
// target failing leaves the transferee with the transferor (rolled back;
// hung up if the transferor left); the transferor leaving does not stop the
// transfer; the transferee leaving cancels the new leg. A second REFER
// during a transfer gets 491; a Refer-To that is not SIP 403, another method
// 501; Config.ReferAuth challenges REFERs (401). A Refer-To with Replaces
// naming a dialog of this node is an attended transfer: transferee and
// target are bridged directly and both transferor legs end
// (replaces.go); naming another dialog, the Replaces goes on in the INVITE
// to the target. An INVITE with Replaces naming a leg of ours takes its
// place. BlindTransfer and AttendedTransfer (transfer_cmd.go) do the same by
// command, natively or by sending REFER to a party. Transfers have ids and
// events (requested, progress, completed, failed, rolled_back).
//
// # Remote and third-party call control
//
// OriginateCall (thirdparty.go) is RFC 3725 third-party call control: A,
// then B, connected by flow I or IV. ReferPhone (clicktodial.go) is
// click-to-dial: a REFER outside any dialog to a registered phone (its
// preferred contact or exactly its GRUU), with Refer-Sub: false on request
// (RFC 4488); its NOTIFYs become transfer events of kind click_to_dial. A
// phone that cannot take a REFER (405, 420, 489, 501: baresip 1.0.0 answers
// 501) is, on request (fallback "originate", clicktodial_fallback.go),
// called instead with Answer-Mode: Auto (RFC 5373) and connected to the
// target as OriginateCall's flow IV. After a transfer, a replacement or a
// bridge, a party that supports from-change is told its new peer by UPDATE
// (identity.go, RFC 4916).
//
// # Memory after a call
//
// An ended call leaves nothing that holds it: sipgo keeps transactions,
// their hooks and stopped timers for a while, so those refer to calls and
// legs weakly and messages carry copies, never pointers into a leg
// (weakhooks.go). An INVITE of ours stays a transaction only T1 after its
// 2xx; a 2xx retransmitted later is acknowledged again by the core
// (stray2xx.go, RFC 3261 §13.2.2.4).
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
