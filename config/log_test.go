package config_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/config"
)

func TestLogger(t *testing.T) {
	for _, tc := range []struct {
		cfg       config.LogConfig
		debug     bool // debug records are written
		info      bool
		jsonLines bool
	}{
		{config.LogConfig{Level: "debug", Format: "text"}, true, true, false},
		{config.LogConfig{Level: "info", Format: "text"}, false, true, false},
		{config.LogConfig{Level: "warn", Format: "json"}, false, false, true},
		{config.LogConfig{Level: "error", Format: "json"}, false, false, true},
		{config.LogConfig{Level: "DEBUG", Format: "JSON"}, true, true, true},
	} {
		var buf bytes.Buffer
		l := tc.cfg.Logger(&buf)
		l.Debug("d")
		l.Info("i")
		l.Warn("w")
		l.Error("e", "k", "v")
		out := buf.String()
		if got := strings.Contains(out, "msg=d") || strings.Contains(out, `"msg":"d"`); got != tc.debug {
			t.Errorf("%+v: debug written = %v, want %v\n%s", tc.cfg, got, tc.debug, out)
		}
		if got := strings.Contains(out, "msg=i") || strings.Contains(out, `"msg":"i"`); got != tc.info {
			t.Errorf("%+v: info written = %v, want %v\n%s", tc.cfg, got, tc.info, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		last := lines[len(lines)-1]
		var m map[string]any
		isJSON := json.Unmarshal([]byte(last), &m) == nil
		if isJSON != tc.jsonLines {
			t.Errorf("%+v: JSON = %v, want %v: %s", tc.cfg, isJSON, tc.jsonLines, last)
		}
		if !strings.Contains(last, "ERROR") || !strings.Contains(last, "v") {
			t.Errorf("%+v: error record missing: %s", tc.cfg, last)
		}
	}
}

func TestConfigLogValue(t *testing.T) {
	c := config.Defaults()
	c.NATS.URL = "nats://user:s3cret@a:4222, nats://tok3n@b:4222"
	var buf bytes.Buffer
	config.LogConfig{Level: "info", Format: "text"}.Logger(&buf).Info("loaded", "config", c)
	out := buf.String()
	for _, secret := range []string{"s3cret", "tok3n"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q: %s", secret, out)
		}
	}
	for _, want := range []string{"config.sip.listen=127.0.0.1:5060", "config.route_deadline=100ms", "nats://xxxxx@a:4222"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q: %s", want, out)
		}
	}
}
