// Package schemagen generates the JSON Schemas (draft 2020-12) of the wire
// types listed in events.Registry, one document per type, by reflecting over
// the Go structs the way encoding/json marshals them:
//
//   - embedded structs without a json tag are flattened (the Envelope of
//     events, the Reply of command replies);
//   - json tags name the properties; "-" hides a field; a field is required
//     unless it has omitempty or omitzero;
//   - string, bool, integers (unsigned ones with minimum 0), float numbers;
//     time.Time is a string of format date-time; slices are arrays and
//     pointers their element, both also null where encoding/json can write
//     null (a nil value without omitempty);
//   - named struct types other than the root go to $defs and are referenced;
//   - events.ErrorCode is an integer with an enum of events.ErrorCodes().
//
// Each document has a $id, the Go type name as title, the type's doc comment
// (and where the message travels) as description, and for events a const on
// the envelope's "type" property. Properties keep struct field order; $defs
// are sorted. Objects do not forbid additional properties: additive changes
// keep v1, and a v1 consumer must accept fields it does not know.
//
// Anything else (maps, interfaces, embedded pointers, ",string" tags...)
// is an error, so that a new kind of field is handled on purpose.
//
// The package imports only the standard library and events. The command
// cmd/schemagen writes the files (go generate ./events); the golden test of
// events compares them with Files.
package schemagen

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

const (
	// Draft is the JSON Schema dialect of every document.
	Draft = "https://json-schema.org/draft/2020-12/schema"
	// IDBase prefixes the $id of every document; the file name follows.
	// It identifies the schema; it is not promised to be retrievable.
	IDBase = "https://github.com/tandem-sip/tandem/events/schema/"
)

// FileName is the schema file of a type string: "<type>.json".
func FileName(typ string) string { return typ + ".json" }

// Files generates the schema of every type in events.Registry, keyed by
// FileName. srcDir is the events package's source directory, read for doc
// comments; "" leaves descriptions out.
func Files(srcDir string) (map[string][]byte, error) {
	d := docs{}
	if srcDir != "" {
		var err error
		if d, err = readDocs(srcDir); err != nil {
			return nil, fmt.Errorf("schemagen: reading doc comments: %w", err)
		}
	}
	out := make(map[string][]byte, len(events.Registry))
	for _, spec := range events.Registry {
		if spec.Type == "" || strings.ContainsAny(spec.Type, `/\`) || strings.HasPrefix(spec.Type, ".") {
			return nil, fmt.Errorf("schemagen: bad type string %q", spec.Type)
		}
		name := FileName(spec.Type)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("schemagen: type %q registered twice", spec.Type)
		}
		b, err := Schema(spec, d)
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
}

// Schema generates the document of one wire type, pretty-printed with a
// trailing newline. d supplies descriptions (nil for none).
func Schema(spec events.Spec, d map[string]string) ([]byte, error) {
	t := reflect.TypeOf(spec.New())
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("schemagen: %s: New must return a pointer to a struct, got %v", spec.Type, t)
	}
	t = t.Elem()
	g := &gen{docs: d, defs: map[string]object{}, defTypes: map[string]reflect.Type{}}
	body, err := g.structSchema(t)
	if err != nil {
		return nil, fmt.Errorf("schemagen: %s: %w", spec.Type, err)
	}
	if spec.Kind == events.KindEvent {
		p, _ := body.get("properties")
		props := p.(object)
		ts, ok := props.get("type")
		if !ok {
			return nil, fmt.Errorf("schemagen: %s: event without a \"type\" property", spec.Type)
		}
		s := ts.(object)
		s.set("const", spec.Type)
		props.set("type", s)
	}

	root := object{
		{"$schema", Draft},
		{"$id", IDBase + FileName(spec.Type)},
		{"title", t.Name()},
	}
	if desc := join(d[t.Name()], travels(spec)); desc != "" {
		root.set("description", desc)
	}
	root = append(root, body...)
	if len(g.defs) > 0 {
		names := make([]string, 0, len(g.defs))
		for n := range g.defs {
			names = append(names, n)
		}
		slices.Sort(names)
		defs := make(object, 0, len(names))
		for _, n := range names {
			defs = append(defs, member{n, g.defs[n]})
		}
		root.set("$defs", defs)
	}
	return pretty(root)
}

// travels says where a message of spec goes.
func travels(spec events.Spec) string {
	switch spec.Kind {
	case events.KindEvent:
		return fmt.Sprintf("Event, published on %s.<node>.call.<call_id>.%s.", events.EventPrefix, spec.Name)
	case events.KindCommandRequest:
		return fmt.Sprintf("Command request, sent on %s or %s.<node>.%s.", events.CommandSubject(spec.Name), events.CommandPrefix, spec.Name)
	case events.KindCommandReply:
		return fmt.Sprintf("Command reply, the answer to a request on %s or %s.<node>.%s.", events.CommandSubject(spec.Name), events.CommandPrefix, spec.Name)
	case events.KindDecisionRequest:
		return fmt.Sprintf("Decision request, asked on %s.%s.", events.DecidePrefix, spec.Name)
	case events.KindDecisionAnswer:
		return fmt.Sprintf("Decision answer, the reply to a request on %s.%s.", events.DecidePrefix, spec.Name)
	}
	return ""
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	errorCodeType = reflect.TypeFor[events.ErrorCode]()
)

type gen struct {
	docs     docs
	defs     map[string]object       // $defs by Go type name
	defTypes map[string]reflect.Type // the type each $defs entry was made from
}

// field is one JSON property of a struct, after flattening.
type field struct {
	name     string
	typ      reflect.Type
	optional bool   // omitempty or omitzero: may be absent
	omitNil  bool   // omitempty: a nil slice or pointer is absent, never null
	doc      string // key into docs: "Owner.Field"
}

// fields lists the JSON properties of struct t in encoding/json order.
func fields(t reflect.Type) ([]field, error) {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				return nil, fmt.Errorf("embedded pointer %s.%s is not supported", t.Name(), f.Name)
			}
			if ft.Kind() == reflect.Struct {
				inner, err := fields(ft)
				if err != nil {
					return nil, err
				}
				out = append(out, inner...)
				continue
			}
			if !f.IsExported() {
				continue
			}
		} else if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fl := field{name: name, typ: f.Type, doc: t.Name() + "." + f.Name}
		if hasTag {
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "":
				case "omitempty":
					fl.optional, fl.omitNil = true, true
				case "omitzero":
					fl.optional = true
				default:
					return nil, fmt.Errorf("%s.%s: json option %q is not supported", t.Name(), f.Name, o)
				}
			}
		}
		out = append(out, fl)
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.name] {
			return nil, fmt.Errorf("%s: JSON property %q defined twice", t.Name(), f.name)
		}
		seen[f.name] = true
	}
	return out, nil
}

// structSchema is the object schema of struct t (without title).
func (g *gen) structSchema(t reflect.Type) (object, error) {
	fs, err := fields(t)
	if err != nil {
		return nil, err
	}
	props := object{}
	required := []string{}
	for _, f := range fs {
		s, err := g.schema(f.typ, !f.omitNil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.doc, err)
		}
		if d := g.docs[f.doc]; d != "" {
			s.set("description", d)
		}
		props = append(props, member{f.name, s})
		if !f.optional {
			required = append(required, f.name)
		}
	}
	s := object{{"type", "object"}, {"properties", props}}
	if len(required) > 0 {
		s = append(s, member{"required", required})
	}
	return s, nil
}

// schema is the schema of a value of type t; nullable says whether a nil
// slice or pointer is written as null there.
func (g *gen) schema(t reflect.Type, nullable bool) (object, error) {
	switch t {
	case timeType:
		return object{{"type", "string"}, {"format", "date-time"}}, nil
	case errorCodeType:
		codes := events.ErrorCodes()
		names := make([]string, len(codes))
		for i, c := range codes {
			names[i] = fmt.Sprintf("%d %s", int(c), c)
		}
		return object{
			{"type", "integer"},
			{"enum", codes},
			{"description", join(g.docs[t.Name()], "Codes: "+strings.Join(names, ", ")+".")},
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return object{{"type", "string"}}, nil
	case reflect.Bool:
		return object{{"type", "boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return object{{"type", "integer"}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return object{{"type", "integer"}, {"minimum", 0}}, nil
	case reflect.Float32, reflect.Float64:
		return object{{"type", "number"}}, nil
	case reflect.Pointer:
		s, err := g.schema(t.Elem(), true)
		if err != nil || !nullable {
			return s, err
		}
		return orNull(s), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, fmt.Errorf("[]byte is not supported")
		}
		items, err := g.schema(t.Elem(), true)
		if err != nil {
			return nil, err
		}
		s := object{{"type", "array"}, {"items", items}}
		if nullable {
			s = orNull(s)
		}
		return s, nil
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		return g.ref(t)
	}
	return nil, fmt.Errorf("type %v is not supported", t)
}

// ref puts named struct t in $defs and references it.
func (g *gen) ref(t reflect.Type) (object, error) {
	name := t.Name()
	if prev, ok := g.defTypes[name]; ok {
		if prev != t {
			return nil, fmt.Errorf("two types named %s: %v and %v", name, prev, t)
		}
	} else {
		g.defTypes[name] = t // before recursing, so a cycle ends here
		body, err := g.structSchema(t)
		if err != nil {
			return nil, err
		}
		def := object{{"title", name}}
		if d := g.docs[name]; d != "" {
			def.set("description", d)
		}
		g.defs[name] = append(def, body...)
	}
	return object{{"$ref", "#/$defs/" + name}}, nil
}

// orNull lets s also be null.
func orNull(s object) object {
	if ty, ok := s.get("type"); ok {
		if _, hasEnum := s.get("enum"); !hasEnum {
			if str, ok := ty.(string); ok {
				s.set("type", []string{str, "null"})
				return s
			}
		}
	}
	return object{{"anyOf", []object{s, {{"type", "null"}}}}}
}
