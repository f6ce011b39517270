package conference_test

import (
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/apps/conference"
)

func TestParseConfig(t *testing.T) {
	c, err := conference.ParseConfig([]byte(`{
		"domain": "conf.example.com", "record_dir": "/var/rec", "pin_attempts": 5, "pin_timeout": "1m",
		"rooms": [
			{"uri": "1000", "pin": "1234", "moderator_pin": "99", "max_participants": 10, "record": true},
			{"uri": "sips:sales@Conf.Example.com:5061;transport=tls"}
		],
		"adhoc": {"prefix": "adhoc-", "lease_ttl": "5m", "max_lease_ttl": "2h", "max_rooms": 10, "max_participants": 4}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rooms) != 2 || c.Rooms[0].PIN != "1234" || !c.Rooms[0].Record || c.Adhoc.Prefix != "adhoc-" || c.PINAttempts != 5 {
		t.Errorf("ParseConfig = %+v", c)
	}
	for _, empty := range []string{"", " ", "null", "{}"} {
		if c, err := conference.ParseConfig([]byte(empty)); err != nil || len(c.Rooms) != 0 {
			t.Errorf("ParseConfig(%q) = %+v, %v; want the zero Config", empty, c, err)
		}
	}
}

// Every problem is reported at once, each naming its key.
func TestConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // substrings of the error, in order
	}{
		{"unknown key", `{"rooms": [{"url": "1"}]}`, []string{`conference: config: json: unknown field "url"`}},
		{"wrong type", `{"pin_attempts": "3"}`, []string{"conference: config:", "pin_attempts"}},
		{"rooms", `{"rooms": [
			{},
			{"uri": "a@b"},
			{"uri": "tel:+1"},
			{"uri": "sip:nouser.example.com"},
			{"uri": "conf-1"},
			{"uri": "1000", "pin": "12a4", "moderator_pin": "12345678901234567"},
			{"uri": "sip:1000@x", "pin": "1", "moderator_pin": "1", "max_participants": -1, "record": true},
			{"uri": "a b"}]}`, []string{
			"conference: rooms[0].uri: must be set",
			`conference: rooms[1].uri: "a@b" is neither a user part nor a sip: or sips: URI with a user`,
			`conference: rooms[2].uri: "tel:+1" is neither`,
			`conference: rooms[3].uri: "sip:nouser.example.com" is neither`,
			`conference: rooms[4].uri: user part "conf-1" starts with adhoc.prefix "conf-"`,
			"conference: rooms[5].pin: must be 1 to 16 digits",
			"conference: rooms[5].moderator_pin: must be 1 to 16 digits",
			`conference: rooms[6].uri: user part "1000" is also rooms[5]'s`,
			"conference: rooms[6].moderator_pin: must differ from pin",
			"conference: rooms[6].max_participants: -1: must be 0 (no limit) or more",
			"conference: rooms[6].record: needs record_dir",
			`conference: rooms[7].uri: user part "a b": letters, digits`,
		}},
		{"globals", `{"domain": "a b", "record_dir": "rec", "pin_attempts": -1, "pin_timeout": "soon"}`, []string{
			`conference: domain: "a b" is not a host or host:port`,
			`conference: record_dir: "rec" is not an absolute path`,
			"conference: pin_attempts: -1: must be 1 or more",
			`conference: pin_timeout: "soon" is not a duration`,
		}},
		{"adhoc", `{"adhoc": {"prefix": "a b", "lease_ttl": "2h", "max_lease_ttl": "1h", "max_rooms": -2, "max_participants": -1}}`, []string{
			`conference: adhoc.prefix: "a b" is not a valid start`,
			"conference: adhoc.lease_ttl: 2h0m0s: above adhoc.max_lease_ttl 1h0m0s",
			"conference: adhoc.max_rooms: -2: must be 1 or more",
			"conference: adhoc.max_participants: -1: must be 0 (no limit) or more",
		}},
		{"zero lease", `{"adhoc": {"lease_ttl": "0s"}}`, []string{"conference: adhoc.lease_ttl: 0s: must be above 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conference.ParseConfig([]byte(tt.json))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if lines := strings.Count(msg, "\n") + 1; lines != len(tt.want) && !strings.HasPrefix(msg, "conference: config:") {
				t.Errorf("%d problems, want %d:\n%s", lines, len(tt.want), msg)
			}
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("error lacks %q (in order):\n%s", w, msg)
					break
				}
				rest = rest[i+len(w):]
			}
		})
	}
}
