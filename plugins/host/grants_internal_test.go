package host

import (
	"strings"
	"testing"
)

func TestGrantFor(t *testing.T) {
	g, err := grantFor(PluginConfig{Name: "r", Kind: KindProcess, Decisions: []string{"route"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tandem.v1.evt.>", "tandem.v1.decide.route", "_INBOX_r.>"}
	if g.User != "plugin-r" || len(g.Password) != 48 || g.PasswordHash == "" ||
		len(g.Publish) != 1 || g.Publish[0] != "tandem.v1.cmd.>" || len(g.Subscribe) != 3 {
		t.Fatalf("grant %+v", g)
	}
	for i, s := range want {
		if g.Subscribe[i] != s {
			t.Errorf("subscribe[%d] = %s, want %s", i, g.Subscribe[i], s)
		}
	}
	if s := g.String(); len(s) == 0 || strings.Contains(s, g.Password) {
		t.Errorf("String() %q shows the password", s)
	}
	own, _ := grantFor(PluginConfig{Name: "x", Publish: []string{"a.b"}, Subscribe: []string{"c.>"}})
	if len(own.Publish) != 1 || own.Publish[0] != "a.b" || own.Subscribe[0] != "c.>" || own.Subscribe[1] != "_INBOX_x.>" {
		t.Errorf("configured grant %+v", own)
	}
}

func TestConfigJSON(t *testing.T) {
	data, err := configJSON(map[string]any{"prefixes": map[any]any{9: "sip:x@y"}, "l": []any{map[any]any{true: 1}}})
	if err != nil || string(data) != `{"l":[{"true":1}],"prefixes":{"9":"sip:x@y"}}` {
		t.Errorf("configJSON = %s, %v", data, err)
	}
	if data, err := configJSON(nil); data != nil || err != nil {
		t.Errorf("configJSON(nil) = %s, %v", data, err)
	}
}
