package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/events/internal/schemagen"
)

const regenerate = "run `go generate ./events` and commit events/schema"

// TestSchemasGolden regenerates every schema in memory and compares it byte
// for byte with the committed file; schema/ must hold nothing else.
func TestSchemasGolden(t *testing.T) {
	want, err := schemagen.Files(".")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join("schema", name))
		switch {
		case err != nil:
			t.Errorf("schema/%s: %v: %s", name, err, regenerate)
		case !bytes.Equal(got, b):
			t.Errorf("schema/%s is out of date (first difference at line %d): %s", name, firstDiffLine(got, b), regenerate)
		}
	}
	entries, err := os.ReadDir("schema")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("schema/%s is stale: no type in events.Registry generates it: %s", e.Name(), regenerate)
		}
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// TestSchemasValidateSamples marshals a fully populated and a minimal value
// of every type and validates it against the committed schema.
func TestSchemasValidateSamples(t *testing.T) {
	for _, s := range events.Registry {
		t.Run(s.Type, func(t *testing.T) {
			schema := loadSchema(t, s.Type)
			if got := schema["$id"]; got != schemagen.IDBase+s.Type+".json" {
				t.Errorf("$id = %v", got)
			}
			if got := schema["title"]; got != goType(s).Name() {
				t.Errorf("title = %v, want %s", got, goType(s).Name())
			}

			full := s.New()
			populate(reflect.ValueOf(full).Elem())
			setType(full, s.Type)
			checkValid(t, validator{root: schema, strict: true}, full)

			minimal := s.New()
			setType(minimal, s.Type)
			checkValid(t, validator{root: schema}, minimal)
		})
	}
}

// TestSchemasRejectBadInstances shows the validator is not vacuous.
func TestSchemasRejectBadInstances(t *testing.T) {
	ev := &events.CallEndedV1{Envelope: events.Envelope{Type: events.TypeCallEndedV1, Time: time.Now()}}
	reply := &events.CallsGetReplyV1{Reply: events.Reply{Error: events.NewError(events.ErrUnknownCall, "x")}}
	cases := []struct {
		name, typ string
		v         any
		mutate    func(m map[string]any)
		want      string
	}{
		{"missing required", events.TypeCallEndedV1, ev, func(m map[string]any) { delete(m, "hung_up_by") }, `"hung_up_by" missing`},
		{"wrong type", events.TypeCallEndedV1, ev, func(m map[string]any) { m["code"] = "486" }, "not of type"},
		{"not an integer", events.TypeCallEndedV1, ev, func(m map[string]any) { m["code"] = json.Number("1.5") }, "not of type"},
		{"negative seq", events.TypeCallEndedV1, ev, func(m map[string]any) { m["seq"] = json.Number("-1") }, "below minimum"},
		{"other event's type", events.TypeCallEndedV1, ev, func(m map[string]any) { m["type"] = events.TypeLegEndedV1 }, "want const"},
		{"bad time", events.TypeCallEndedV1, ev, func(m map[string]any) { m["time"] = "yesterday" }, "not a date-time"},
		{"unknown error code", events.TypeCallsGetReplyV1, reply, func(m map[string]any) {
			m["error"].(map[string]any)["code"] = json.Number("99")
		}, "not in enum"},
		{"call not an object", events.TypeCallsGetReplyV1, reply, func(m map[string]any) { m["call"] = []any{} }, "not of type"},
		{"legs items", events.TypeCallsGetReplyV1, reply, func(m map[string]any) {
			m["call"] = map[string]any{"call_id": "c", "node": "n", "state": "s", "created_at": "t", "legs": []any{map[string]any{}}}
		}, "call.legs[0]: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schema := loadSchema(t, c.typ)
			inst := instance(t, c.v).(map[string]any)
			if err := (validator{root: schema}).validate(schema, inst, "$"); err != nil {
				t.Fatalf("unmutated instance invalid: %v", err)
			}
			c.mutate(inst)
			err := validator{root: schema}.validate(schema, inst, "$")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("validate = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func loadSchema(t *testing.T, typ string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("schema", schemagen.FileName(typ)))
	if err != nil {
		t.Fatalf("%v: %s", err, regenerate)
	}
	s, err := decodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return s.(map[string]any)
}

func instance(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := decodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func checkValid(t *testing.T, vd validator, v any) {
	t.Helper()
	if err := vd.validate(vd.root, instance(t, v), "$"); err != nil {
		b, _ := json.Marshal(v)
		t.Errorf("%v\ninstance: %s", err, b)
	}
}

// setType fills the envelope's type, as the core does.
func setType(v any, typ string) {
	if e, ok := v.(interface{ Env() *events.Envelope }); ok {
		e.Env().Type = typ
	}
}

// populate gives every exported field a non-zero value, one element to
// every slice and a value to every pointer.
func populate(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1) // also a valid ErrorCode
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		populate(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		populate(v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				populate(v.Field(i))
			}
		}
	}
}
