package rcc_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// documentedRoutes fetches /openapi.json (no token needed) and lists its
// operations as "METHOD /path".
func documentedRoutes(t testing.TB, base string) []string {
	t.Helper()
	doc := openAPI(t, base)
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
	raw []byte
}

func openAPI(t testing.TB, base string) openAPIDoc {
	t.Helper()
	res := do(t, "GET", base+"/openapi.json", "", "")
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	var doc openAPIDoc
	res.decode(t, &doc)
	doc.raw = res.Body
	return doc
}

// The document is OpenAPI 3.x JSON, lists every route the gateway serves
// with its parameters, bodies and replies, and every reference in it
// resolves.
func TestOpenAPI(t *testing.T) {
	_, _, base := setup(t, nil)
	doc := openAPI(t, base)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	want := []string{
		"DELETE /v1/calls/{call_id}", "DELETE /v1/calls/{call_id}/claim", "DELETE /v1/legs/{leg_id}",
		"DELETE /v1/legs/{leg_id}/mixer", "DELETE /v1/mixer/rooms/{room_id}",
		"GET /openapi.json", "GET /v1/calls", "GET /v1/calls/{call_id}", "GET /v1/conferences", "GET /v1/events", "GET /v1/mixer/rooms",
		"GET /v1/registrations", "GET /v1/registrations/{aor}",
		"PATCH /v1/legs/{leg_id}/mixer",
		"POST /v1/calls", "POST /v1/calls/{call_id}/claim",
		"POST /v1/conferences/create", "POST /v1/conferences/deaf", "POST /v1/conferences/dial", "POST /v1/conferences/end",
		"POST /v1/conferences/kick", "POST /v1/conferences/lock", "POST /v1/conferences/merge", "POST /v1/conferences/mute",
		"POST /v1/conferences/renew", "POST /v1/conferences/undeaf", "POST /v1/conferences/unlock", "POST /v1/conferences/unmute",
		"POST /v1/legs", "POST /v1/legs/{leg_id}/answer",
		"POST /v1/legs/{leg_id}/bridge", "POST /v1/legs/{leg_id}/dtmf", "POST /v1/legs/{leg_id}/hold",
		"POST /v1/legs/{leg_id}/mixer", "POST /v1/legs/{leg_id}/redirect", "POST /v1/legs/{leg_id}/reject",
		"POST /v1/legs/{leg_id}/request", "POST /v1/legs/{leg_id}/resume", "POST /v1/legs/{leg_id}/unbridge",
		"POST /v1/mixer/rooms", "POST /v1/phones/refer", "POST /v1/transfers/attended", "POST /v1/transfers/blind",
	}
	if got := documentedRoutes(t, base); !slices.Equal(got, want) {
		t.Errorf("routes:\n got %v\nwant %v", got, want)
	}

	var op struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name, In string
		} `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema map[string]string `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]json.RawMessage `json:"responses"`
	}
	if err := json.Unmarshal(doc.Paths["/v1/legs/{leg_id}/hold"]["post"], &op); err != nil {
		t.Fatal(err)
	}
	if op.OperationID != "legs.hold" || len(op.Parameters) != 3 || op.Parameters[0].Name != "leg_id" || op.Parameters[0].In != "path" {
		t.Errorf("legs.hold: %+v", op)
	}
	for _, code := range []string{"200", "400", "401", "403", "404", "409", "500", "503", "504"} {
		if op.Responses[code] == nil {
			t.Errorf("legs.hold: no response %s", code)
		}
	}
	ref := op.RequestBody.Content["application/json"].Schema["$ref"]
	if ref != "#/components/schemas/LegsHoldRequestV1" {
		t.Errorf("legs.hold body %q", ref)
	}
	var body struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["LegsHoldRequestV1"], &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body.Properties["leg_id"]; ok {
		t.Error("the hold body schema has leg_id, which comes from the path")
	}
	if _, ok := body.Properties["controller"]; ok {
		t.Error("the hold body schema has controller, which comes from the token")
	}
	var reply struct {
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["CallsListReplyV1"], &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Properties["calls"] == nil || reply.Properties["error"] == nil || !slices.Contains(reply.Required, "calls") {
		t.Errorf("CallsListReplyV1: %+v", reply)
	}

	// an app's command: no node parameter, its schemas named after the app
	var lock struct {
		OperationID string                      `json:"operationId"`
		Parameters  []struct{ Name, In string } `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema map[string]string `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	if err := json.Unmarshal(doc.Paths["/v1/conferences/lock"]["post"], &lock); err != nil {
		t.Fatal(err)
	}
	if lock.OperationID != "conference.lock" || slices.ContainsFunc(lock.Parameters, func(p struct{ Name, In string }) bool { return p.Name == "node" }) ||
		lock.RequestBody.Content["application/json"].Schema["$ref"] != "#/components/schemas/ConferenceRoomRequestV1" {
		t.Errorf("conference.lock: %+v", lock)
	}

	// every $ref resolves
	for _, m := range strings.Split(string(doc.raw), `"$ref": "#/components/schemas/`)[1:] {
		name := m[:strings.IndexByte(m, '"')]
		if doc.Components.Schemas[name] == nil {
			t.Errorf("$ref to a missing schema %s", name)
		}
	}
}
