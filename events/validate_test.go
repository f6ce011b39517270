package events_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// validator checks a JSON instance against a schema, for exactly the subset
// of draft 2020-12 that schemagen writes. A keyword it does not know is an
// error, so the generator cannot grow past what is checked here.
type validator struct {
	root map[string]any
	// strict also rejects properties the schema does not list (schemas allow
	// them; a populated sample must not have any, or the schema misses one).
	strict bool
}

// decodeJSON decodes b keeping numbers as json.Number.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

var ignored = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "$defs": true}

// validate returns the first violation found, naming the instance path.
func (vd validator) validate(s map[string]any, v any, path string) error {
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if ignored[k] {
			continue
		}
		if err := vd.keyword(k, s, v, path); err != nil {
			return err
		}
	}
	return nil
}

func (vd validator) keyword(k string, s map[string]any, v any, path string) error {
	switch k {
	case "$ref":
		name, ok := strings.CutPrefix(s[k].(string), "#/$defs/")
		def, _ := vd.root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok || def == nil {
			return fmt.Errorf("%s: unresolvable $ref %v", path, s[k])
		}
		return vd.validate(def, v, path)
	case "anyOf":
		var errs []string
		for _, sub := range s[k].([]any) {
			err := vd.validate(sub.(map[string]any), v, path)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches no anyOf branch: %s", path, strings.Join(errs, "; "))
	case "type":
		want := s[k]
		if one, ok := want.(string); ok {
			want = []any{one}
		}
		for _, t := range want.([]any) {
			if jsonType(v, t.(string)) {
				return nil
			}
		}
		return fmt.Errorf("%s: %s is not of type %v", path, short(v), s[k])
	case "const":
		if !sameJSON(v, s[k]) {
			return fmt.Errorf("%s: %s, want const %s", path, short(v), short(s[k]))
		}
	case "enum":
		if !slices.ContainsFunc(s[k].([]any), func(e any) bool { return sameJSON(v, e) }) {
			return fmt.Errorf("%s: %s not in enum %s", path, short(v), short(s[k]))
		}
	case "format":
		if str, ok := v.(string); ok && s[k] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not a date-time", path, str)
			}
		} else if s[k] != "date-time" {
			return fmt.Errorf("%s: unknown format %v", path, s[k])
		}
	case "minimum":
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			lo, _ := s[k].(json.Number).Float64()
			if f < lo {
				return fmt.Errorf("%s: %s below minimum %s", path, n, s[k])
			}
		}
	case "required":
		if obj, ok := v.(map[string]any); ok {
			for _, r := range s[k].([]any) {
				if _, ok := obj[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q missing", path, r)
				}
			}
		}
	case "properties":
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		props := s[k].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			sub, ok := props[name].(map[string]any)
			if !ok {
				if vd.strict {
					return fmt.Errorf("%s: property %q not in the schema", path, name)
				}
				continue
			}
			if err := vd.validate(sub, obj[name], path+"."+name); err != nil {
				return err
			}
		}
	case "items":
		if arr, ok := v.([]any); ok {
			for i, e := range arr {
				if err := vd.validate(s[k].(map[string]any), e, path+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		}
	default:
		return fmt.Errorf("%s: schema keyword %q is not supported by the test validator", path, k)
	}
	return nil
}

// jsonType reports whether v (decoded with UseNumber) is of JSON type t.
func jsonType(v any, t string) bool {
	switch v := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	case json.Number:
		return t == "number" || t == "integer" && !strings.ContainsAny(v.String(), ".eE")
	}
	return false
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}
