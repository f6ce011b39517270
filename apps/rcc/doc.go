// Package rcc is Tandem's remote call control gateway: the NATS commands
// of the wire contract (package events) over HTTP with JSON, and the
// events as Server-Sent Events, for controllers that do not speak NATS
// (CRM click-to-dial, call-center software, operator consoles).
//
// It talks to the core only through plugins/sdk: the same Plugin value
// runs in-process as the built-in app "rcc" on the node's NATS connection,
// or as a process of its own (sdk.Serve(rcc.Plugin)). README.md in this
// directory is the user's guide, with curl examples that a test runs.
//
// # The API
//
// Each route mirrors one command verb; the table (routes.go) makes the
// mux, the permissions and the OpenAPI 3.1 document served at
// /openapi.json:
//
//	GET    /v1/calls                     calls.list
//	POST   /v1/calls                     calls.originate (RFC 3725, A then B)
//	GET    /v1/calls/{call_id}           calls.get
//	DELETE /v1/calls/{call_id}           calls.hangup (whoever controls the call)
//	POST   /v1/calls/{call_id}/claim     calls.claim
//	DELETE /v1/calls/{call_id}/claim     calls.release
//	POST   /v1/legs                      legs.originate
//	DELETE /v1/legs/{leg_id}             legs.hangup
//	POST   /v1/legs/{leg_id}/answer      legs.answer (also reject, redirect, hold,
//	                                     resume, dtmf, request, bridge, unbridge)
//	POST   /v1/legs/{leg_id}/mixer       mixer.join
//	PATCH  /v1/legs/{leg_id}/mixer       mixer.set
//	DELETE /v1/legs/{leg_id}/mixer       mixer.leave
//	POST   /v1/phones/refer              phones.refer (click-to-dial by REFER, or by a
//	                                     call when fallback is "originate")
//	POST   /v1/transfers/blind           transfers.blind
//	POST   /v1/transfers/attended        transfers.attended
//	GET    /v1/registrations             registrations.list (every AOR)
//	GET    /v1/registrations/{aor}       registrations.list (one AOR, URL-escaped)
//	GET    /v1/conferences               conference.list (the conference app's)
//	POST   /v1/conferences/{verb}        conference.<verb>: create, renew, end, lock,
//	                                     unlock, mute, unmute, deaf, undeaf, kick,
//	                                     dial, merge (no node parameter)
//	GET    /v1/mixer/rooms               mixer.list
//	POST   /v1/mixer/rooms               mixer.create
//	DELETE /v1/mixer/rooms/{room_id}     mixer.destroy
//	GET    /v1/events                    the event stream (permission "events")
//	GET    /openapi.json                 the OpenAPI document (no token)
//
// A body is the JSON of the verb's request type (an empty body is the
// zero request); a field the type does not declare is refused. The path
// gives the ids, the token gives the controller (a body may repeat them,
// not contradict them), and the Idempotency-Key header gives request_id.
// The reply is the JSON of the verb's reply type as the core sent it, with
// status 200, or with the status of its error: bad_request 400,
// unknown_call and unknown_leg 404, conflict 409, internal 500,
// unavailable 503. The gateway's own refusals have the same shape with
// code 0: unauthorized 401, forbidden 403, not_found 404,
// method_not_allowed 405, unsupported_media 415, bad_gateway 502, no_core
// and stopped 503, timeout 504 (no reply within command_timeout).
//
// The query parameter node sends a command to one node
// (tandem.v1.cmd.<node>.<verb>); the mixer verbs go to the gateway's own
// node by default, as rooms are per node.
//
// # Tokens
//
// Every route but /openapi.json needs "Authorization: Bearer <token>".
// Tokens come from the configuration, each with a name (the controller
// its commands carry), permissions (globs over the verbs and "events",
// e.g. "calls.*", "*") and answer_mode (whether its originates may carry
// Answer-Mode or Priv-Answer-Mode, RFC 5373, and its phones.refer may ask for
// fallback "originate", which calls the phone with Answer-Mode: Auto;
// refused with 403 otherwise).
// A token is compared in constant time with every configured token's
// SHA-256 digest; only the digests are kept, and tokens are never logged
// (Secret). The core remembers replies by request id for every controller
// at once, so the gateway prefixes each token's keys with its name: one
// token cannot replay another's replies.
//
// # Configuration
//
// The plugin's config mapping (plugins.list[].config; JSON for a process):
//
//	key              default          what it is
//	listen           127.0.0.1:8089   host:port of the HTTP listener (plain HTTP)
//	command_timeout  5s               the wait for a core's reply: 504 after it
//	heartbeat        15s              the comment that keeps an event stream open
//	tokens           (required)       list of mappings:
//	  name                            the controller name: letters, digits, . _ -
//	  token | token_env | token_file  the secret, or the variable or file holding it
//	  permissions                     globs: calls.*, legs.originate, mixer.*, events, *
//	  answer_mode    false            may originate with Answer-Mode / Priv-Answer-Mode
//
// A key the app does not know is an error; every problem is reported at
// once, naming its key. A secret must be at least MinTokenLength bytes of
// RFC 6750 token characters; two tokens may share a name (rotation) but
// not a secret.
//
// # Events
//
// GET /v1/events streams events (text/event-stream) until the client
// goes or the gateway stops: the query parameter subject is a NATS filter
// under tandem.v1.evt. (default every event), call_id keeps one call's.
// Each event is "event: <type string>", "id: <envelope id>" and "data:
// <its JSON>"; an event of a type this build does not know passes as it
// came. With a filter that takes whole calls (no event name in it), the
// SDK follows each call's sequence: missed events are read from the
// events stream, and those it cannot find are announced as "event: gap"
// with {call_id, node, first_seq, last_seq}; a filter of some events of
// each call skips numbers by design and reports no gap. A comment line
// every heartbeat keeps proxies from closing an idle stream.
package rcc
