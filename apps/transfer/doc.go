// Package transfer is Tandem's transfer policy app: it answers the core's
// REFER decision (events.DecideRefer) to allow, refuse or redirect each
// transfer, and logs how each transfer ended. The core carries transfers
// out itself (202, NOTIFYs, the call to the target, the bridge, the
// transferor's BYE); this app only says whether, and where to.
//
// It talks to the core only through plugins/sdk: the same Plugin value runs
// in-process as the built-in app "transfer" on the node's NATS connection,
// or as a process of its own:
//
//	package main
//
//	import (
//		"github.com/tandem-sip/tandem/apps/transfer"
//		"github.com/tandem-sip/tandem/plugins/sdk"
//	)
//
//	func main() { sdk.Serve(transfer.Plugin) }
//
// # Configuration
//
// The plugin's config mapping (plugins.list[].config; JSON for a process).
// Every key is optional; none at all accepts every transfer as asked. A key
// the app does not know is an error.
//
//	key                     value              what it does
//	deny                    regexps            refuses a matching Refer-To URI:
//	                                           403 Transfer Target Not Allowed
//	allow                   regexps            when set, refuses a Refer-To URI that
//	                                           matches none: 403, the same
//	rewrite                 list of mappings   {match: regexp, target: template}: the
//	                                           first rule matching the Refer-To URI
//	                                           gives the URI the core calls instead
//	require_same_domain     bool, false        refuses a Refer-To host other than the
//	                                           REFER's From host:
//	                                           403 Transfer Target Not In Domain
//	max_transfers_per_call  int, 0 (no limit)  refuses a call's transfers beyond it:
//	                                           486 Too Many Transfers
//
// Regexps are Go's (RE2), unanchored unless written with ^ and $, matched
// against the Refer-To URI as the core reports it (events.ReferRequestV1:
// "sip:user@host:port;params", without headers). A rewrite target is a sip:
// or sips: URI template: $1 or ${1} stands for a group of match, ${name}
// for a named group, $$ for a dollar sign; a group the match does not have
// is a configuration error. The keys apply in this order: deny, allow,
// require_same_domain, max_transfers_per_call, rewrite (see
// Policy.Decide). A rejected transfer is reported with its code and reason
// in the final NOTIFY to the transferor, and the call stays as it was. An
// attended transfer (Refer-To with Replaces) is checked but never
// rewritten.
//
// max_transfers_per_call counts, per call id, the transfers this instance
// accepted; a call is forgotten when its call.ended event arrives, and at
// most DefaultMaxCalls calls are remembered (the least recently transferred
// is forgotten first), so memory stays bounded even if ended events are
// lost. Decisions are answered in the plugin's queue group, so several
// instances (nodes, processes) share the requests and the core takes the
// first answer; each instance then counts only the requests it answered,
// so with several instances the limit is per instance.
//
// # Running it
//
// As a built-in, on every node that lists it (the core falls back to
// refer_fallback when no answer comes within route_deadline):
//
//	plugins:
//	  list:
//	    - name: transfer
//	      kind: builtin
//	      decisions: [refer]
//	      config:
//	        deny: ['@premium\.example\.com']
//	        rewrite:
//	          - match: '^sips?:(\d{3})@'
//	            target: 'sip:$1@pbx.example.com'
//	        require_same_domain: true
//	        max_transfers_per_call: 3
//
// decisions: [refer] grants the plugin the refer decision when the embedded
// NATS server requires authentication (as soon as a process plugin is
// configured); with no process plugin it is not needed but harmless. As a
// process the entry is the same with kind: process and path: set to the
// executable built from the main above.
//
// # Events and logs
//
// The app subscribes to call events: a transfer's completed or failed
// event is logged as one info line "transfer: outcome" with transfer_id,
// call_id and outcome (completed, with the new leg and the time it took;
// failed, with the code and reason); a refusal by the policy adds one info
// line "transfer: refused" naming the rule. The plugin host offers apps no
// metrics registry, so the app keeps no metrics of its own: the core counts
// transfers (tandem_transfers_total by outcome) and times them
// (tandem_transfer_seconds).
package transfer
