package rcc

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// schemas makes the JSON Schemas (OpenAPI 3.1, i.e. draft 2020-12) of the
// wire types by reflecting over them the way encoding/json marshals them,
// like events/schema: embedded structs are flattened, json tags name the
// properties, named structs are shared components. The events/schema
// files stay the reference of each type; these are their HTTP view.
type schemas struct {
	defs map[string]any // components.schemas, by Go type name
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	errorCodeType = reflect.TypeFor[events.ErrorCode]()
)

// typeStrings maps the registered wire types to their type strings.
var typeStrings = func() map[reflect.Type]string {
	m := map[reflect.Type]string{}
	for _, s := range events.Registry {
		m[reflect.TypeOf(s.New()).Elem()] = s.Type
	}
	return m
}()

// ref is a reference to a component.
func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// body adds the schema of a request body: t without the fields the
// gateway fills (skip: path wildcards and controller), nothing required
// (the core checks the values), named t's Go name and described with
// note.
func (s *schemas) body(t reflect.Type, skip []string, note string) (map[string]any, error) {
	obj, err := s.object(t, skip, false)
	if err != nil {
		return nil, err
	}
	s.describe(obj, t, note)
	s.defs[schemaName(t)] = obj
	return ref(schemaName(t)), nil
}

// reply adds the schema of a reply type, named its Go name.
func (s *schemas) reply(t reflect.Type) (map[string]any, error) {
	return s.of(t)
}

// describe notes where a wire type is defined.
func (s *schemas) describe(obj map[string]any, t reflect.Type, extra string) {
	if typ, ok := typeStrings[t]; ok {
		d := "The JSON of " + typ + " (events/schema/" + typ + ".json)."
		if extra != "" {
			d += " " + extra
		}
		obj["description"] = d
		obj["x-tandem-type"] = typ
	}
}

// of is the schema of t: inline for basic types, a reference for a named
// struct (added to defs once).
func (s *schemas) of(t reflect.Type) (map[string]any, error) {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case t == errorCodeType:
		var enum []any
		var names []string
		for _, c := range events.ErrorCodes() {
			enum = append(enum, int(c))
			names = append(names, fmt.Sprintf("%d %s", int(c), c))
		}
		return map[string]any{"type": "integer", "enum": append([]any{0}, enum...),
			"description": "0: an error of the gateway's own; else the core's: " + strings.Join(names, ", ")}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Pointer:
		return s.of(t.Elem())
	case reflect.Slice:
		items, err := s.of(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return s.object(t, nil, true)
		}
		name := schemaName(t)
		if _, ok := s.defs[name]; !ok {
			s.defs[name] = nil // a placeholder: no endless recursion
			obj, err := s.object(t, nil, true)
			if err != nil {
				return nil, err
			}
			s.describe(obj, t, "")
			s.defs[name] = obj
		}
		return ref(name), nil
	}
	return nil, fmt.Errorf("rcc: openapi: no schema for %s", t)
}

// object is the schema of struct t, skipping the JSON names in skip; with required, the fields without
// omitempty or omitzero are required.
func (s *schemas) object(t reflect.Type, skip []string, required bool) (map[string]any, error) {
	props := map[string]any{}
	var req []string
	var walk func(t reflect.Type) error
	walk = func(t reflect.Type) error {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
				if err := walk(f.Type); err != nil {
					return err
				}
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			if slices.Contains(skip, name) {
				continue
			}
			p, err := s.of(f.Type)
			if err != nil {
				return err
			}
			props[name] = p
			if required && !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				req = append(req, name)
			}
		}
		return nil
	}
	if err := walk(t); err != nil {
		return nil, err
	}
	obj := map[string]any{"type": "object", "properties": props}
	if len(req) > 0 {
		obj["required"] = req
	}
	return obj, nil
}

// schemaName names a struct's schema: its Go name for the wire types of
// package events, prefixed with its package's name, capitalised, for an
// app's (conference.ListRequestV1 is ConferenceListRequestV1).
func schemaName(t reflect.Type) string {
	pkg := path.Base(t.PkgPath())
	if pkg == "events" || pkg == "." || pkg == "" {
		return t.Name()
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + t.Name()
}
