package config

import (
	"encoding"
	"reflect"
	"strings"
	"time"
)

// Keys are derived from the Go types by reflection over their yaml tags, so
// a field added to any composed Config gets its YAML key and its environment
// variable without a change here.

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shape is how a Go type is read from YAML and from the environment.
type shape int

const (
	shapeScalar shape = iota // string, bool, number, time.Duration, encoding.TextUnmarshaler
	shapeStruct              // a mapping of keys
	shapeList                // a slice of scalars: a YAML list, a comma-separated variable
	shapeTable               // a slice of structs: a YAML list of mappings, a JSON variable
	shapeOther               // anything else: left to yaml.v3's own decoding
)

func shapeOf(t reflect.Type) shape {
	switch {
	case isScalar(t):
		return shapeScalar
	case t.Kind() == reflect.Struct:
		return shapeStruct
	case t.Kind() == reflect.Slice && isScalar(t.Elem()):
		return shapeList
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return shapeTable
	}
	return shapeOther
}

func isScalar(t reflect.Type) bool {
	if t == durationType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// member is one key of a mapping decoded into a struct.
type member struct {
	name  string // the YAML key
	index []int  // reflect index from the struct, through inlined structs
}

// members lists the keys of struct type t in field order, flattening fields
// tagged `yaml:",inline"` and skipping `yaml:"-"` and unexported fields, as
// yaml.v3 does. A field without a yaml tag is keyed by its lower-cased name.
func members(t reflect.Type) []member {
	var ms []member
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if hasOpt(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for _, m := range members(f.Type) {
				ms = append(ms, member{name: m.name, index: append([]int{i}, m.index...)})
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		ms = append(ms, member{name: name, index: []int{i}})
	}
	return ms
}

func hasOpt(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// leaf is a key that is not itself a mapping: the unit of environment
// overrides, documentation and the example file.
type leaf struct {
	path  string // "nats.embedded.data_dir"
	env   string // "TANDEM_NATS_EMBEDDED_DATA_DIR"
	index []int  // reflect index from Config
	typ   reflect.Type
}

// envPrefix starts every environment variable of the configuration.
const envPrefix = "TANDEM_"

// envName is the environment variable of key path p: TANDEM_ and the path
// upper-cased with dots as underscores.
func envName(p string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(p, ".", "_"))
}

// leaves lists every non-mapping key of Config, in field order.
func leaves() []leaf {
	return appendLeaves(nil, reflect.TypeFor[Config](), "", nil)
}

func appendLeaves(ls []leaf, t reflect.Type, prefix string, index []int) []leaf {
	for _, m := range members(t) {
		p := m.name
		if prefix != "" {
			p = prefix + "." + m.name
		}
		idx := append(append([]int(nil), index...), m.index...)
		ft := t.FieldByIndex(m.index).Type
		if shapeOf(ft) == shapeStruct {
			ls = appendLeaves(ls, ft, p, idx)
			continue
		}
		ls = append(ls, leaf{path: p, env: envName(p), index: idx, typ: ft})
	}
	return ls
}

// suggest returns the candidate closest to s by edit distance (ignoring
// case) when it is close enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 2+len(s)/4
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
