package schemagen

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
)

type inner struct {
	N int `json:"n"`
}

type anon struct{ A int }

type supported struct {
	events.Envelope
	Plain     string
	Renamed   int                `json:"renamed"`
	Hidden    string             `json:"-"`
	hidden    string             // unexported: skipped
	Zero      uint16             `json:"zero,omitzero"`
	Ptr       *inner             `json:"ptr"`
	OptPtr    *inner             `json:"opt_ptr,omitempty"`
	List      []inner            `json:"list"`
	OptList   []*inner           `json:"opt_list,omitempty"`
	When      *time.Time         `json:"when,omitempty"`
	Code      events.ErrorCode   `json:"code"`
	F         float64            `json:"f"`
	B         bool               `json:"b"`
	Anonymous struct{ X string } `json:"anonymous"`
	Named     anon               `json:"named"`
}

func spec(v any) events.Spec {
	return events.Spec{Type: "tandem.test.v1.x", Kind: events.KindEvent, New: func() any { return v }}
}

func TestSchemaSupported(t *testing.T) {
	b, err := Schema(spec(new(supported)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = supported{}.hidden // used, for linters
	var s struct {
		Props    map[string]json.RawMessage `json:"properties"`
		Required []string                   `json:"required"`
		Defs     map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"type":      `{"type":"string","const":"tandem.test.v1.x"}`,
		"seq":       `{"type":"integer","minimum":0}`,
		"Plain":     `{"type":"string"}`,
		"renamed":   `{"type":"integer"}`,
		"zero":      `{"type":"integer","minimum":0}`,
		"ptr":       `{"anyOf":[{"$ref":"#/$defs/inner"},{"type":"null"}]}`,
		"opt_ptr":   `{"$ref":"#/$defs/inner"}`,
		"list":      `{"type":["array","null"],"items":{"$ref":"#/$defs/inner"}}`,
		"opt_list":  `{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/inner"},{"type":"null"}]}}`,
		"when":      `{"type":"string","format":"date-time"}`,
		"f":         `{"type":"number"}`,
		"b":         `{"type":"boolean"}`,
		"anonymous": `{"type":"object","properties":{"X":{"type":"string"}},"required":["X"]}`,
		"named":     `{"$ref":"#/$defs/anon"}`,
	}
	for k, w := range want {
		if got := compact(t, s.Props[k]); got != w {
			t.Errorf("%s: %s, want %s", k, got, w)
		}
	}
	if got := compact(t, s.Props["code"]); !strings.HasPrefix(got, `{"type":"integer","enum":[1,2,3,4,5,6],"description":"Codes: 1 bad_request,`) {
		t.Errorf("code: %s", got)
	}
	for _, k := range []string{"Hidden", "hidden", "Envelope"} {
		if _, ok := s.Props[k]; ok {
			t.Errorf("property %s should not exist", k)
		}
	}
	if got := strings.Join(s.Required, ","); got != "type,id,time,node,seq,Plain,renamed,ptr,list,code,f,b,anonymous,named" {
		t.Errorf("required = %s", got)
	}
	if len(s.Defs) != 2 {
		t.Errorf("$defs = %v, want inner and anon", s.Defs)
	}
	if !strings.HasSuffix(string(b), "}\n") || strings.Contains(string(b), `\u003c`) {
		t.Errorf("want a trailing newline and no HTML escaping:\n%s", b)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if raw == nil {
		return "<missing>"
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type (
	withMap    struct{ M map[string]string }
	withAny    struct{ V any }
	withBytes  struct{ B []byte }
	withString struct {
		N int `json:"n,string"`
	}
	withEmbedPtr struct{ *inner }
	withDup      struct {
		A string `json:"n"`
		inner
	}
	withCycle struct {
		Next *withCycle `json:"next,omitempty"`
	}
)

func TestSchemaErrors(t *testing.T) {
	for _, v := range []any{new(withMap), new(withAny), new(withBytes), new(withString), new(withEmbedPtr), new(withDup), new(inner)} {
		if _, err := Schema(spec(v), nil); err == nil {
			t.Errorf("%T: no error", v)
		}
	}
	// An event needs the envelope's "type"; a command does not.
	s := spec(new(inner))
	s.Kind = events.KindCommandRequest
	if _, err := Schema(s, nil); err != nil {
		t.Errorf("command without envelope: %v", err)
	}
	s.New = func() any { return inner{} }
	if _, err := Schema(s, nil); err == nil {
		t.Error("non-pointer New: no error")
	}
	s.New = func() any { return new(withCycle) }
	if _, err := Schema(s, nil); err != nil {
		t.Errorf("recursive type: %v", err)
	}
}

// TestFilesDeterministic: generating twice gives the same bytes, and the
// descriptions come from the doc comments.
func TestFilesDeterministic(t *testing.T) {
	a, err := Files("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Files("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(events.Registry) {
		t.Fatalf("%d files for %d types", len(a), len(events.Registry))
	}
	for name := range a {
		if string(a[name]) != string(b[name]) {
			t.Errorf("%s differs between runs", name)
		}
	}
	if got := string(a[FileName(events.TypeCallCreatedV1)]); !strings.Contains(got, `"description": "CallCreatedV1: an INVITE arrived`) {
		t.Errorf("no description from the doc comment:\n%s", got)
	}
	if _, err := Files(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing source directory: no error")
	}
}
