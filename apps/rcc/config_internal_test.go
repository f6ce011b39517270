package rcc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

const secret = "s3cret-s3cret-s3cret"

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"tokens": [{"name": "crm", "token": "` + secret + `", "permissions": ["calls.*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != DefaultListen || time.Duration(c.CommandTimeout) != DefaultCommandTimeout ||
		time.Duration(c.Heartbeat) != DefaultHeartbeat || len(c.Tokens) != 1 || c.Tokens[0].Name != "crm" {
		t.Errorf("defaults: %+v", c)
	}
	c, err = ParseConfig([]byte(`{"listen": "[::1]:0", "command_timeout": "250ms", "heartbeat": "2s", "tokens": [
		{"name": "console", "token_env": "X", "permissions": ["*"], "answer_mode": true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "[::1]:0" || time.Duration(c.CommandTimeout) != 250*time.Millisecond || time.Duration(c.Heartbeat) != 2*time.Second ||
		!c.Tokens[0].AnswerMode || c.Tokens[0].TokenEnv != "X" {
		t.Errorf("parsed: %+v", c)
	}
}

// Every problem is reported at once, each naming its key.
func TestConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // substrings of the error, in order
	}{
		{"nothing", ``, []string{"rcc: tokens: at least one token is required"}},
		{"unknown key", `{"listn": "x"}`, []string{`rcc: config: json: unknown field "listn"`}},
		{"bare number", `{"command_timeout": 5}`, []string{"rcc: config:", "5 is not a duration string"}},
		{"bad duration", `{"heartbeat": "soon"}`, []string{`"soon" is not a duration`}},
		{"settings", `{"listen": "8089", "command_timeout": "-1s", "heartbeat": "10ms", "tokens": [{"name": "a", "token": "` + secret + `", "permissions": ["*"]}]}`, []string{
			`rcc: listen: "8089" is not host:port`,
			"rcc: command_timeout: -1s: must be positive",
			"rcc: heartbeat: 10ms: must be at least 1s",
		}},
		{"host", `{"listen": "example.com:80", "tokens": [{"name": "a", "token": "` + secret + `", "permissions": ["*"]}]}`,
			[]string{`rcc: listen: "example.com:80": host "example.com" is not an IP address or localhost`}},
		{"port", `{"listen": "127.0.0.1:99999", "tokens": [{"name": "a", "token": "` + secret + `", "permissions": ["*"]}]}`,
			[]string{`rcc: listen: "127.0.0.1:99999": port "99999" is not 0-65535`}},
		{"tokens", `{"tokens": [
			{"name": "", "token": "` + secret + `", "permissions": ["*"]},
			{"name": "a b", "permissions": ["*"]},
			{"name": "c", "token": "short", "token_env": "E", "permissions": ["*"]},
			{"name": "d", "token": "has spaces in it, alas", "permissions": []},
			{"name": "e", "token_file": "/f", "permissions": ["calls.*", "call.*", "[", "legs.originate", "events"]}]}`, []string{
			`rcc: tokens[0].name: "": must be 1-64 letters`,
			`rcc: tokens[1].name: "a b": must be`,
			"rcc: tokens[1]: set exactly one of token, token_env and token_file (0 set)",
			"rcc: tokens[2]: set exactly one of token, token_env and token_file (2 set)",
			"rcc: tokens[2].token: too short (5 bytes, at least 16)",
			"rcc: tokens[3].token: not a bearer token",
			"rcc: tokens[3].permissions: empty",
			`rcc: tokens[4].permissions[1]: "call.*" matches no permission (calls.list, `,
			`rcc: tokens[4].permissions[2]: "[": syntax error in pattern`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error lacks %q (in order):\n%s", w, msg)
				}
				at += i + len(w)
			}
			if strings.Contains(msg, "alas") {
				t.Errorf("the error shows a secret:\n%s", msg)
			}
		})
	}
}

func TestResolveTokens(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "t")
	if err := os.WriteFile(file, []byte("file-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := tokenSource{
		getenv: func(k string) string {
			return map[string]string{"TOK": " env-token-0123456789 ", "SHORT": "x", "SAME": secret}[k]
		},
		readFile: os.ReadFile,
	}
	perms := []string{"*"}
	toks, err := src.resolve([]TokenConfig{
		{Name: "a", Token: secret, Permissions: perms},
		{Name: "b", TokenEnv: "TOK", Permissions: perms, AnswerMode: true},
		{Name: "c", TokenFile: file, Permissions: perms},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []string{secret, "env-token-0123456789", "file-token-0123456789"} {
		got, err := authenticate(toks, "Bearer "+s)
		if err != nil || got.index != i {
			t.Errorf("token %d: %+v %v", i, got, err)
		}
	}
	if !toks[1].answerMode || toks[0].answerMode {
		t.Error("answer_mode not carried")
	}

	_, err = src.resolve([]TokenConfig{
		{Name: "a", Token: secret, Permissions: perms},
		{Name: "b", TokenEnv: "NONE", Permissions: perms},
		{Name: "c", TokenEnv: "SHORT", Permissions: perms},
		{Name: "d", TokenFile: filepath.Join(dir, "missing"), Permissions: perms},
		{Name: "e", TokenEnv: "SAME", Permissions: perms},
	})
	want := []string{
		"rcc: tokens[1].token_env: $NONE is not set or empty",
		"rcc: tokens[2].token_env: too short (1 bytes",
		"rcc: tokens[3].token_file: open ",
		"rcc: tokens[4].token_env: the same secret as tokens[0]",
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows a secret: %v", err)
	}
}

// A configuration printed or logged never shows a token.
func TestSecretRedacted(t *testing.T) {
	c := Config{Tokens: []TokenConfig{{Name: "a", Token: secret}}}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("config", "config", c, "token", c.Tokens[0].Token)
	log.Info("config", slog.Any("tokens", c.Tokens))
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Tokens[0].Token)
	if strings.Contains(out, secret) {
		t.Errorf("the secret shows:\n%s", out)
	}
}

func TestAuthenticate(t *testing.T) {
	toks := []token{
		newToken(0, TokenConfig{Name: "a", Permissions: []string{"calls.*"}}, "aaaa-aaaa-aaaa-aaaa"),
		newToken(1, TokenConfig{Name: "b", Permissions: []string{"*"}}, "bbbb-bbbb-bbbb-bbbb"),
	}
	tests := []struct {
		header string
		want   string // the token's name
		err    error
	}{
		{"Bearer aaaa-aaaa-aaaa-aaaa", "a", nil},
		{"bearer bbbb-bbbb-bbbb-bbbb", "b", nil},
		{"BEARER  bbbb-bbbb-bbbb-bbbb ", "b", nil},
		{"", "", errNoToken},
		{"Bearer", "", errNoToken},
		{"Bearer ", "", errNoToken},
		{"Basic YTpi", "", errNoToken},
		{"aaaa-aaaa-aaaa-aaaa", "", errNoToken},
		{"Bearer aaaa-aaaa-aaaa-aaa", "", errBadToken},
		{"Bearer aaaa-aaaa-aaaa-aaaaa", "", errBadToken},
	}
	for _, tc := range tests {
		got, err := authenticate(toks, tc.header)
		if !errors.Is(err, tc.err) || (got == nil) != (tc.want == "") || got != nil && got.name != tc.want {
			t.Errorf("authenticate(%q) = %+v, %v; want %s, %v", tc.header, got, err, tc.want, tc.err)
		}
	}
}

func TestPermissions(t *testing.T) {
	tests := []struct {
		perms []string
		perm  string
		want  bool
	}{
		{[]string{"*"}, "legs.originate", true},
		{[]string{"*"}, PermEvents, true},
		{[]string{"calls.*"}, "calls.hangup", true},
		{[]string{"calls.*"}, "legs.hangup", false},
		{[]string{"calls.*"}, PermEvents, false},
		{[]string{"legs.originate", "events"}, PermEvents, true},
		{[]string{"legs.originate"}, "legs.answer", false},
		{[]string{"*.list"}, "mixer.list", true},
		{[]string{"mixer.*"}, "mixer.join", true},
		{nil, "calls.list", false},
	}
	for _, tc := range tests {
		tok := newToken(0, TokenConfig{Permissions: tc.perms}, secret)
		if got := tok.may(tc.perm); got != tc.want {
			t.Errorf("%v may %s = %v, want %v", tc.perms, tc.perm, got, tc.want)
		}
	}
	// every permission is a route's verb or events, and every verb of the
	// SDK's commands that the gateway serves is one
	perms := Permissions()
	if perms[len(perms)-1] != PermEvents {
		t.Errorf("permissions %v do not end with %s", perms, PermEvents)
	}
	for _, v := range []string{sdk.CallsList.Verb, sdk.LegsOriginate.Verb, sdk.MixerSet.Verb, sdk.TransfersAttended.Verb, sdk.CallsRelease.Verb} {
		if !strings.Contains(strings.Join(perms, ","), v) {
			t.Errorf("no permission %s", v)
		}
	}
}

func TestEventFilter(t *testing.T) {
	tests := []struct {
		subject, callID string
		want            string // "" for an error
	}{
		{"", "", "tandem.v1.evt.>"},
		{"", "c1", events.CallEventsFilter("c1")},
		{"*.call.>", "c1", "tandem.v1.evt.*.call.>"},
		{"n1.call.*.leg_ended", "", "tandem.v1.evt.n1.call.*.leg_ended"},
		{"tandem.v1.evt.n1.node.>", "", "tandem.v1.evt.n1.node.>"},
		{">", "", "tandem.v1.evt.>"},
		{"n1..x", "", ""},
		{"n1.>.x", "", ""},
		{"n1.call*", "", ""},
		{"n1 x", "", ""},
		{".", "", ""},
	}
	for _, tc := range tests {
		got, err := eventFilter(tc.subject, tc.callID)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("eventFilter(%q, %q) = %q, %v; want %q", tc.subject, tc.callID, got, err, tc.want)
		}
	}
}

func TestWholeCalls(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		{"tandem.v1.evt.>", true},
		{"tandem.v1.evt.*.call.>", true},
		{"tandem.v1.evt.*.call.c1.>", true},
		{"tandem.v1.evt.n1.call.*.*", true},
		{events.CallEventsFilter("c1"), true},
		{"tandem.v1.evt.*.call.*.leg_ended", false},
		{"tandem.v1.evt.n1.call.c1.ended", false},
		{"tandem.v1.evt.n1.node.*", true},
	}
	for _, tc := range tests {
		if got := wholeCalls(tc.filter); got != tc.want {
			t.Errorf("wholeCalls(%q) = %v", tc.filter, got)
		}
	}
}

func TestClassify(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	live := context.Background()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		status int
		errNm  string
		core   bool
	}{
		{"core conflict", live, fmt.Errorf("x: %w", events.NewError(events.ErrConflict, "claimed")), 409, "conflict", true},
		{"core unknown leg", live, events.NewError(events.ErrUnknownLeg, "no"), 404, "unknown_leg", true},
		{"no core", live, fmt.Errorf("sdk: calls.list: %w: %w", sdk.ErrNoCore, errors.New("nats: no responders")), 503, ErrNameNoCore, false},
		{"stopped", live, sdk.ErrStopped, 503, ErrNameStopped, false},
		{"timeout", expired, errors.New("context deadline exceeded"), 504, ErrNameTimeout, false},
		{"client gone", cancelled, errors.New("context canceled"), 503, ErrNameStopped, false},
		{"garbage reply", live, errors.New("sdk: decode reply: bad"), 502, ErrNameBadGateway, false},
	}
	for _, tc := range tests {
		status, e, core := classify(tc.ctx, tc.err)
		if status != tc.status || e.Name != tc.errNm || core != tc.core {
			t.Errorf("%s: %d %+v %v", tc.name, status, e, core)
		}
	}
}
