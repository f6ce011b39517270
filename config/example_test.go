package config_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/config"
	"github.com/tandem-sip/tandem/plugins/host"
)

const exampleFile = "../tandem.example.yaml"

// TestExampleLoads keeps tandem.example.yaml loadable, and true to what it
// claims: its values are the defaults, except its example routes, users,
// plugin and registrar watcher.
func TestExampleLoads(t *testing.T) {
	c, err := config.Load(exampleFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Defaults()
	want.Routes = []b2bua.Route{
		{Name: "outbound", User: `^9(\d+)$`, Target: "sip:$1@127.0.0.1:5090"},
		{Name: "no-operator", User: "^0$", Reject: 403, Reason: "Forbidden"},
	}
	want.NATS.Embedded.Users = []natsapi.User{{User: "operator", Password: "change-me", Publish: []string{}, Subscribe: []string{}}}
	want.Plugins.List = []host.PluginConfig{{
		Name: "prefixrouter", Kind: host.KindBuiltin, App: "prefixrouter", Args: []string{},
		Config:    map[string]any{"prefixes": map[string]any{"8": "sip:$rest@127.0.0.1:5090"}},
		Decisions: []string{"route"}, Publish: []string{}, Subscribe: []string{},
	}}
	// The registrar's types are internal to b2bua: items are made from the
	// fields' own types.
	want.Registrar.Auth.Users = oneItem(want.Registrar.Auth.Users)
	want.Registrar.Auth.Users[0].User = "alice"
	want.Registrar.Auth.Users[0].Password = "change-me"
	want.Registrar.Auth.Users[0].AORs = []string{"sip:alice@example.com"}
	want.Registrar.Watchers = oneItem(want.Registrar.Watchers)
	want.Registrar.Watchers[0].AOR = "sip:alice@example.com"
	want.Registrar.Watchers[0].Users = []string{"reception"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("example file:\n got %+v\nwant %+v", c, want)
	}
}

// oneItem returns a list of one zero item of s's type, for types this
// package cannot name.
func oneItem[S ~[]E, E any](S) S { return make(S, 1) }

// key is one key of the configuration, found by walking the Go types.
type key struct {
	path []string // YAML path: "nats", "embedded", "port"
	env  string   // "" for sections and the fields of routes
	leaf bool
}

// walk lists the keys of struct type t by its yaml tags, flattening inline
// structs; it descends into structs and into slices of structs (routes),
// whose fields are keys of the items and have no variable.
func walk(t reflect.Type, path []string, inSlice bool) []key {
	var ks []key
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ks = append(ks, walk(f.Type, path, inSlice)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		p := append(append([]string(nil), path...), name)
		env := ""
		if !inSlice {
			env = "TANDEM_" + strings.ToUpper(strings.Join(p, "_"))
		}
		switch {
		case f.Type.Kind() == reflect.Struct && f.Type.String() != "time.Duration":
			ks = append(ks, key{path: p})
			ks = append(ks, walk(f.Type, p, inSlice)...)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
			ks = append(ks, key{path: p, env: env, leaf: true})
			ks = append(ks, walk(f.Type.Elem(), p, true)...)
		default:
			ks = append(ks, key{path: p, env: env, leaf: true})
		}
	}
	return ks
}

func allKeys() []key { return walk(reflect.TypeFor[config.Config](), nil, false) }

// find looks key path up in the YAML tree n, through every item of a list
// on the way. It returns, for each place the key is found, whether it has a
// comment (before it or at its line's end; the first key of a list item
// shares the item's comment).
func find(n *yaml.Node, path []string) (commented []bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		return find(n.Content[0], path)
	case yaml.SequenceNode:
		for _, item := range n.Content {
			commented = append(commented, find(item, path)...)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value != path[0] {
				continue
			}
			if len(path) == 1 {
				return []bool{k.HeadComment != "" || k.LineComment != "" || i == 0 && n.HeadComment != ""}
			}
			return find(n.Content[i+1], path[1:])
		}
	}
	return commented
}

// TestExampleHasEveryKey walks the Go types: every key of Defaults() must be
// in tandem.example.yaml (route fields in at least one example route), with
// a comment, and every variable must be named in the file's comments.
func TestExampleHasEveryKey(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, k := range allKeys() {
		p := strings.Join(k.path, ".")
		found := find(&doc, k.path)
		if len(found) == 0 {
			t.Errorf("%s: key missing from %s", p, exampleFile)
			continue
		}
		if k.env != "" && !strings.Contains(text, k.env) {
			t.Errorf("%s: %s not named in %s", p, k.env, exampleFile)
		}
		commented := false
		for _, c := range found {
			commented = commented || c
		}
		if !commented {
			t.Errorf("%s: no comment in %s", p, exampleFile)
		}
	}
}

// TestDocHasEveryKey keeps the package documentation's table complete.
func TestDocHasEveryKey(t *testing.T) {
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, k := range allKeys() {
		if !k.leaf {
			continue
		}
		p := strings.Join(k.path, ".")
		if k.env == "" {
			if !strings.Contains(doc, k.path[len(k.path)-1]) {
				t.Errorf("doc.go does not mention route field %s", p)
			}
			continue
		}
		if !strings.Contains(doc, "//\t"+p+" ") {
			t.Errorf("doc.go's table has no row for %s", p)
		}
		if !strings.Contains(doc, k.env) {
			t.Errorf("doc.go does not name %s", k.env)
		}
	}
}

// TestEveryVariable sets each key's variable to its default's text and
// checks that Load accepts it, so every documented variable exists.
func TestEveryVariable(t *testing.T) {
	seen := map[string]string{}
	for _, k := range allKeys() {
		if k.env == "" {
			continue
		}
		p := strings.Join(k.path, ".")
		if other, dup := seen[k.env]; dup {
			t.Errorf("%s and %s share the variable %s", other, p, k.env)
		}
		seen[k.env] = p
		if _, err := config.Load("", []string{k.env + "=" + exampleValue(k.path)}); err != nil {
			t.Errorf("%s: %v", k.env, err)
		}
	}
}

// exampleValue is a valid value for the variable of key path: the
// default's text.
func exampleValue(path []string) string {
	f := reflect.ValueOf(config.Defaults())
	for _, name := range path {
		f = fieldByTag(f, name)
	}
	switch x := f.Interface().(type) {
	case []string:
		return strings.Join(x, ",")
	case []b2bua.Route:
		return `[{"user":"^9(\\d+)$","target":"sip:$1@127.0.0.1"}]`
	}
	return fmt.Sprint(f.Interface())
}

// fieldByTag returns the field of struct v keyed name in YAML.
func fieldByTag(v reflect.Value, name string) reflect.Value {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			if fv := fieldByTag(v.Field(i), name); fv.IsValid() {
				return fv
			}
		}
		if tag == name || tag == "" && strings.ToLower(f.Name) == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}
