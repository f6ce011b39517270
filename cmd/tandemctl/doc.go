// Command tandemctl is the operator CLI of Tandem. It talks to Tandem nodes
// only over NATS, with the wire contract of package events: commands are
// NATS requests, events are read live or from the JetStream stream.
//
// Usage:
//
//	tandemctl [global flags] COMMAND [flags] [args]
//
//	tandemctl calls list                          # table of a node's calls
//	tandemctl calls show CALL_ID                  # one call, both legs in detail
//	tandemctl calls hangup CALL_ID [--cause 486] [--reason TEXT]
//	tandemctl calls claim CALL_ID --controller NAME [--ttl 30s]   # claim again to renew
//	tandemctl calls release CALL_ID --controller NAME
//	tandemctl legs hold|resume LEG_ID                # re-INVITE sendonly / sendrecv
//	tandemctl legs dtmf LEG_ID DIGITS [--method info|rfc4733] [--duration 250ms]
//	tandemctl legs request LEG_ID METHOD [--header 'Name: value']... [--content-type T] [--body TEXT|@FILE]
//	tandemctl legs hangup LEG_ID [--cause 486] [--reason TEXT]
//	tandemctl legs originate TARGET [--call ID] [--bridge-to LEG_ID] [--from URI] [--from-display NAME]
//	                                [--ring-timeout D] [--sdp-file F] [-H 'Name: value']...
//	tandemctl legs answer LEG_ID [--sdp-file F]        # a waiting (parked) leg: 200
//	tandemctl legs reject LEG_ID [--code 486] [--reason TEXT]
//	tandemctl legs redirect LEG_ID TARGET... [--code 302]
//	tandemctl legs bridge LEG_ID OTHER_LEG_ID          # the two parties talk
//	tandemctl legs unbridge LEG_ID                     # both stay up, media inactive
//	tandemctl transfers blind LEG_ID TARGET [--refer] [--target-dialog]
//	tandemctl transfers attended LEG_ID OTHER_LEG_ID [--refer] [--target-dialog]
//	tandemctl phones refer PHONE TARGET [--no-subscription] [--fallback originate] [--from URI]
//	tandemctl mixer create ROOM_ID [--record /abs/path.wav]   # a room of the node's mixer
//	tandemctl mixer destroy ROOM_ID                    # its legs stay up, alone
//	tandemctl mixer list                               # rooms and their legs
//	tandemctl mixer join LEG_ID ROOM_ID [--muted] [--deaf]
//	tandemctl mixer leave LEG_ID
//	tandemctl mixer set LEG_ID [--mute|--unmute] [--deaf|--undeaf] [--gain-db N]
//	tandemctl events watch [--call ID] [--type leg_ended,ended] [--from-start] [--count N]
//	tandemctl version
//
// Global flags, accepted before or after the command's name:
//
//	--nats URL          NATS server(s), comma-separated; default $TANDEM_NATS_URL,
//	                    else nats://127.0.0.1:4222
//	--creds FILE        NATS credentials file; default $TANDEM_NATS_CREDENTIALS_FILE
//	--user, --password  NATS user and password; default $TANDEM_NATS_USER and
//	                    $TANDEM_NATS_PASSWORD (the environment keeps a password out of ps)
//	--node NAME         send commands to tandem.v1.cmd.<NAME>.<verb>, answered by that
//	                    node only; without it tandem.v1.cmd.<verb> is answered by any one
//	                    node of the queue group (so calls list shows that node's calls).
//	                    events watch then shows only that node's events.
//	--json              machine output: a command prints its reply as the server sent it
//	                    (schema events/schema/tandem.cmd.v1.<verb>.reply.json), on one line;
//	                    events watch prints each event as a JSON line
//	--timeout D         wait for the connection and each reply (default 5s)
//	--request-id ID     the request_id of the command (default a fresh one each run);
//	                    the core answers a repeated id with its first answer, so a retry
//	                    with the same id after a timeout never hangs up twice
//	--controller NAME   the controller the call control commands (legs ..., transfers ...,
//	                    mixer ..., calls claim, calls release) act as; default $TANDEM_CONTROLLER.
//	                    A call claimed by a controller refuses the others (and no
//	                    controller) with conflict (code 4)
//
// A command's error reply is printed to stderr with its name and code, e.g.
//
//	tandemctl: calls show: unknown_call (code 2): no call "x" on node node-1
//
// (with --json the reply is also printed to stdout). Exit codes:
//
//	0  success
//	1  the command failed: an error reply (unknown_call, conflict...) or anything else
//	2  usage error: unknown command, bad flag, missing argument
//	3  cannot connect to NATS, nobody serves the command's subject, or no reply in time
//
// events watch subscribes to tandem.v1.evt.> (narrowed by --call and --node)
// and prints each event as one line,
//
//	2025-01-02T10:00:00.000Z node-1 call-7 #5 leg_ended leg=l2 side=b code=200 reason=bye
//
// or as JSON lines with --json. --type filters on the event's name (the
// last subject token, e.g. leg_ended) or its type string
// (tandem.leg.v1.ended). --from-start reads the stream TANDEM_EVENTS from
// its first event with an ephemeral ordered consumer, then follows it.
// Every call's events carry a sequence number without gaps; when one jumps,
// a warning line goes to stderr ("missed events seq 3-4"), as it does for an
// event that arrives late. Live events repeated by a publish retry are shown
// once. The watch runs until interrupted, or until --count events were
// printed; a line on stderr says when it is subscribed.
//
// legs request prints the final response of the leg's party ("leg l2:
// NOTIFY answered 489 Bad Event") and exits 0 whatever its code: the
// command did its job. The METHOD is upper-cased; INVITE, ACK, BYE, CANCEL,
// PRACK, UPDATE and REGISTER are refused (the other commands do those).
//
// legs originate calls TARGET (a sip: or sips: URI) in a new leg and
// prints the leg and its call as soon as the INVITE is sent ("leg l9:
// calling sip:bob@example.com (call c9)"); the leg's events (events watch
// --call) tell the rest. The leg joins call --call, or a new call; with
// --bridge-to it is bridged to that answered leg when it answers (RFC 3725
// flow I: the INVITE carries no offer unless --sdp-file gives one).
// --ring-timeout bounds the ringing (default: the core's no-answer timeout,
// at most 10m); it is not --timeout, which is how long tandemctl waits for
// the reply. -H (or --header) adds an extension header to the INVITE; the
// core refuses the ones the dialog sets (From, To, Contact...).
//
// legs answer, reject and redirect settle a leg that waits for a
// controller: a call whose route decision parked it (event parked). An SDP
// file (--sdp-file, at most 64 KiB) is sent as is. legs bridge makes the
// two legs' parties talk and prints the call that holds both; legs
// unbridge separates a leg from its peer, both staying up.
//
// transfers blind and transfers attended have Tandem transfer a party
// itself and print the transfer id that the transfer events (requested,
// progress, completed, failed; events watch --call) carry. transfers blind
// moves LEG_ID's party (the transferee) to TARGET (a sip: or sips: URI):
// natively, Tandem calls TARGET in a new leg, bridges it to LEG_ID when it
// answers and then ends LEG_ID's peer (the transferor); the command
// returns once the new leg is being called. transfers attended joins the
// peers of two legs of one party (its two calls): natively they are
// bridged, and LEG_ID and OTHER_LEG_ID end; the command returns once the
// bridge is up. With --refer Tandem sends a REFER instead: to LEG_ID's
// party (blind, Refer-To TARGET) or to LEG_ID's peer's party (attended,
// Refer-To OTHER_LEG_ID's Contact with Replaces naming its dialog), and the
// command returns once the party accepted it; its NOTIFYs become the
// transfer's events. --target-dialog (which implies --refer) sends that
// REFER out of dialog to the party's Contact with a Target-Dialog header
// (RFC 4538) instead of inside the leg's dialog. A leg that is not
// answered, or a call with a transfer in progress, is refused with
// conflict (code 4).
//
// The mixer commands drive the node's conference mixer: Tandem
// terminates the media of the legs in a room and mixes it (each hears the
// others, not itself). Rooms are a node's own and a leg joins only a room
// of its node: with several nodes, give --node to every mixer command
// (otherwise any one node answers, and mixer list shows that node's rooms).
// mixer create makes a room (again: nothing to do); --record writes the
// room's mix as a G.711 µ-law WAV file at that absolute path on the node.
// mixer destroy ends a room: its legs leave it and stay up, alone. mixer
// list prints a table, one line per leg in a room (a room without any has a
// line of dashes):
//
//	ROOM  RECORDING        LEG   CALL  CODEC  MUTED  DEAF  TALKING
//	r1    /srv/rec/r1.wav  c7-a  c7    PCMU   no     no    yes
//	r1    /srv/rec/r1.wav  c9-a  c9    PCMA   yes    no    no
//
// mixer join puts a leg in a room and returns once it is in: a parked leg
// is answered with Tandem's media, an answered one re-INVITEd with it (its
// peer stays up, alone); --muted (the others do not hear it) and --deaf (it
// hears nothing) set how it starts. mixer leave takes it out; the leg stays
// up. mixer set changes a leg in a room: --mute or --unmute, --deaf or
// --undeaf, --gain-db (-60 to 20, how loud the others hear it); what is not
// given stays. An unknown room, or a leg in no room, is refused with
// conflict (code 4).
//
// Commands the core does not offer yet are reserved in main.go: they exit
// 2 saying so. They are added in a function and main.go's command list
// when events defines their verbs. "calls originate", "calls bridge" and
// the like exit 2 naming the legs command to use, and "calls transfer" the
// transfers commands.
package main
