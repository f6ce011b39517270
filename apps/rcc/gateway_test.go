package rcc_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// Every route reaches its verb with the path's ids, the token's name as
// the controller, the body's fields and the Idempotency-Key as the
// request id (the token's own); the reply comes back as the core sent it,
// with the key as its request_id. The table covers every route of the
// OpenAPI document.
func TestRoutes(t *testing.T) {
	_, st, base := setup(t, nil)
	tests := []struct {
		method, path, body string
		verb               string
		node               string         // the subject's node; "" load-shared
		want               map[string]any // fields of the request the core gets
		reply              string         // a field of the reply
	}{
		{"GET", "/v1/calls", "", events.VerbCallsList, "", nil, "calls"},
		{"POST", "/v1/calls", `{"a":"sip:alice@h","b":"sip:bob@h","flow":1}`, events.VerbCallsOriginate, "",
			map[string]any{"a": "sip:alice@h", "b": "sip:bob@h", "flow": 1.0, "controller": "ops"}, "a_leg_id"},
		{"GET", "/v1/calls/c7", "", events.VerbCallsGet, "", map[string]any{"call_id": "c7"}, "call"},
		{"DELETE", "/v1/calls/c7", `{"cause":486,"reason":"busy"}`, events.VerbCallsHangup, "",
			map[string]any{"call_id": "c7", "cause": 486.0, "reason": "busy"}, ""},
		{"DELETE", "/v1/calls/c7", "", events.VerbCallsHangup, "", map[string]any{"call_id": "c7"}, ""},
		{"POST", "/v1/calls/c7/claim", `{"ttl_ms":60000}`, events.VerbCallsClaim, "",
			map[string]any{"call_id": "c7", "controller": "ops", "ttl_ms": 60000.0}, "expires_at"},
		{"DELETE", "/v1/calls/c7/claim", "", events.VerbCallsRelease, "", map[string]any{"call_id": "c7", "controller": "ops"}, ""},
		{"POST", "/v1/legs", `{"target":"sip:carol@h","bridge_to":"c7-a","controller":"ops"}`, events.VerbLegsOriginate, "",
			map[string]any{"target": "sip:carol@h", "bridge_to": "c7-a", "controller": "ops"}, "leg_id"},
		{"DELETE", "/v1/legs/c7-a", `{"cause":603}`, events.VerbLegsHangup, "", map[string]any{"leg_id": "c7-a", "cause": 603.0, "controller": "ops"}, ""},
		{"POST", "/v1/legs/c7-a/answer", `{"sdp":"v=0"}`, events.VerbLegsAnswer, "", map[string]any{"leg_id": "c7-a", "sdp": "v=0", "controller": "ops"}, ""},
		{"POST", "/v1/legs/c7-a/reject", `{"code":486,"reason":"Busy Here"}`, events.VerbLegsReject, "",
			map[string]any{"leg_id": "c7-a", "code": 486.0, "reason": "Busy Here"}, ""},
		{"POST", "/v1/legs/c7-a/redirect", `{"targets":["sip:x@h"],"code":301}`, events.VerbLegsRedirect, "",
			map[string]any{"leg_id": "c7-a", "targets": []any{"sip:x@h"}, "code": 301.0}, ""},
		{"POST", "/v1/legs/c7-a/hold", "", events.VerbLegsHold, "", map[string]any{"leg_id": "c7-a", "controller": "ops"}, ""},
		{"POST", "/v1/legs/c7-a/resume", "", events.VerbLegsResume, "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/legs/c7-a/dtmf", `{"digits":"12#","method":"info","duration_ms":100}`, events.VerbLegsDTMF, "",
			map[string]any{"leg_id": "c7-a", "digits": "12#", "method": "info", "duration_ms": 100.0}, ""},
		{"POST", "/v1/legs/c7-a/request", `{"method":"NOTIFY","headers":[{"name":"Event","value":"dialog"}],"content_type":"text/plain","body":"x"}`,
			events.VerbLegsRequest, "", map[string]any{"leg_id": "c7-a", "method": "NOTIFY", "body": "x",
				"headers": []any{map[string]any{"name": "Event", "value": "dialog"}}}, "code"},
		{"POST", "/v1/legs/c7-a/bridge", `{"other_leg_id":"c8-a"}`, events.VerbLegsBridge, "",
			map[string]any{"leg_id": "c7-a", "other_leg_id": "c8-a"}, "call_id"},
		{"POST", "/v1/legs/c7-a/unbridge", "", events.VerbLegsUnbridge, "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/legs/c7-a/mixer", `{"room_id":"r1","muted":true}`, events.VerbMixerJoin, node,
			map[string]any{"leg_id": "c7-a", "room_id": "r1", "muted": true}, ""},
		{"PATCH", "/v1/legs/c7-a/mixer", `{"gain_db":-6}`, events.VerbMixerSet, node, map[string]any{"leg_id": "c7-a", "gain_db": -6.0}, ""},
		{"DELETE", "/v1/legs/c7-a/mixer", "", events.VerbMixerLeave, node, map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/phones/refer", `{"phone":"sip:alice@example.com","target":"sip:bob@example.com"}`, events.VerbPhonesRefer, "",
			map[string]any{"phone": "sip:alice@example.com", "target": "sip:bob@example.com", "controller": "ops"}, "refer_id"},
		{"POST", "/v1/transfers/blind", `{"leg_id":"c7-a","target":"sip:carol@h","mode":"refer","target_dialog":true}`, events.VerbTransfersBlind, "",
			map[string]any{"leg_id": "c7-a", "target": "sip:carol@h", "mode": "refer", "target_dialog": true, "controller": "ops"}, "transfer_id"},
		{"POST", "/v1/transfers/attended", `{"leg_id":"c7-a","other_leg_id":"c8-a"}`, events.VerbTransfersAttended, "",
			map[string]any{"leg_id": "c7-a", "other_leg_id": "c8-a"}, "transfer_id"},
		{"GET", "/v1/mixer/rooms", "", events.VerbMixerList, node, nil, "rooms"},
		{"POST", "/v1/mixer/rooms", `{"room_id":"r1","record_path":"/tmp/r1.wav"}`, events.VerbMixerCreate, node,
			map[string]any{"room_id": "r1", "record_path": "/tmp/r1.wav", "controller": "ops"}, ""},
		{"DELETE", "/v1/mixer/rooms/r1", "", events.VerbMixerDestroy, node, map[string]any{"room_id": "r1"}, ""},
		{"GET", "/v1/registrations", "", events.VerbRegistrationsList, "", nil, "registrations"},
		{"GET", "/v1/registrations/sip%3Aalice%40example.com", "", events.VerbRegistrationsList, "",
			map[string]any{"aor": "sip:alice@example.com"}, "registrations"},
		{"GET", "/v1/conferences", "", "conference.list", "", nil, "rooms"},
		{"GET", "/v1/conferences?room=sales", "", "conference.list", "", map[string]any{"room": "sales"}, "rooms"},
		{"POST", "/v1/conferences/create", `{"pin":"1234","ttl_ms":60000}`, "conference.create", "",
			map[string]any{"pin": "1234", "ttl_ms": 60000.0}, "uri"},
		{"POST", "/v1/conferences/renew", `{"room":"adhoc-x","ttl_ms":60000}`, "conference.renew", "",
			map[string]any{"room": "adhoc-x", "ttl_ms": 60000.0}, "expires_at"},
		{"POST", "/v1/conferences/end", `{"room":"sales"}`, "conference.end", "", map[string]any{"room": "sales"}, ""},
		{"POST", "/v1/conferences/lock", `{"room":"sales"}`, "conference.lock", "", map[string]any{"room": "sales"}, ""},
		{"POST", "/v1/conferences/unlock", `{"room":"sales"}`, "conference.unlock", "", map[string]any{"room": "sales"}, ""},
		{"POST", "/v1/conferences/mute", `{"leg_id":"c7-a"}`, "conference.mute", "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/conferences/unmute", `{"leg_id":"c7-a"}`, "conference.unmute", "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/conferences/deaf", `{"leg_id":"c7-a"}`, "conference.deaf", "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/conferences/undeaf", `{"leg_id":"c7-a"}`, "conference.undeaf", "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/conferences/kick", `{"leg_id":"c7-a"}`, "conference.kick", "", map[string]any{"leg_id": "c7-a"}, ""},
		{"POST", "/v1/conferences/dial", `{"room":"sales","target":"sip:carol@h","muted":true}`, "conference.dial", "",
			map[string]any{"room": "sales", "target": "sip:carol@h", "muted": true}, "leg_id"},
		{"POST", "/v1/conferences/merge", `{"call_id":"c7"}`, "conference.merge", "", map[string]any{"call_id": "c7"}, "leg_ids"},
		{"GET", "/v1/calls?node=n2", "", events.VerbCallsList, "n2", nil, "calls"},
		{"POST", "/v1/legs/c7-a/hold?node=n2", "", events.VerbLegsHold, "n2", map[string]any{"leg_id": "c7-a"}, ""},
		{"GET", "/v1/mixer/rooms?node=n3", "", events.VerbMixerList, "n3", nil, "rooms"},
	}
	var covered []string
	for _, tc := range tests {
		path, _, _ := strings.Cut(tc.path, "?")
		covered = append(covered, tc.method+" "+path)
		key := "k-" + tc.method + tc.path
		res := do(t, tc.method, base+tc.path, opsToken, tc.body, "Idempotency-Key", key)
		if res.Status != http.StatusOK {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, res.Status, res.Body)
			continue
		}
		got := st.last(t)
		if got.Verb != tc.verb || got.Node != tc.node {
			t.Errorf("%s %s: sent %s on %s, want %s on node %q", tc.method, tc.path, got.Verb, got.Subject, tc.verb, tc.node)
		}
		if got.Body["request_id"] != "ops:"+key {
			t.Errorf("%s %s: request_id %v, want ops:%s", tc.method, tc.path, got.Body["request_id"], key)
		}
		for k, v := range tc.want {
			if g, _ := json.Marshal(got.Body[k]); string(g) != mustJSON(t, v) {
				t.Errorf("%s %s: %s = %s, want %s", tc.method, tc.path, k, g, mustJSON(t, v))
			}
		}
		var rep map[string]any
		res.decode(t, &rep)
		if rep["request_id"] != key {
			t.Errorf("%s %s: reply request_id %v, want %s", tc.method, tc.path, rep["request_id"], key)
		}
		if _, ok := rep[tc.reply]; tc.reply != "" && !ok {
			t.Errorf("%s %s: reply %s lacks %s", tc.method, tc.path, res.Body, tc.reply)
		}
	}
	for _, r := range documentedRoutes(t, base) {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(r, "[^/]+") + "$")
		if !slices.ContainsFunc(covered, re.MatchString) && r != "GET /v1/events" && r != "GET /openapi.json" {
			t.Errorf("route %s is not tested", r)
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Without a request id the SDK makes one, which the reply carries; a body
// request_id is the key when no header is given.
func TestRequestIDs(t *testing.T) {
	_, st, base := setup(t, nil)
	res := do(t, "GET", base+"/v1/calls", opsToken, "")
	var rep events.CallsListReplyV1
	res.decode(t, &rep)
	if sent := st.last(t).Body["request_id"]; rep.RequestID == "" || rep.RequestID != sent {
		t.Errorf("reply request_id %q, core got %v", rep.RequestID, sent)
	}
	res = do(t, "POST", base+"/v1/legs/l1/hold", opsToken, `{"request_id":"mine"}`)
	res.decode(t, &rep)
	if sent := st.last(t).Body["request_id"]; sent != "ops:mine" || rep.RequestID != "mine" {
		t.Errorf("body request_id: core got %v, reply %q", sent, rep.RequestID)
	}
	// Two tokens with one key do not share the core's memory of replies.
	do(t, "POST", base+"/v1/legs", opsToken, `{"target":"sip:a@h"}`, "Idempotency-Key", "same")
	do(t, "POST", base+"/v1/legs", bossToken, `{"target":"sip:a@h"}`, "Idempotency-Key", "same")
	got := st.commands()
	if a, b := got[len(got)-2].Body["request_id"], got[len(got)-1].Body["request_id"]; a != "ops:same" || b != "boss:same" {
		t.Errorf("request ids %v and %v, want ops:same and boss:same", a, b)
	}
}

// Requests the gateway refuses itself, before the core hears of them.
func TestRefusedRequests(t *testing.T) {
	_, st, base := setup(t, nil)
	tests := []struct {
		name, method, path, token, body string
		headers                         []string
		status                          int
		errName                         string
	}{
		{"no token", "GET", "/v1/calls", "", "", nil, 401, "unauthorized"},
		{"unknown token", "GET", "/v1/calls", "nope-nope-nope-nope-1", "", nil, 401, "unauthorized"},
		{"basic auth", "GET", "/v1/calls", "", "", []string{"Authorization", "Basic b3BzOng="}, 401, "unauthorized"},
		{"empty bearer", "GET", "/v1/calls", "", "", []string{"Authorization", "Bearer "}, 401, "unauthorized"},
		{"token in lower-case scheme", "GET", "/v1/calls", "", "", []string{"Authorization", "bearer " + viewerToken}, 200, ""},
		{"viewer originates", "POST", "/v1/legs", viewerToken, `{"target":"sip:a@h"}`, nil, 403, "forbidden"},
		{"viewer hangs up", "DELETE", "/v1/calls/c1", viewerToken, "", nil, 403, "forbidden"},
		{"viewer streams", "GET", "/v1/events", viewerToken, "", nil, 403, "forbidden"},
		{"boss lists", "GET", "/v1/calls", bossToken, "", nil, 403, "forbidden"},
		{"unknown field", "POST", "/v1/legs", opsToken, `{"target":"sip:a@h","targett":"x"}`, nil, 400, "bad_request"},
		{"not JSON", "POST", "/v1/legs", opsToken, `target=sip:a@h`, nil, 400, "bad_request"},
		{"two values", "POST", "/v1/legs", opsToken, `{"target":"sip:a@h"} {}`, nil, 400, "bad_request"},
		{"an array", "POST", "/v1/legs", opsToken, `[]`, nil, 400, "bad_request"},
		{"wrong type", "POST", "/v1/legs/l1/reject", opsToken, `{"code":"486"}`, nil, 400, "bad_request"},
		{"another controller", "POST", "/v1/legs/l1/hold", opsToken, `{"controller":"intruder"}`, nil, 400, "bad_request"},
		{"leg id differs from the path", "POST", "/v1/legs/l1/hold", opsToken, `{"leg_id":"l2"}`, nil, 400, "bad_request"},
		{"request_id differs from the key", "POST", "/v1/legs/l1/hold", opsToken, `{"request_id":"a"}`,
			[]string{"Idempotency-Key", "b"}, 400, "bad_request"},
		{"form body", "POST", "/v1/legs/l1/hold", opsToken, `{}`,
			[]string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media"},
		{"too large", "POST", "/v1/legs/l1/answer", opsToken, `{"sdp":"` + strings.Repeat("x", 1<<20) + `"}`, nil, 413, "bad_request"},
		{"answer mode without answer_mode", "POST", "/v1/legs", opsToken,
			`{"target":"sip:a@h","headers":[{"name":"answer-mode","value":"Auto"}]}`, nil, 403, "forbidden"},
		{"priv answer mode in a 3pcc call", "POST", "/v1/calls", opsToken,
			`{"a":"sip:a@h","b":"sip:b@h","headers":[{"name":"Priv-Answer-Mode","value":"Auto"}]}`, nil, 403, "forbidden"},
		{"no such route", "GET", "/v1/nothing", opsToken, "", nil, 404, "not_found"},
		{"no such method", "PUT", "/v1/calls", opsToken, "", nil, 405, "method_not_allowed"},
		{"bad subject", "GET", "/v1/events?subject=a.>.b", opsToken, "", nil, 400, "bad_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(st.commands())
			res := do(t, tc.method, base+tc.path, tc.token, tc.body, tc.headers...)
			if res.Status != tc.status || res.errorName() != tc.errName {
				t.Fatalf("%d %s, want %d %s", res.Status, res.Body, tc.status, tc.errName)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.status == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
			if tc.status == 405 && res.Header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if n := len(st.commands()) - before; tc.status != 200 && n != 0 {
				t.Errorf("the core got %d commands", n)
			}
		})
	}
	// A token with answer_mode may ask it.
	res := do(t, "POST", base+"/v1/legs", bossToken, `{"target":"sip:a@h","headers":[{"name":"Answer-Mode","value":"Auto"}]}`)
	if res.Status != 200 {
		t.Fatalf("boss answer mode: %d %s", res.Status, res.Body)
	}
	if h := st.last(t).Body["headers"]; mustJSON(t, h) != `[{"name":"Answer-Mode","value":"Auto"}]` {
		t.Errorf("headers sent %v", h)
	}
}

// The core's refusals come back with their HTTP status and the reply as
// the core sent it.
func TestCoreErrors(t *testing.T) {
	tests := []struct {
		code   events.ErrorCode
		status int
	}{
		{events.ErrBadRequest, 400},
		{events.ErrUnknownCall, 404},
		{events.ErrUnknownLeg, 404},
		{events.ErrConflict, 409},
		{events.ErrInternal, 500},
		{events.ErrUnavailable, 503},
		{99, 500},
	}
	for _, tc := range tests {
		t.Run(tc.code.String(), func(t *testing.T) {
			t.Parallel()
			_, _, base := setup(t, errorAnswer(tc.code))
			res := do(t, "GET", base+"/v1/calls/c1", opsToken, "", "Idempotency-Key", "k1")
			var rep events.CallsGetReplyV1
			res.decode(t, &rep)
			if res.Status != tc.status || rep.Error == nil || rep.Error.Code != tc.code || rep.RequestID != "k1" {
				t.Errorf("%d %s, want %d with code %d", res.Status, res.Body, tc.status, tc.code)
			}
		})
	}
}

// No core at all is 503 no_core; a core that does not answer in time is
// 504 timeout.
func TestNoCore(t *testing.T) {
	t.Run("no responders", func(t *testing.T) {
		t.Parallel()
		s := startNATS(t)
		base := startGateway(t, s, testConfig)
		res := do(t, "GET", base+"/v1/calls", opsToken, "", "Idempotency-Key", "k")
		if res.Status != 503 || res.errorName() != "no_core" {
			t.Errorf("%d %s", res.Status, res.Body)
		}
	})
	t.Run("silent core", func(t *testing.T) {
		t.Parallel()
		s := startNATS(t)
		startStub(t, s, func(received) any { return nil })
		base := startGateway(t, s, strings.Replace(testConfig, `"2s"`, `"200ms"`, 1))
		res := do(t, "POST", base+"/v1/legs/l1/hold", opsToken, "", "Idempotency-Key", "k")
		var rep events.Reply
		res.decode(t, &rep)
		if res.Status != 504 || rep.Error == nil || rep.Error.Name != "timeout" || rep.RequestID != "k" {
			t.Errorf("%d %s", res.Status, res.Body)
		}
	})
}

// The conference app's commands are not node-bound: a node parameter is
// refused before anything is sent; a body field not in the verb's
// request type is refused too; a token needs the conference.<verb>
// permission.
func TestConferenceRoutes(t *testing.T) {
	_, st, base := setup(t, nil)
	for _, tc := range []struct {
		method, path, token, body string
		status                    int
	}{
		{"GET", "/v1/conferences?node=n2", opsToken, "", http.StatusBadRequest},
		{"POST", "/v1/conferences/lock?node=n2", opsToken, `{"room":"sales"}`, http.StatusBadRequest},
		{"POST", "/v1/conferences/lock", opsToken, `{"room":"sales","controller":"ops"}`, http.StatusBadRequest},
		{"POST", "/v1/conferences/list", opsToken, "", http.StatusNotFound}, // GET /v1/conferences
		{"POST", "/v1/conferences/explode", opsToken, "", http.StatusNotFound},
		{"POST", "/v1/conferences/lock", viewerToken, `{"room":"sales"}`, http.StatusForbidden},
		{"GET", "/v1/registrations", viewerToken, "", http.StatusForbidden},
	} {
		if res := do(t, tc.method, base+tc.path, tc.token, tc.body); res.Status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, res.Status, res.Body, tc.status)
		}
	}
	if got := st.commands(); len(got) != 0 {
		t.Errorf("the stub got %+v", got)
	}
}
