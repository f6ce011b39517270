package host

import (
	"slices"
	"strings"
	"testing"
)

func TestGrantFor(t *testing.T) {
	g, err := grantFor(PluginConfig{Name: "r", Kind: KindProcess, Decisions: []string{"route"}})
	if err != nil {
		t.Fatal(err)
	}
	if g.User != "plugin-r" || len(g.Password) != 48 || g.PasswordHash == "" {
		t.Fatalf("grant %+v", g)
	}
	wantPub := []string{"tandem.v1.cmd.>", "$JS.API.STREAM.INFO.TANDEM_EVENTS", "$JS.API.STREAM.MSG.GET.TANDEM_EVENTS", "$JS.API.DIRECT.GET.TANDEM_EVENTS"}
	if !slices.Equal(g.Publish, wantPub) {
		t.Errorf("publish %q, want %q", g.Publish, wantPub)
	}
	if want := []string{"tandem.v1.evt.>", "tandem.v1.decide.route", "_INBOX_r.>"}; !slices.Equal(g.Subscribe, want) {
		t.Errorf("subscribe %q, want %q", g.Subscribe, want)
	}
	if s := g.String(); len(s) == 0 || strings.Contains(s, g.Password) {
		t.Errorf("String() %q shows the password", s)
	}
	// Its own lists, and no stream reading with its own subscribe list.
	own, _ := grantFor(PluginConfig{Name: "x", Publish: []string{"a.b"}, Subscribe: []string{"c.>"}})
	if !slices.Equal(own.Publish, []string{"a.b"}) || !slices.Equal(own.Subscribe, []string{"c.>", "_INBOX_x.>"}) {
		t.Errorf("configured grant %+v", own)
	}
	// Its own publish list, the default subscribe list: stream reading.
	pub, _ := grantFor(PluginConfig{Name: "y", Publish: []string{"a.b"}})
	if want := append([]string{"a.b"}, StreamRead...); !slices.Equal(pub.Publish, want) {
		t.Errorf("grant with a publish list: publish %q, want %q", pub.Publish, want)
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
