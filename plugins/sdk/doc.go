// Package sdk is what a Tandem plugin imports: a Go client of the wire
// contract (package events) over NATS, and the glue that runs the same
// plugin in-process or as a process launched by Tandem's plugin host.
//
// # A plugin
//
// A plugin is a Plugin value: a name and a Start function that registers
// what the plugin does on its Client and returns.
//
//	var Blocklist = sdk.Plugin{Name: "blocklist", Start: func(ctx context.Context, c *sdk.Client) error {
//		_, err := c.HandleRoute(decide)
//		return err
//	}}
//
// Run it as its own executable with Serve from main, and configure it in
// Tandem (plugins.list, kind process):
//
//	func main() { sdk.Serve(Blocklist) }
//
// Serve speaks go-plugin's handshake (gRPC with mutual TLS) with the host
// that launched it: the host hands over the NATS URL, the plugin's own
// credentials and configuration, Serve connects and starts the plugin; the
// process exits when the host stops it, or with status 1 when the plugin
// fails (the host then restarts it). The same value runs in-process with
// Start or Run given a *nats.Conn: that is how Tandem runs its built-in
// apps, and how tests and stand-alone programs run a plugin.
//
// Everything a plugin registers on its Client (subscriptions, decision
// handlers, Go functions) lasts until the plugin stops and is undone then:
// subscriptions are drained, the plugin's context is cancelled, handlers
// and Go functions are waited for. A Go function that returns an error (or
// panics), Fail, or the NATS connection closing fails the plugin: it stops
// at once and Instance.Err says why.
//
// # Events
//
// Client.Subscribe delivers every call event (AllCallEvents; ForCall for
// one call) decoded into its registered type by the type string of its
// envelope (events.Lookup). Switch on the type, or route with an EventMux
// and the generic On:
//
//	mux := sdk.NewEventMux()
//	sdk.On(mux, func(ctx context.Context, ev *events.CallEndedV1) { ... })
//	c.Subscribe(mux.HandleEvent, sdk.OnGap(func(ctx context.Context, g sdk.Gap) { ... }))
//
// The SDK follows each call's envelope Seq. A jump is caught up: the
// missing events are read from the events stream (events.Stream, which
// keeps every event) and delivered in order before the event that
// revealed the jump; only those the stream does not have are reported to
// OnGap (as a Gap, in their place), and an event of such a gap that
// arrives late is still delivered. A duplicate (a publish the core
// retried) is dropped. A subscriber that starts in the middle of a call
// takes the first event it sees as its baseline. Events of types this SDK
// does not know (a newer core) go to OnRaw, or are skipped. NoCatchUp turns
// the catch-up off: every jump is then a Gap.
//
// # Commands
//
// Client.ListCalls, GetCall and Hangup send the core's commands and return
// typed replies; Do and DoOn send any Command (the variables CallsList,
// CallsGet, CallsHangup; a new command of the contract is one more
// variable). A refusal is an *events.Error; ErrorCode reads its code.
// Commands carry a request id (generated when empty) and are idempotent: to
// retry safely, set RequestID and send the same request again.
//
// Call control: HoldLeg, ResumeLeg, SendDTMF, SendRequest (an in-dialog
// NOTIFY, INFO, OPTIONS... returning the party's final response) and
// HangupLeg act on one leg; ClaimCall makes the plugin a call's controller
// (one per call; the others are refused with events.ErrConflict) until it
// lapses or ReleaseCall, and KeepClaim keeps a claim renewed until its
// context ends or Claim.Release (Claim.Done and Claim.Err tell when the
// claim was lost). Call flow: Originate makes a leg (bridged to another
// when it answers, with BridgeTo); AnswerLeg, RejectLeg and RedirectLeg
// settle a leg that waits for a controller (a call the route decision
// parked); BridgeLegs and UnbridgeLeg join and separate legs. These
// methods send Client.Controller, the plugin's name unless WithController
// says otherwise.
//
//	cl, err := c.KeepClaim(ctx, callID, 0)
//	...
//	if _, err := c.BridgeLegs(ctx, parked, agent); err != nil { ... }
//	<-cl.Done() // the call ended (events.ErrUnknownCall) or was taken
//
// # Decisions
//
// Client.HandleRoute, HandleRefer and HandleSubscribe (and Handle for any
// Decision) answer a decision the core asks: how to route a new INVITE,
// who carries out a REFER Tandem accepted, whether to serve a new
// SUBSCRIBE. Each is served in a queue group named after the plugin, so
// that the instances of one plugin share the load while different plugins
// each get every request (the core takes the first valid answer).
// Returning an error, panicking or producing an answer that fails the
// decision's Validate sends nothing: the core uses its configuration when
// its deadline passes (or another plugin's answer). To decline at once,
// answer the decision's default (events.RouteDefault,
// events.ActionDefault).
//
// # Permissions
//
// Under Tandem's host a plugin connects as its own NATS user and can use
// only the subjects its configuration grants: by default it may watch
// every event (tandem.v1.evt.>) and read them from the events stream (the
// catch-up), send every command (tandem.v1.cmd.>), answer the decisions
// listed in its configuration, and receive replies on its own inbox
// prefix. A subscription or publish outside the grant is refused by the
// server and logged; a catch-up it refuses leaves the gaps reported.
//
// # Logs
//
// Pass a logger with WithLogger (Client.Log returns it, with the
// plugin's name). Under Serve, logs are JSON lines on stderr that the host
// logs as its own, at their level.
package sdk
