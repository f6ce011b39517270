package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/config"
)

func TestValidate(t *testing.T) {
	route := func(r b2bua.Route) func(*config.Config) {
		return func(c *config.Config) { c.Routes = []b2bua.Route{{User: "a", Target: "sip:a@b"}, r} }
	}
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		key    string // the key the error must name
		msg    string // and a part of its message
	}{
		{"node empty", func(c *config.Config) { c.Node = "" }, "node", "must be set"},
		{"node dot", func(c *config.Config) { c.Node = "a.b" }, "node", "NATS subject token"},
		{"node space", func(c *config.Config) { c.Node = "a b" }, "node", "NATS subject token"},
		{"node star", func(c *config.Config) { c.Node = "a*" }, "node", "NATS subject token"},
		{"node gt", func(c *config.Config) { c.Node = ">" }, "node", "NATS subject token"},
		{"node tab", func(c *config.Config) { c.Node = "a\tb" }, "node", "NATS subject token"},

		{"sip.listen no port", func(c *config.Config) { c.SIP.Listen = "foo" }, "sip.listen", `"foo" is not host:port`},
		{"sip.listen empty", func(c *config.Config) { c.SIP.Listen = "" }, "sip.listen", "is not host:port"},
		{"sip.listen port name", func(c *config.Config) { c.SIP.Listen = "1.2.3.4:sip" }, "sip.listen", "not a number 0-65535"},
		{"sip.listen port range", func(c *config.Config) { c.SIP.Listen = "1.2.3.4:65536" }, "sip.listen", "not a number 0-65535"},
		{"sip.listen port sign", func(c *config.Config) { c.SIP.Listen = "1.2.3.4:+5" }, "sip.listen", "not a number 0-65535"},
		{"sip.listen port empty", func(c *config.Config) { c.SIP.Listen = "1.2.3.4:" }, "sip.listen", "not a number 0-65535"},
		{"sip no transport", func(c *config.Config) { c.SIP.UDP, c.SIP.TCP = false, false }, "sip", "at least one of sip.udp and sip.tcp"},
		{"sip.advertise bad", func(c *config.Config) { c.SIP.Advertise = "example.com" }, "sip.advertise", "is not host:port"},
		{"sip.advertise no host", func(c *config.Config) { c.SIP.Advertise = ":5060" }, "sip.advertise", "host is missing"},
		{"sip.advertise port 0", func(c *config.Config) { c.SIP.Advertise = "example.com:0" }, "sip.advertise", "port 0"},
		{"sip.udp_read_buffer", func(c *config.Config) { c.SIP.UDPReadBuffer = -1 }, "sip.udp_read_buffer", "negative"},
		{"sip.user_agent", func(c *config.Config) { c.SIP.UserAgent = "a\r\nX: y" }, "sip.user_agent", "control characters"},

		{"route_deadline zero", func(c *config.Config) { c.RouteDeadline = 0 }, "route_deadline", "more than 0"},
		{"route_deadline negative", func(c *config.Config) { c.RouteDeadline = -time.Second }, "route_deadline", "more than 0"},
		{"no_answer_timeout", func(c *config.Config) { c.NoAnswerTimeout = 0 }, "no_answer_timeout", "more than 0"},
		{"drain_timeout", func(c *config.Config) { c.DrainTimeout = 0 }, "drain_timeout", "more than 0"},
		{"max_redirects negative", func(c *config.Config) { c.MaxRedirects = -1 }, "max_redirects", "not in 0-10"},
		{"max_redirects large", func(c *config.Config) { c.MaxRedirects = 11 }, "max_redirects", "not in 0-10"},
		{"retry_after", func(c *config.Config) { c.RetryAfter = -1 }, "retry_after", "negative"},
		{"any negative duration", func(c *config.Config) { c.NATS.StreamMaxAge = -time.Hour }, "nats.stream_max_age", "negative"},

		{"route user regexp", route(b2bua.Route{User: "(", Target: "sip:a@b"}), "routes[1].user", "invalid regexp: "},
		{"route host regexp", route(b2bua.Route{Host: "[a", Target: "sip:a@b"}), "routes[1].host", "invalid regexp: "},
		{"route neither", route(b2bua.Route{User: "x"}), "routes[1]", "neither target nor reject"},
		{"route both", route(b2bua.Route{Target: "sip:a@b", Reject: 403}), "routes[1]", "both set"},
		{"route target scheme", route(b2bua.Route{Target: "tel:+123"}), "routes[1].target", "not a sip: or sips: URI"},
		{"route target http", route(b2bua.Route{Target: "http://x"}), "routes[1].target", "not a sip: or sips: URI"},
		{"route target no host", route(b2bua.Route{Target: "sip:alice@"}), "routes[1].target", "no host"},
		{"route target empty", route(b2bua.Route{Target: "sip:"}), "routes[1].target", "no host"},
		{"route target port only", route(b2bua.Route{Target: "sip::5060"}), "routes[1].target", "no host"},
		{"route target empty user", route(b2bua.Route{Target: "sip:@host"}), "routes[1].target", "empty user"},
		{"route target spaces", route(b2bua.Route{Target: "sip:a b@c"}), "routes[1].target", "spaces"},
		{"route target group", route(b2bua.Route{User: "^9(\\d+)$", Target: "sip:$2@host"}), "routes[1].target", "$2: user and host have at most 1 capture groups"},
		{"route target name", route(b2bua.Route{User: "^(?P<ext>\\d+)$", Target: "sip:${extn}@host"}), "routes[1].target", "${extn}: no capture group"},
		{"route target $1x", route(b2bua.Route{User: "^9(\\d+)$", Target: "sip:$1x@host"}), "routes[1].target", "write ${1}x"},
		{"route target ${}", route(b2bua.Route{Target: "sip:${}@host"}), "routes[1].target", "${} names no capture group"},
		{"route reject low", route(b2bua.Route{Reject: 200}), "routes[1].reject", "300-699"},
		{"route reject high", route(b2bua.Route{Reject: 700}), "routes[1].reject", "300-699"},
		{"route reject negative", route(b2bua.Route{Reject: -1}), "routes[1].reject", "300-699"},
		{"route reason", route(b2bua.Route{Reject: 403, Reason: "No\r\nX: y"}), "routes[1].reason", "control characters"},

		{"headers.allow empty", func(c *config.Config) { c.Headers.Allow = []string{"Subject", ""} }, "headers.allow[1]", "not a header name"},
		{"headers.allow space", func(c *config.Config) { c.Headers.Allow = []string{"X Foo"} }, "headers.allow[0]", "not a header name"},
		{"headers.allow colon", func(c *config.Config) { c.Headers.Allow = []string{"X-Foo:"} }, "headers.allow[0]", "not a header name"},
		{"headers.allow Via", func(c *config.Config) { c.Headers.Allow = []string{"Via"} }, "headers.allow[0]", "dialog-forming"},
		{"headers.allow call-id", func(c *config.Config) { c.Headers.Allow = []string{"call-ID"} }, "headers.allow[0]", "dialog-forming"},
		{"headers.allow compact i", func(c *config.Config) { c.Headers.Allow = []string{"Subject", "i"} }, "headers.allow[1]", "dialog-forming"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			tc.mutate(&c)
			checkOnly(t, c.Validate(), tc.key, tc.msg)
		})
	}

	// Every forbidden header, long and compact, any case.
	for _, h := range []string{"Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m",
		"Route", "Record-Route", "Max-Forwards", "Content-Length", "l", "VIA", "record-route", "L"} {
		c := config.Defaults()
		c.Headers.Allow = []string{h}
		checkOnly(t, c.Validate(), "headers.allow[0]", "dialog-forming")
	}
}

func TestValidateNATSHTTPLog(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		key    string
		msg    string
	}{
		{"nats.url scheme", func(c *config.Config) { c.NATS.URL = "http://nats:4222" }, "nats.url", "not a nats:// or tls:// URL"},
		{"nats.url plain", func(c *config.Config) { c.NATS.URL = "localhost:4222" }, "nats.url", "not a nats:// or tls:// URL"},
		{"nats.url no host", func(c *config.Config) { c.NATS.URL = "nats://" }, "nats.url", "no host"},
		{"nats.url list", func(c *config.Config) { c.NATS.URL = "nats://a:4222, ftp://b" }, "nats.url", `"ftp://b"`},
		{"nats.url redacted", func(c *config.Config) { c.NATS.URL = "http://user:s3cret@nats:4222" }, "nats.url", `"http://xxxxx@nats:4222"`},
		{"nats.embedded.port low", func(c *config.Config) { c.NATS.Embedded.Port = -2 }, "nats.embedded.port", "-1..65535"},
		{"nats.embedded.port high", func(c *config.Config) { c.NATS.Embedded.Port = 65536 }, "nats.embedded.port", "-1..65535"},
		{"nats.embedded.data_dir", func(c *config.Config) { c.NATS.Embedded.DataDir = "" }, "nats.embedded.data_dir", "must be set when nats.url is empty"},
		{"http.listen", func(c *config.Config) { c.HTTP.Listen = "8080" }, "http.listen", `"8080" is not host:port`},
		{"http.listen port", func(c *config.Config) { c.HTTP.Listen = "localhost:http" }, "http.listen", "not a number 0-65535"},
		{"log.level", func(c *config.Config) { c.Log.Level = "trace" }, "log.level", "not one of debug, info, warn, error"},
		{"log.level empty", func(c *config.Config) { c.Log.Level = "" }, "log.level", "not one of"},
		{"log.format", func(c *config.Config) { c.Log.Format = "logfmt" }, "log.format", "not text or json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			tc.mutate(&c)
			err := c.Validate()
			checkOnly(t, err, tc.key, tc.msg)
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
	}{
		{"listen any host", func(c *config.Config) { c.SIP.Listen = ":5060" }},
		{"listen port 0", func(c *config.Config) { c.SIP.Listen = "127.0.0.1:0" }},
		{"listen IPv6", func(c *config.Config) { c.SIP.Listen = "[::1]:5060" }},
		{"udp only", func(c *config.Config) { c.SIP.TCP = false }},
		{"tcp only", func(c *config.Config) { c.SIP.UDP = false }},
		{"advertise", func(c *config.Config) { c.SIP.Advertise = "sip.example.com:5060" }},
		{"max_redirects bounds", func(c *config.Config) { c.MaxRedirects = 10 }},
		{"max_redirects 0", func(c *config.Config) { c.MaxRedirects = 0 }},
		{"retry_after 0", func(c *config.Config) { c.RetryAfter = 0 }},
		{"no allowed headers", func(c *config.Config) { c.Headers.Allow = nil }},
		{"token header", func(c *config.Config) { c.Headers.Allow = []string{"X-Foo.Bar_!%*+`'~"} }},
		{"nats url", func(c *config.Config) { c.NATS.URL = "nats://user:pw@nats.example.com:4222" }},
		{"nats tls cluster", func(c *config.Config) { c.NATS.URL = "tls://a:4222,tls://b:4222" }},
		{"external nats, no data dir", func(c *config.Config) {
			c.NATS.URL, c.NATS.Embedded.DataDir = "nats://n:4222", ""
		}},
		{"embedded port bounds", func(c *config.Config) { c.NATS.Embedded.Port = 65535 }},
		{"embedded port 0", func(c *config.Config) { c.NATS.Embedded.Port = 0 }},
		{"http disabled", func(c *config.Config) { c.HTTP.Listen = "" }},
		{"log json debug", func(c *config.Config) { c.Log = config.LogConfig{Level: "DEBUG", Format: "JSON"} }},
		{"routes", func(c *config.Config) {
			c.Routes = []b2bua.Route{
				{Name: "a", User: `^9(\d+)$`, Target: "sip:$1@127.0.0.1:5090"},
				{User: `^(?P<ext>\d{3})$`, Host: `^(?P<dom>.+)$`, Target: "sips:${ext}@${dom};transport=tls"},
				{User: `^(\d)(\d)$`, Host: `(x)`, Target: "sip:$2-${1}@[2001:db8::1]:5060"},
				{Host: `^(.*)$`, Target: "SIP:$$1@$1"},
				{Target: "sip:pbx"},
				{Target: "sip:pbx.example.com;transport=tcp"},
				{User: "^0$", Reject: 403, Reason: "Forbidden"},
				{Reject: 300},
				{Reject: 699},
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			tc.mutate(&c)
			if err := c.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

// checkOnly checks that err is exactly one *config.Error, about key, whose
// message names the key and contains msg.
func checkOnly(t *testing.T, err error, key, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Validate() = nil, want an error about %s", key)
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	if len(errs) != 1 {
		t.Errorf("%d errors, want 1:\n%v", len(errs), err)
	}
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Key != key {
		t.Errorf("error %v: key %q, want %q", err, ce.Key, key)
	}
	if want := "config: " + key + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err, msg)
	}
}
