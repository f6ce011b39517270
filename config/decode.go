package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the YAML nodes one decode visits, aliases counted each time
// they are followed, so a small file cannot expand into a huge one.
const maxNodes = 100_000

// decoder fills a Go value from a YAML node tree, key by key, so that every
// problem names its key path and line and all of them are reported at once.
type decoder struct {
	source string            // file name (or variable) put before line numbers
	origin map[string]string // key path → "source:line", filled as keys are set
	errs   []error
	nodes  int
	// merging holds the mappings being merged, to refuse a merge key that
	// refers to a mapping enclosing it.
	merging map[*yaml.Node]bool
}

func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{Source: d.pos(n), Key: key, Err: fmt.Errorf(format, args...)})
}

func (d *decoder) pos(n *yaml.Node) string {
	return d.source + ":" + strconv.Itoa(n.Line)
}

// decode reads n into v (addressable) at key path p.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, p string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if d.nodes++; d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errorf(n, p, "document too large (more than %d nodes, aliases expanded)", maxNodes)
		}
		return
	}
	if d.origin != nil && p != "" {
		d.origin[p] = d.pos(n)
	}
	sh := shapeOf(v.Type())
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		// "key:" alone: a section keeps its defaults (its keys are all
		// commented out), anything else becomes empty.
		if sh != shapeStruct {
			v.SetZero()
		}
		return
	}
	switch sh {
	case shapeScalar:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, p, "expected a single value, got %s", kindName(n))
			return
		}
		if err := setScalar(v, n.Value); err != nil {
			d.errs = append(d.errs, &Error{Source: d.pos(n), Key: p, Err: err})
		}
	case shapeStruct:
		d.mapping(n, v, p)
	case shapeList, shapeTable:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, p, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), p+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	default:
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.errs = append(d.errs, &Error{Source: d.pos(n), Key: p, Err: yamlError(err)})
		}
	}
}

// mapping reads a YAML mapping into struct v. Merge keys (<<) are applied
// first so that the mapping's own keys override them, as in YAML 1.1.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, p string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, p, "expected a mapping of keys, got %s", kindName(n))
		return
	}
	ms := members(v.Type())
	byName := make(map[string][]int, len(ms))
	names := make([]string, len(ms))
	for i, m := range ms {
		byName[m.name] = m.index
		names[i] = m.name
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(n.Content[i+1], v, p)
		}
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		kp := join(p, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, p, "a key must be a plain name, got %s", kindName(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, kp, "duplicate key (first set on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		index, ok := byName[k.Value]
		if !ok {
			msg := "unknown key"
			if s := suggest(k.Value, names); s != "" {
				msg += " (did you mean " + join(p, s) + "?)"
			}
			d.errorf(k, kp, "%s", msg)
			continue
		}
		d.decode(val, v.FieldByIndex(index), kp)
	}
}

// merge applies the value of a merge key: a mapping or a list of mappings.
func (d *decoder) merge(n *yaml.Node, v reflect.Value, p string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.SequenceNode {
		d.mergeOne(n, v, p)
		return
	}
	// Earlier mappings in the list win: apply them last.
	for i := len(n.Content) - 1; i >= 0; i-- {
		m := n.Content[i]
		for m.Kind == yaml.AliasNode && m.Alias != nil {
			m = m.Alias
		}
		d.mergeOne(m, v, p)
	}
}

func (d *decoder) mergeOne(n *yaml.Node, v reflect.Value, p string) {
	if d.merging[n] {
		d.errorf(n, p, "merge key (<<) refers to a mapping that contains it")
		return
	}
	if d.merging == nil {
		d.merging = make(map[*yaml.Node]bool)
	}
	d.merging[n] = true
	defer delete(d.merging, n)
	d.mapping(n, v, p)
}

func join(p, name string) string {
	if p == "" {
		return name
	}
	return p + "." + name
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

// yamlError drops yaml.v3's "yaml: " prefix; our messages carry their own.
func yamlError(err error) error {
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		return errors.New(te.Errors[0])
	}
	return err
}
