// Package natsapi is the core's bridge to NATS: it publishes call events to
// JetStream, asks plugins for decisions, and serves operator and app
// commands. The wire contract (types, subjects, error codes) is package
// events; this package only moves it.
//
// # Server
//
// Start runs an embedded NATS server with JetStream (store in
// Config.Embedded.DataDir, listening on Embedded.Host:Port, Port -1 for a
// free one) when Config.URL is empty, or connects to the server or cluster
// at Config.URL (with Config.CredentialsFile if set; credentials are never
// logged). The core's own connection to the embedded server is in-process;
// ClientURL is the address for everyone else. Start creates or updates the
// stream events.Stream (subjects events.StreamSubjects, file storage,
// Config.StreamMaxAge) and returns once it exists.
//
// # Authentication
//
// With Config.Embedded.Users empty the embedded server lets anyone on its
// address in (it listens on loopback by default). Configuring users turns
// authentication on: only those users connect, each limited to its
// publish and subscribe subjects (a user with a publish list may also
// answer the requests it receives, e.g. decisions), and no anonymous
// client gets in. The core then connects in-process as InternalUser, with a
// random password made at Start and full access; InternalURL hands the same
// access to in-process tools and tests. The server adds one user per
// plugin when a process plugin is configured (see plugins/host). Connect
// opens further in-process connections, for built-in plugins, with the
// caller's credentials. Passwords (Secret) print as xxxxx.
//
// # Subjects
//
//	tandem.v1.evt.<node>.call.<call_id>.<name>  Publish (JetStream, stream TANDEM_EVENTS)
//	tandem.v1.decide.route                       Route (request/reply)
//	tandem.v1.decide.refer                       Refer (request/reply)
//	tandem.v1.decide.subscribe                   Subscribe (request/reply)
//	tandem.v1.cmd.<verb>                         ServeCommands, queue group tandem-core
//	tandem.v1.cmd.<node>.<verb>                  ServeCommands, this node only
//
// The verbs are calls.{list,get,hangup}; with a LegController core also
// legs.{hold,resume,dtmf,request,hangup} and calls.{claim,release}; with a
// FlowController core also legs.{originate,answer,reject,redirect,bridge,
// unbridge}; with a TransferController core also transfers.{blind,
// attended}; with a MixerController core also mixer.{create,destroy,join,
// leave,set,list}.
//
// # Events
//
// Publish is called from a call's serial loop and never blocks: it marshals
// the event and puts it in a bounded queue (Config.QueueSize). One
// goroutine drains the queue, so events reach the stream in the order they
// were published; it publishes in batches asynchronously, awaits the acks
// in order and publishes again, in order, what failed or was not acked
// within Config.PublishTimeout. The envelope ID is sent as Nats-Msg-Id, so
// JetStream drops the duplicates a retry can make. (A retry after a partial
// failure can store a later event before an earlier one; the envelope's Seq
// orders them.) Connection errors are retried until Close; an event
// JetStream refuses for good is dropped. A full queue drops the event.
// Every drop is counted (tandem_nats_events_dropped_total by reason) and
// logged at error level with the call id. Flush waits for everything queued
// before it to be acked.
//
// # Decisions
//
// Route asks events.DecideRoute with a RouteRequestV1 and returns the
// first valid answer as RouteDecisionV1: every plugin that handles the
// decision may answer (one instance of each, by queue group), and an
// undecodable or invalid (RouteDecisionV1.Validate) answer is logged,
// counted (tandem_nats_decision_invalid_answers_total) and passed over for
// a later one. The answers come in on one wildcard inbox subscription of
// the API's, a channel per request. Route never waits past ctx's deadline.
// When no plugin answers in time or none listens the error wraps
// ErrNoDecision; when only invalid answers came, ErrInvalidDecision. The
// core then uses its configured routes.
//
// Refer (events.DecideRefer, ReferRequestV1 → ReferDecisionV1, asked once a
// REFER is accepted) and Subscribe (events.DecideSubscribe,
// SubscribeRequestV1 → SubscribeDecisionV1, asked for a SUBSCRIBE of a
// package a plugin serves) work the same way, through the same loop; their
// metrics carry decision="refer" and decision="subscribe".
//
// # Commands
//
// ServeCommands answers calls.list, calls.get and calls.hangup with the V1
// reply types, calling the core through CallController; the call control
// verbs when the core also implements LegController, and the call flow
// verbs (originate a leg, answer, reject or redirect a waiting leg, bridge
// and unbridge legs) when it implements FlowController, and the transfer
// verbs (blind and attended transfers, native or by REFER) when it
// implements TransferController, and the mixer verbs (rooms of the node's
// conference mixer and the legs in them) when it implements
// MixerController. Failures are in
// Reply.Error with an events error code: ErrBadRequest for JSON that does
// not decode, lacks a field or is out of bounds (the message names the verb
// and the field; the core is not called), ErrUnknownCall, the core's own
// codes, and ErrInternal for other core errors; ErrUnavailable once Close
// has begun or ServeCommands' ctx has ended (until the subscriptions are
// gone).
//
// The flow verbs are checked before the core sees them: legs.originate's
// target (and from, when given) is a sip: or sips: URI with a host,
// timeout_ms is 0-600000, sdp at most 64 KiB, at most 64 headers, none of
// those the dialog sets (Via, From, To, Call-ID, CSeq, Contact, Route,
// Record-Route, Max-Forwards, Content-Length, Content-Type, compact forms
// included) and no line breaks in values; legs.reject's code is 400-699
// (0 means 486); legs.redirect's code is 300-399 (0 means 302) with 1 to
// 16 sip: or sips: targets; legs.bridge names two different legs;
// legs.answer's sdp is at most 64 KiB. The transfer verbs name a leg_id;
// transfers.blind's target is a sip: or sips: URI with a host;
// transfers.attended's other_leg_id is another leg; mode is native (the
// default when empty) or refer, and target_dialog is for mode refer only.
// The mixer verbs: room_id is a non-empty token of at most 128 bytes
// without spaces or control characters; mixer.create's record_path, when
// set, is an absolute path without NUL (at most 4096 bytes); join, leave
// and set name a leg_id; mixer.set sets at least one of muted, deaf and
// gain_db, which is in -60..20. Rooms are the node's own: with several
// nodes, send mixer.create, destroy and list (and the joins to a room) to
// the node's subject tandem.v1.cmd.<node>.<verb>.
// Commands are idempotent: the reply to a request_id is remembered for
// Config.IdempotencyTTL (at most Config.IdempotencySize of them) and a
// repeat gets it again without reaching the core; a repeat that arrives
// while the first is running waits for its reply. An empty request_id is
// not remembered.
//
// # Shutdown
//
// Close stops Publish (later events are dropped), flushes the queue within
// Config.FlushTimeout, drains the connection and shuts the embedded server
// down.
//
// # Metrics
//
// With a non-nil prometheus.Registerer, Start registers
// tandem_nats_events_published_total, tandem_nats_events_dropped_total
// {reason}, tandem_nats_event_publish_retries_total,
// tandem_nats_events_queued, tandem_nats_decisions_total{decision,outcome}
// (outcome answered, timeout, no_responders, invalid or error),
// tandem_nats_decision_latency_seconds{decision},
// tandem_nats_decision_invalid_answers_total{decision} and
// tandem_nats_commands_total{verb,result}.
package natsapi
