package rcc

import (
	"net/http"
	"reflect"
	"regexp"
	"slices"

	"github.com/tandem-sip/tandem/apps/conference"
	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// PermEvents is the permission to read the event stream (GET /v1/events).
// The other permissions are the command verbs (events.VerbLegsHold...).
const PermEvents = "events"

// route is one endpoint of the gateway. The routes are declared once, as
// data, in routes below: the HTTP mux, the permissions and the OpenAPI
// document are all made from this table.
type route struct {
	method  string // GET, POST, PATCH, DELETE
	path    string // a net/http pattern path: /v1/legs/{leg_id}/hold
	perm    string // the permission it needs; "" for none (no token either)
	summary string
	// params are the path's wildcards, each the JSON name of the request
	// field it fills (call_id, leg_id, room_id).
	params []string
	// request and reply are the command's types (nil for the stream and
	// the document); body tells whether a JSON body is read.
	request, reply reflect.Type
	body           bool
	// localNode sends the command to the gateway's own node when the
	// request names none (the mixer verbs: rooms are per node).
	localNode bool
	// appVerb marks an app's command (the conference app's): it goes on
	// the load-shared subject only, so the node parameter is refused.
	appVerb bool
	// query are query parameters that fill the request's string fields of
	// the same JSON name (the filters of a GET).
	query []string
	// check refuses a decoded request (a pointer to request) before it is
	// sent: with a status and an error, or nil.
	check func(t *token, req any) (int, *events.Error)
	// serve answers the request of an authenticated token (nil for a
	// route without a permission).
	serve func(g *Gateway, w http.ResponseWriter, r *http.Request, t *token)
}

// routes is the gateway's API, in the order of the documentation.
var routes = []route{
	command(http.MethodGet, "/v1/calls", sdk.CallsList,
		"List the calls of a node (calls.list)."),
	command(http.MethodPost, "/v1/calls", sdk.CallsOriginate,
		"Third-party call control (RFC 3725): call a, then b, and connect them; the call is claimed by the token's controller (calls.originate).",
		withCheck(checkAnswerMode)),
	command(http.MethodGet, "/v1/calls/{call_id}", sdk.CallsGet,
		"Get one call with its legs (calls.get)."),
	command(http.MethodDelete, "/v1/calls/{call_id}", sdk.CallsHangup,
		"Hang a call up, whoever controls it (calls.hangup): BYE to answered legs, CANCEL or a final response (cause, default 480) to the others."),
	command(http.MethodPost, "/v1/calls/{call_id}/claim", sdk.CallsClaim,
		"Claim a call for the token's controller, or renew its claim, for ttl_ms (calls.claim)."),
	command(http.MethodDelete, "/v1/calls/{call_id}/claim", sdk.CallsRelease,
		"Give a claimed call up (calls.release)."),

	command(http.MethodPost, "/v1/legs", sdk.LegsOriginate,
		"Originate a leg: an INVITE to target, optionally bridged to bridge_to when it answers (legs.originate).",
		withCheck(checkAnswerMode)),
	command(http.MethodDelete, "/v1/legs/{leg_id}", sdk.LegsHangup,
		"Hang one leg up: BYE, or CANCEL / a final response (cause) when not answered (legs.hangup)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/answer", sdk.LegsAnswer,
		"Answer a waiting (parked) leg with 200, with sdp or the offer's media inactive (legs.answer)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/reject", sdk.LegsReject,
		"Refuse a waiting leg with a final response, code 400-699 (legs.reject)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/redirect", sdk.LegsRedirect,
		"Answer a waiting leg with a 3xx listing targets (legs.redirect)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/hold", sdk.LegsHold,
		"Put a leg on hold: a sendonly re-INVITE (legs.hold)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/resume", sdk.LegsResume,
		"Take a leg off hold: a sendrecv re-INVITE (legs.resume)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/dtmf", sdk.LegsDTMF,
		"Send DTMF digits to a leg's party by SIP INFO or RFC 4733 (legs.dtmf)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/request", sdk.LegsRequest,
		"Send a request inside a leg's dialog (NOTIFY, INFO, OPTIONS, MESSAGE...) and get the party's final response (legs.request)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/bridge", sdk.LegsBridge,
		"Bridge the leg with other_leg_id so their parties talk (legs.bridge)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/unbridge", sdk.LegsUnbridge,
		"Separate a leg from its peer; both stay up with inactive media (legs.unbridge)."),
	command(http.MethodPost, "/v1/legs/{leg_id}/mixer", sdk.MixerJoin,
		"Put a leg in a mixer room (mixer.join).", onLocalNode()),
	command(http.MethodPatch, "/v1/legs/{leg_id}/mixer", sdk.MixerSet,
		"Change how a leg is mixed: muted, deaf, gain_db (mixer.set).", onLocalNode()),
	command(http.MethodDelete, "/v1/legs/{leg_id}/mixer", sdk.MixerLeave,
		"Take a leg out of its mixer room; the leg stays up (mixer.leave).", onLocalNode()),

	command(http.MethodPost, "/v1/phones/refer", sdk.PhonesRefer,
		"Click-to-dial: ask a registered phone (an AOR or a GRUU), by a REFER outside any dialog, to call target (phones.refer); no_subscription asks for Refer-Sub: false; fallback originate calls the phone (Answer-Mode: Auto, so the token needs answer_mode) and target when the phone cannot take a REFER.",
		withCheck(checkAnswerMode)),

	command(http.MethodGet, "/v1/registrations", sdk.RegistrationsList,
		"List the registrar's live bindings of every AOR, at most 1000, truncated says when some were left out (registrations.list)."),
	command(http.MethodGet, "/v1/registrations/{aor}", sdk.RegistrationsList,
		"List the live bindings of one AOR, URL-escaped in the path (sip%3Aalice%40example.com); none is an empty list (registrations.list)."),

	command(http.MethodPost, "/v1/transfers/blind", sdk.TransfersBlind,
		"Transfer the party of leg_id to target, natively or by REFER (transfers.blind)."),
	command(http.MethodPost, "/v1/transfers/attended", sdk.TransfersAttended,
		"Join the peers of two legs of one party (transfers.attended)."),

	command(http.MethodGet, "/v1/mixer/rooms", sdk.MixerList,
		"List the node's mixer rooms and their participants (mixer.list).", onLocalNode()),
	command(http.MethodPost, "/v1/mixer/rooms", sdk.MixerCreate,
		"Create a mixer room, optionally recorded to a WAV file (mixer.create).", onLocalNode()),
	command(http.MethodDelete, "/v1/mixer/rooms/{room_id}", sdk.MixerDestroy,
		"End a mixer room: its legs leave it and stay up (mixer.destroy).", onLocalNode()),

	command(http.MethodGet, "/v1/conferences", conference.CmdList,
		"List the conference app's rooms and their participants; room filters by a room's name or URI (conference.list).",
		appVerb(), withQuery("room")),
	command(http.MethodPost, "/v1/conferences/create", conference.CmdCreate,
		"Create an ad-hoc conference room and lease its URI (conference.create).", appVerb()),
	command(http.MethodPost, "/v1/conferences/renew", conference.CmdRenew,
		"Renew an ad-hoc room's lease from now (conference.renew).", appVerb()),
	command(http.MethodPost, "/v1/conferences/end", conference.CmdEnd,
		"End a room: its participants are hung up (conference.end).", appVerb()),
	command(http.MethodPost, "/v1/conferences/lock", conference.CmdLock,
		"Lock a room: new callers get 403 (conference.lock).", appVerb()),
	command(http.MethodPost, "/v1/conferences/unlock", conference.CmdUnlock,
		"Unlock a room (conference.unlock).", appVerb()),
	command(http.MethodPost, "/v1/conferences/mute", conference.CmdMute,
		"Mute a participant's leg: the others no longer hear it (conference.mute).", appVerb()),
	command(http.MethodPost, "/v1/conferences/unmute", conference.CmdUnmute,
		"Unmute a participant's leg (conference.unmute).", appVerb()),
	command(http.MethodPost, "/v1/conferences/deaf", conference.CmdDeaf,
		"Deafen a participant's leg: it no longer hears the others (conference.deaf).", appVerb()),
	command(http.MethodPost, "/v1/conferences/undeaf", conference.CmdUndeaf,
		"Let a participant's leg hear the others again (conference.undeaf).", appVerb()),
	command(http.MethodPost, "/v1/conferences/kick", conference.CmdKick,
		"Hang a participant's leg up (conference.kick).", appVerb()),
	command(http.MethodPost, "/v1/conferences/dial", conference.CmdDial,
		"Call target into a room; the leg joins when it answers (conference.dial).", appVerb()),
	command(http.MethodPost, "/v1/conferences/merge", conference.CmdMerge,
		"Move a call's two bridged legs into a new ad-hoc room (conference.merge).", appVerb()),

	{
		method: http.MethodGet, path: "/v1/events", perm: PermEvents,
		summary: "Stream events as Server-Sent Events (text/event-stream), filtered by subject and call_id.",
		serve:   (*Gateway).serveEvents,
	},
	{
		method: http.MethodGet, path: "/openapi.json",
		summary: "This API's OpenAPI 3.1 document (no token needed).",
	},
}

// routeOption changes a command route.
type routeOption func(*route)

// withCheck refuses some requests before they are sent (see route.check).
func withCheck(fn func(t *token, req any) (int, *events.Error)) routeOption {
	return func(r *route) { r.check = fn }
}

// onLocalNode sends the command to the gateway's node unless the request
// names one.
func onLocalNode() routeOption { return func(r *route) { r.localNode = true } }

// appVerb marks an app's command: no node parameter (see route.appVerb).
func appVerb() routeOption { return func(r *route) { r.appVerb = true } }

// withQuery lets query parameters fill the request's fields of the same
// JSON names (see route.query).
func withQuery(names ...string) routeOption { return func(r *route) { r.query = names } }

var wildcardRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// command is the route of a command: cmd's verb is its permission, its
// request and reply types are the body and the answer.
func command[Req, Rep any](method, path string, cmd sdk.Command[Req, Rep], summary string, opts ...routeOption) route {
	r := route{
		method:  method,
		path:    path,
		perm:    cmd.Verb,
		summary: summary,
		request: reflect.TypeFor[Req](),
		reply:   reflect.TypeFor[Rep](),
		body:    method != http.MethodGet,
	}
	for _, m := range wildcardRE.FindAllStringSubmatch(path, -1) {
		r.params = append(r.params, m[1])
	}
	for _, o := range opts {
		o(&r)
	}
	r.serve = func(g *Gateway, w http.ResponseWriter, req *http.Request, t *token) {
		serveCommand(g, w, req, t, &r, cmd)
	}
	return r
}

// Permissions lists every permission a token can be given: the verbs of
// the routes, then PermEvents. Permission globs are matched against them.
func Permissions() []string {
	var out []string
	for _, r := range routes {
		if r.perm != "" && !slices.Contains(out, r.perm) {
			out = append(out, r.perm)
		}
	}
	return out
}
