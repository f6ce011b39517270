package conference

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Defaults of the optional keys.
const (
	DefaultPrefix      = "conf-"
	DefaultLeaseTTL    = 10 * time.Minute
	DefaultMaxLeaseTTL = time.Hour
	DefaultMaxRooms    = 1000
	DefaultPINAttempts = 3
	DefaultPINTimeout  = 30 * time.Second
	// maxPINLen bounds a PIN: digits a caller types on a keypad.
	maxPINLen = 16
	// maxUserLen bounds a room's user part (it is also the mixer's room id,
	// at most 128 bytes).
	maxUserLen = 100
)

// Config is the conference app's configuration: the plugin's config
// mapping (plugins.list[].config), handed over as JSON. The zero Config
// has no static rooms and serves ad-hoc rooms with the defaults.
type Config struct {
	// Domain is the host (host or host:port) of the conference URIs of
	// ad-hoc rooms, and of static rooms given by user part only, when a
	// command does not name one.
	Domain string `json:"domain"`
	// Rooms are the static rooms.
	Rooms []RoomConfig `json:"rooms"`
	// RecordDir is the directory (absolute, on the node) recordings are
	// written to, as <room>-<UTC time>.wav.
	RecordDir string `json:"record_dir"`
	// PINAttempts is how many wrong PINs a caller may enter before being
	// hung up (default 3).
	PINAttempts int `json:"pin_attempts"`
	// PINTimeout hangs up a caller who has not entered a right PIN this
	// long after joining the lobby ("30s" by default; "0s": no limit).
	PINTimeout string `json:"pin_timeout"`
	// Adhoc configures the ad-hoc rooms.
	Adhoc AdhocConfig `json:"adhoc"`
}

// RoomConfig is one static room.
type RoomConfig struct {
	// URI is the room's user part ("1000": any host) or its full SIP URI
	// ("sip:1000@conf.example.com": that host only, and the URI is the
	// conference's entity).
	URI string `json:"uri"`
	// PIN, digits, is asked of every caller (RFC 4733 digits, ended by #
	// or by the PIN's length).
	PIN string `json:"pin"`
	// ModeratorPIN, digits, makes the caller who enters it a moderator. A
	// room with only a moderator PIN lets callers in with # alone.
	ModeratorPIN string `json:"moderator_pin"`
	// MaxParticipants refuses callers beyond it with 486 (0: no limit
	// but the mixer's own).
	MaxParticipants int `json:"max_participants"`
	// Record records the room's mix to RecordDir.
	Record bool `json:"record"`
}

// AdhocConfig configures the ad-hoc rooms (conference.create,
// conference.merge).
type AdhocConfig struct {
	// Prefix starts the user part of every ad-hoc conference URI
	// (default "conf-"); a request to an unknown user with this prefix
	// gets 404.
	Prefix string `json:"prefix"`
	// LeaseTTL is the lease a create gets when it asks for none ("10m").
	LeaseTTL string `json:"lease_ttl"`
	// MaxLeaseTTL caps the lease asked for ("1h"; lease draft REQ 3).
	MaxLeaseTTL string `json:"max_lease_ttl"`
	// MaxRooms bounds the ad-hoc rooms alive at once (default 1000).
	MaxRooms int `json:"max_rooms"`
	// MaxParticipants is the limit of an ad-hoc room whose create names
	// none (0: no limit but the mixer's own).
	MaxParticipants int `json:"max_participants"`
}

// ParseConfig decodes data (JSON) into a Config and validates it. A key
// the Config does not declare is an error. Empty data is the zero Config.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := sdk.DecodeConfig(data, &c); err != nil {
		return Config{}, fmt.Errorf("conference: config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks c and reports every problem at once (errors.Join), each
// naming its key, e.g. "conference: rooms[1].pin: ...".
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// settings is a valid Config with defaults filled in and durations
// parsed.
type settings struct {
	domain      string
	recordDir   string
	pinAttempts int
	pinTimeout  time.Duration
	rooms       []roomSpec
	adhoc       adhocSpec
}

// roomSpec is what a room is configured (or created) with.
type roomSpec struct {
	user   string // the user part: the room's name and mixer room id
	host   string // "" for any host; lower case, without port
	uri    string // the configured full URI without parameters, or ""
	pin    string
	modPIN string
	max    int
	record bool
}

// needsPIN reports whether callers go through the lobby.
func (s roomSpec) needsPIN() bool { return s.pin != "" || s.modPIN != "" }

type adhocSpec struct {
	prefix   string
	ttl      time.Duration
	maxTTL   time.Duration
	maxRooms int
	max      int
}

// compile checks every key of c and returns its settings.
func (c Config) compile() (settings, error) {
	var errs []error
	problem := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("conference: %s: "+format, append([]any{key}, args...)...))
	}
	s := settings{
		domain:      c.Domain,
		recordDir:   c.RecordDir,
		pinAttempts: c.PINAttempts,
		adhoc: adhocSpec{
			prefix:   c.Adhoc.Prefix,
			maxRooms: c.Adhoc.MaxRooms,
			max:      c.Adhoc.MaxParticipants,
		},
	}
	if s.domain != "" && !validHostPort(s.domain) {
		problem("domain", "%q is not a host or host:port", s.domain)
	}
	if s.recordDir != "" && !filepath.IsAbs(s.recordDir) {
		problem("record_dir", "%q is not an absolute path (the node writes the files)", s.recordDir)
	}
	switch {
	case s.pinAttempts == 0:
		s.pinAttempts = DefaultPINAttempts
	case s.pinAttempts < 0:
		problem("pin_attempts", "%d: must be 1 or more", s.pinAttempts)
	}
	s.pinTimeout = duration(c.PINTimeout, DefaultPINTimeout, "pin_timeout", true, problem)
	if s.adhoc.prefix == "" {
		s.adhoc.prefix = DefaultPrefix
	} else if !validUser(s.adhoc.prefix) {
		problem("adhoc.prefix", "%q is not a valid start of a SIP user part", s.adhoc.prefix)
	}
	s.adhoc.ttl = duration(c.Adhoc.LeaseTTL, DefaultLeaseTTL, "adhoc.lease_ttl", false, problem)
	s.adhoc.maxTTL = duration(c.Adhoc.MaxLeaseTTL, DefaultMaxLeaseTTL, "adhoc.max_lease_ttl", false, problem)
	if s.adhoc.ttl > 0 && s.adhoc.maxTTL > 0 && s.adhoc.ttl > s.adhoc.maxTTL {
		problem("adhoc.lease_ttl", "%v: above adhoc.max_lease_ttl %v", s.adhoc.ttl, s.adhoc.maxTTL)
	}
	switch {
	case s.adhoc.maxRooms == 0:
		s.adhoc.maxRooms = DefaultMaxRooms
	case s.adhoc.maxRooms < 0:
		problem("adhoc.max_rooms", "%d: must be 1 or more", s.adhoc.maxRooms)
	}
	if s.adhoc.max < 0 {
		problem("adhoc.max_participants", "%d: must be 0 (no limit) or more", s.adhoc.max)
	}

	seen := map[string]int{}
	for i, rc := range c.Rooms {
		k := "rooms[" + strconv.Itoa(i) + "]"
		spec := roomSpec{pin: rc.PIN, modPIN: rc.ModeratorPIN, max: rc.MaxParticipants, record: rc.Record}
		u, ok := parseURI(rc.URI)
		switch {
		case rc.URI == "":
			problem(k+".uri", "must be set")
		case !ok && strings.ContainsAny(rc.URI, "@:"):
			problem(k+".uri", "%q is neither a user part nor a sip: or sips: URI with a user", rc.URI)
		case ok:
			spec.user, spec.host = u.user, strings.ToLower(u.host)
			spec.uri = u.String()
		default:
			spec.user = rc.URI
		}
		if spec.user != "" {
			switch {
			case !validUser(spec.user):
				problem(k+".uri", "user part %q: letters, digits and -_.!~*'()&=+$,/ only, at most %d bytes", spec.user, maxUserLen)
			case strings.HasPrefix(spec.user, s.adhoc.prefix):
				problem(k+".uri", "user part %q starts with adhoc.prefix %q", spec.user, s.adhoc.prefix)
			default:
				if j, dup := seen[spec.user]; dup {
					problem(k+".uri", "user part %q is also rooms[%d]'s", spec.user, j)
				}
				seen[spec.user] = i
			}
		}
		if rc.PIN != "" && !validPIN(rc.PIN) {
			problem(k+".pin", "must be 1 to %d digits", maxPINLen)
		}
		if rc.ModeratorPIN != "" && !validPIN(rc.ModeratorPIN) {
			problem(k+".moderator_pin", "must be 1 to %d digits", maxPINLen)
		}
		if rc.PIN != "" && rc.PIN == rc.ModeratorPIN {
			problem(k+".moderator_pin", "must differ from pin")
		}
		if rc.MaxParticipants < 0 {
			problem(k+".max_participants", "%d: must be 0 (no limit) or more", rc.MaxParticipants)
		}
		if rc.Record && c.RecordDir == "" {
			problem(k+".record", "needs record_dir")
		}
		s.rooms = append(s.rooms, spec)
	}
	if len(errs) > 0 {
		return settings{}, errors.Join(errs...)
	}
	return s, nil
}

// duration parses a duration key; "" is def. zeroOK allows "0s".
func duration(v string, def time.Duration, key string, zeroOK bool, problem func(key, format string, args ...any)) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		problem(key, "%q is not a duration (e.g. 90s, 10m)", v)
	case d < 0 || d == 0 && !zeroOK:
		problem(key, "%v: must be above 0", d)
	}
	return d
}

// validPIN: 1 to maxPINLen decimal digits.
func validPIN(s string) bool {
	if len(s) == 0 || len(s) > maxPINLen {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
