package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load builds the configuration: Defaults, then the YAML file at path (""
// means no file), then the TANDEM_* variables of env (pass os.Environ();
// entries are "NAME=value", the last of a repeated name wins), then Validate.
//
// Problems are collected rather than stopping at the first: the returned
// error joins one *Error per problem (errors.Join), each naming its key and,
// where known, the file line or variable the value came from. On error the
// returned Config is the zero value. An unreadable file or malformed YAML
// stops loading at once; errors.Is(err, fs.ErrNotExist) reports a missing
// file.
func Load(path string, env []string) (Config, error) {
	c := Defaults()
	v := reflect.ValueOf(&c).Elem()
	origin := make(map[string]string)
	var errs []error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		root, err := parseYAML(data)
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
		if root != nil {
			d := &decoder{source: path, origin: origin}
			d.decode(root, v, "")
			errs = append(errs, d.errs...)
		}
	}
	errs = append(errs, applyEnv(v, env, origin)...)
	for _, e := range c.problems() {
		e.Source = lookupOrigin(origin, e.Key)
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// parseYAML parses data as exactly one YAML document and returns its root
// node, or nil for an empty document.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 is the first to read the file; should it panic on some
		// input, the operator gets a message, not a stack trace.
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: a second YAML document; the file must hold one", extra.Line)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// lookupOrigin returns where the value of key path p, or of the nearest
// enclosing key, came from.
func lookupOrigin(origin map[string]string, p string) string {
	for p != "" {
		if o, ok := origin[p]; ok {
			return o
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}
