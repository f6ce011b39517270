// Package dialogevent is Tandem's dialog event package (RFC 4235) as an
// app: a SUBSCRIBE with Event: dialog to an AOR (the Request-URI,
// sip:user@domain) gets application/dialog-info+xml NOTIFYs about that
// AOR's calls through Tandem: a busy-lamp field. It is part of remote call
// control (apps/rcc) and, like every app, talks to the core only through
// plugins/sdk:
//
//   - It answers the SUBSCRIBE decision (sdk.Client.HandleSubscribe). A
//     dialog SUBSCRIBE is accepted from an authorized subscriber (its From)
//     and refused otherwise: 403 Forbidden for a subscriber the watchers
//     do not allow, 404 Not Found for a Request-URI without a user, 406
//     Not Acceptable for an Accept without application/dialog-info+xml.
//     Other event packages are declined (default) for other plugins.
//   - It follows the typed call events (call created; legs created,
//     ringing, answered, ended; call connected, ended; claims, transfers,
//     moves): each of Tandem's legs is a dialog of the party at its far
//     end. The A leg is the caller's (direction initiator; the AOR of the
//     call's From); a leg Tandem called to reach the callee is the callee's
//     (direction recipient; the AOR of the call's To and of its
//     Request-URI); a leg Tandem calls later (a transfer target, an
//     originated call) is the AOR of its target's. AORs are compared by
//     user and host (see AOR).
//   - Each accepted subscription gets the AOR's full state at once
//     (version 0), then a partial document (version + 1) for every change
//     of one of its dialogs: trying, proceeding (the caller's, once Tandem
//     has routed the call), early (an 18x), confirmed (a 2xx) and
//     terminated, with the event that ended it (see endEvent: cancelled,
//     rejected with the code, replaced, local-bye, remote-bye, error,
//     timeout). Following RFC 4235 §3.7.1 a terminated dialog is reported
//     once and left out of every later full state. A refresh gets the full
//     state; an unsubscribe or a fetch gets it as the last NOTIFY. NOTIFYs
//     go through legs.request (sdk.Client.SendRequest) on the subscription
//     id, one at a time per subscription and in version order: the next
//     leaves when the previous one is answered. A subscriber slower than
//     the changes gets them merged, 32 documents behind at most.
//   - The subscription's ended event (or a NOTIFY the core no longer
//     takes) ends it in the app.
//
// The plugin:
//
//	package main
//
//	import (
//		"github.com/tandem-sip/tandem/apps/rcc/dialogevent"
//		"github.com/tandem-sip/tandem/plugins/sdk"
//	)
//
//	func main() { sdk.Serve(dialogevent.Plugin) }
//
// # Configuration
//
// The plugin's config mapping (plugins.list[].config; JSON for a process).
// Every key is optional; none at all lets each user watch its own AOR only.
// A key the app does not know is an error.
//
//	key          value                    what it does
//	watchers     mapping: AOR or "*" to   who may watch the AOR ("*": any AOR):
//	             list of URIs or "*"      the From URIs of their SUBSCRIBEs, or
//	                                      "*" for anybody
//	max_expires  int, 0                   caps a subscription's life (seconds)
//	                                      below the core's cap (3600)
//
// As a built-in:
//
//	plugins:
//	  list:
//	    - name: dialog-event
//	      kind: builtin
//	      decisions: [subscribe]
//	      config:
//	        watchers:
//	          "sip:bob@example.com": ["sip:reception@example.com"]
//	          "*": ["sip:operator@example.com"]
//	        max_expires: 600
//
// # Security
//
// Dialog state tells who calls whom: RFC 4235 §7 wants it for authorized
// subscribers only. The app authorizes by the SUBSCRIBE's From, which the
// core does not authenticate for plugin packages: deploy it where the From
// can be trusted (behind an authenticating proxy, or on a trusted
// network). The documents carry each dialog's id (Tandem's leg id) and
// Call-ID, never its tags.
//
// # Limits
//
// The app knows the calls whose events it has seen since it started; a
// subscription made later still gets their later changes, but a call
// already up when the app started is not reported. A BYE ends a call's
// legs before the call_ended event says who sent it, so an answered
// dialog's local-bye or remote-bye is reported with the call's end. A
// hangup command before the answer that names its own reason reports the
// callee's dialog as rejected rather than cancelled. The Event header's
// parameters (call-id, to-tag, from-tag) are not passed on by the core:
// every subscription watches all of its AOR's dialogs. The app keeps its
// state in memory: several instances each serve the subscriptions they
// accepted, and a restarted one knows none of the earlier ones (their
// subscribers hear nothing more until they refresh or the core expires
// them).
package dialogevent
