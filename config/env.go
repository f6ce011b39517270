package config

import (
	"errors"
	"reflect"
	"slices"
	"strings"
)

// applyEnv sets every key of v (a struct) that has a TANDEM_* variable in
// env, recording the variable in origin. A list of scalars is
// comma-separated; a list of mappings (routes) is JSON. Variables that name
// no key are errors.
func applyEnv(v reflect.Value, env []string, origin map[string]string) []error {
	vars := make(map[string]string)
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, envPrefix) {
			vars[name] = val
		}
	}
	var errs []error
	ls := appendLeaves(nil, v.Type(), "", nil)
	for _, l := range ls {
		val, ok := vars[l.env]
		if !ok {
			continue
		}
		delete(vars, l.env)
		for k := range origin {
			if strings.HasPrefix(k, l.path+".") || strings.HasPrefix(k, l.path+"[") {
				delete(origin, k)
			}
		}
		origin[l.path] = l.env
		errs = append(errs, setEnv(v.FieldByIndex(l.index), l, val)...)
	}
	if len(vars) == 0 {
		return errs
	}
	known := make([]string, len(ls))
	for i, l := range ls {
		known[i] = strings.TrimPrefix(l.env, envPrefix)
	}
	unknown := make([]string, 0, len(vars))
	for name := range vars {
		unknown = append(unknown, name)
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		msg := "unknown variable: no configuration key has this name"
		if s := suggest(strings.TrimPrefix(name, envPrefix), known); s != "" {
			msg += " (did you mean " + envPrefix + s + "?)"
		}
		errs = append(errs, &Error{Source: name, Err: errors.New(msg)})
	}
	return errs
}

// setEnv sets field f of leaf l from the variable's value s.
func setEnv(f reflect.Value, l leaf, s string) []error {
	fail := func(err error) []error { return []error{&Error{Source: l.env, Key: l.path, Err: err}} }
	switch shapeOf(l.typ) {
	case shapeScalar:
		if err := setScalar(f, s); err != nil {
			return fail(err)
		}
	case shapeList:
		var items []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		list := reflect.MakeSlice(l.typ, len(items), len(items))
		for i, item := range items {
			if err := setScalar(list.Index(i), item); err != nil {
				return fail(err)
			}
		}
		f.Set(list)
	default:
		// Lists of mappings and other types: JSON, which is YAML.
		if strings.TrimSpace(s) == "" {
			f.SetZero()
			return nil
		}
		root, err := parseYAML([]byte(s))
		if err != nil {
			return fail(err)
		}
		if root == nil {
			f.SetZero()
			return nil
		}
		d := &decoder{source: l.env}
		d.decode(root, f, l.path)
		return d.errs
	}
	return nil
}
