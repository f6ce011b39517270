// Package conference is Tandem's conferencing app: the policy of rooms,
// PINs, moderators, leases and conference events. The mixing is the
// core's (DESIGN.md §6): the app creates mixer rooms and puts legs in them
// with the mixer commands (mixer.create, mixer.join, mixer.set...), and
// media never crosses NATS. Joining a parked leg answers it with Tandem's
// media; joining an answered leg re-INVITEs it; either way the leg's
// Contact gets ;isfocus (RFC 4579).
//
// It talks to the core only through plugins/sdk (and, for its own
// commands, the client's NATS connection): the same Plugin value runs
// in-process as the built-in app "conference", or as a process of its
// own with sdk.Serve(conference.Plugin).
//
// # Rooms
//
// Static rooms come from the configuration; ad-hoc rooms from
// conference.create or conference.merge. A room's name is the user part of
// its URI, and also its mixer room's id. A room is open, locked (new
// callers get 403) or ended; a static room that ends is open again for a
// new session, an ad-hoc room is gone.
//
//   - Dial-in: an INVITE to a room's URI is parked for the app by the route
//     decision (RoutePark, the app's name as controller) and joined to the
//     room. A room with a PIN answers the caller into a lobby: in the
//     mixer, muted and deaf, while it types the PIN as RFC 4733 digits,
//     ended by # or by the PIN's length (or as soon as it equals a PIN no
//     longer PIN starts with); * starts over. The right PIN unmutes and
//     undeafens it; the moderator PIN makes it a moderator too;
//     pin_attempts wrong PINs, or none within pin_timeout, hang it up. A
//     full room refuses with 486, a locked one with 403 (and a caller whose
//     right PIN comes after the room was locked is hung up, unless it is a
//     moderator). Other URIs are left to the core (route "default").
//   - Dial-out: conference.dial calls a URI without an offer
//     (legs.originate); when it answers, its leg joins the room (the core
//     re-INVITEs it with Tandem's media).
//   - Merge: conference.merge moves a call's two bridged legs into a new
//     ad-hoc room (each is re-INVITEd), the ad-hoc conference of the lease
//     draft §3.2.
//   - Participants' keypad, once in the conference: *6 mutes or unmutes
//     oneself; *5 locks or unlocks the room (moderators only).
//   - Recording: a room with record on passes record_dir/<room>-<UTC
//     time>.wav to mixer.create; the core writes the mix there until the
//     room ends.
//
// Rooms are a node's (a leg joins only a room of its own node): a room is
// bound to the node of its mixer room, made on its first participant's
// node (an ad-hoc room: on the node the create names, the app's by
// default); a caller reaching another node gets 480. The app keeps its
// state in memory: run one instance (with several nodes, have the SIP load
// balancer send a room's URI to one node).
//
// # Ad-hoc conference URIs are leases
//
// As DESIGN.md §4 and the lease draft (REQ 1-5) say: conference.create
// returns sip:<adhoc.prefix><random token>@<domain> and the lease granted
// (the TTL asked, adhoc.lease_ttl when none, at most adhoc.max_lease_ttl);
// conference.renew extends it from now. The URI routes to the room only
// while the room and its lease live: when the lease expires the room ends
// (its participants are hung up, its subscribers get a terminal NOTIFY,
// event room_ended with reason lease_expired) and the URI gets 404, as
// does any URI with the prefix the app does not know, to INVITE and
// SUBSCRIBE alike.
//
// # Conference event package (RFC 4575)
//
// A SUBSCRIBE with Event: conference to a room's URI is accepted on the
// core's subscribe decision; the core keeps it as a dialog of its own and
// the app sends NOTIFYs in it (legs.request). Once the core has answered
// 200, the full state goes (state="full", version 1: entity the room's
// URI, conference-state with user-count, active and locked, and a user
// per participant with its endpoint's status and media). Every change is
// a partial NOTIFY (state="partial", version one more): a user in full on
// a join, a PIN accepted, a mute or deafen; deleted when it leaves; the
// conference state alone on a lock. A refresh gets the full state again;
// a fetch (Expires: 0) one full state that ends it; the room's end a
// terminal NOTIFY (Subscription-State: terminated;reason=noresource).
// NOTIFYs go one at a time, in order; more than 16 waiting are replaced by
// one full state. Endpoint statuses: dialing-in (admitted, in the lobby),
// dialing-out (a dial-out ringing or joining), pending (a merged leg
// joining), connected, muted-via-focus, disconnected. Media status is
// from the participant's side: recvonly when muted, sendonly when deaf.
//
// # Configuration
//
// The plugin's config mapping (plugins.list[].config; JSON for a process).
// Every key is optional. A key the app does not know is an error, and
// every problem is reported at once naming its key.
//
//	key                          value                what it does
//	domain                       host[:port]          host of ad-hoc URIs (a command may name another)
//	rooms                        list of mappings     static rooms:
//	  uri                        "1000" or URI        user part (any host), or sip:/sips: URI (that host)
//	  pin                        digits               asked of every caller, in the lobby
//	  moderator_pin              digits               makes a moderator (alone: # lets others in)
//	  max_participants           int, 0 (no limit)    callers beyond it get 486
//	  record                     bool, false          record the mix (needs record_dir)
//	record_dir                   absolute path        where recordings go, on the node
//	pin_attempts                 int, 3               wrong PINs before the hangup
//	pin_timeout                  duration, 30s        lobby time before the hangup (0s: none)
//	adhoc.prefix                 string, conf-        user part prefix of ad-hoc URIs
//	adhoc.lease_ttl              duration, 10m        lease of a create that asks for none
//	adhoc.max_lease_ttl          duration, 1h         longest lease granted
//	adhoc.max_rooms              int, 1000            ad-hoc rooms alive at once
//	adhoc.max_participants       int, 0 (no limit)    limit of an ad-hoc room that names none
//
// # Commands
//
// Request/reply JSON on tandem.v1.cmd.conference.<verb> (CommandFilter),
// in the queue group named after the plugin; Go clients use sdk.Do with
// the Cmd variables. Every request has a request_id, every reply carries
// it back with an error from events (codes bad_request, conflict,
// unavailable, internal) when it failed; a repeated request id within
// RepliesTTL gets the first reply. Rooms are named by name or URI.
//
//	verb                request                         reply
//	conference.list     room (optional)                 rooms: room, uri, kind, state, node, pin,
//	                                                    max_participants, recording, expires_at,
//	                                                    participants (leg_id, call_id, entity, state,
//	                                                    role, via, muted, deaf, talking)
//	conference.create   domain, ttl_ms, pin,            room, uri, expires_at, ttl_ms
//	                    max_participants, record, node
//	conference.renew    room, ttl_ms                    expires_at, ttl_ms
//	conference.end      room                            -
//	conference.lock     room                            -
//	conference.unlock   room                            -
//	conference.mute     leg_id                          -     (unmute, deaf, undeaf alike)
//	conference.kick     leg_id                          -     (the core sends BYE)
//	conference.dial     room, target, from, muted,      call_id, leg_id (once the INVITE is sent)
//	                    deaf, timeout_ms
//	conference.merge    call_id, domain, ttl_ms         room, uri, expires_at, leg_ids (once both
//	                                                    legs are in)
//
// # Events
//
// The app publishes its own events on
// tandem.v1.evt.<node>.conference.<room>.<name> (EventSubject; the events
// stream keeps them): room_created, room_ended (reason command,
// lease_expired or merge_failed), room_locked, lease_renewed,
// participant_joined (state lobby or joined), participant_updated (PIN
// accepted, mute, deafen), participant_left (reason hangup, kicked,
// wrong_pin, pin_timeout, locked, room_ended, failed, routed). Their
// envelope names no call; leg_id is the participant's and seq counts the
// room's events.
//
// # Running it
//
// As a built-in:
//
//	plugins:
//	  list:
//	    - name: conference
//	      kind: builtin
//	      decisions: [route, subscribe]
//	      config:
//	        domain: conf.example.com
//	        record_dir: /var/lib/tandem/recordings
//	        rooms:
//	          - {uri: "1000", pin: "1234", moderator_pin: "9999", max_participants: 20}
//	          - {uri: "sip:board@conf.example.com", record: true}
//	        adhoc: {lease_ttl: 10m, max_lease_ttl: 2h}
//
// decisions: [route, subscribe] grants the decisions when the embedded
// NATS server requires authentication (as soon as a process plugin is
// configured). Then the app also needs to serve its commands and publish
// its events beyond the default grant: give it
//
//	publish: ["tandem.v1.cmd.>", "tandem.v1.evt.*.conference.>"]
//	subscribe: ["tandem.v1.evt.>", "tandem.v1.cmd.conference.*"]
//
// The route decision's first answer wins, "default" included: another
// plugin answering route decisions too may take calls to rooms away (the
// app then forgets the caller).
package conference
