package host

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandem-sip/tandem/events"
)

// Default subjects of a plugin's grant, when its publish or subscribe list
// is empty: it may send every command and watch every event.
var (
	DefaultPublish   = []string{events.CommandPrefix + ".>"}
	DefaultSubscribe = []string{events.EventPrefix + ".>"}
)

// StreamRead are the JetStream API subjects that let a plugin read single
// messages of the events stream by subject, and the stream's description:
// what the SDK's gap catch-up needs. They create or change nothing on the
// server. A plugin may publish to them when its subscribe list is the
// default: the stream holds nothing but the events it may watch anyway. A
// plugin with a subscribe list of its own does not get them, as the stream
// would show it events outside that list.
var StreamRead = []string{
	"$JS.API.STREAM.INFO." + events.Stream,
	"$JS.API.STREAM.MSG.GET." + events.Stream,
	"$JS.API.DIRECT.GET." + events.Stream, // the same read, if the stream allows direct gets
}

// Grant is what one plugin may do on the embedded NATS server: the user it
// connects as and the subjects it may use. Besides Publish, the user may
// reply once to each request it received (a decision), and nothing else.
type Grant struct {
	Plugin   string
	User     string
	Password string // random, made by New; never logged
	// PasswordHash is Password's bcrypt hash, for the server's user list
	// (cheap cost: the password is random, not guessable).
	PasswordHash string
	// InboxPrefix is the prefix of the plugin's reply subjects
	// (nats.CustomInboxPrefix): Subscribe covers InboxPrefix+".>", no other
	// plugin's inbox.
	InboxPrefix string
	Publish     []string
	Subscribe   []string
}

// String keeps the password out of logs.
func (g Grant) String() string {
	return fmt.Sprintf("{plugin %s user %s publish %v subscribe %v}", g.Plugin, g.User, g.Publish, g.Subscribe)
}

// grantFor builds p's grant with a fresh password.
func grantFor(p PluginConfig) (Grant, error) {
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return Grant{}, fmt.Errorf("host: password for %s: %w", p.Name, err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(pw)), bcrypt.MinCost)
	if err != nil {
		return Grant{}, fmt.Errorf("host: password for %s: %w", p.Name, err)
	}
	g := Grant{
		Plugin:       p.Name,
		User:         "plugin-" + p.Name,
		Password:     hex.EncodeToString(pw),
		PasswordHash: string(hash),
		InboxPrefix:  "_INBOX_" + p.Name,
		Publish:      slices.Clone(p.Publish),
		Subscribe:    slices.Clone(p.Subscribe),
	}
	if len(g.Publish) == 0 {
		g.Publish = slices.Clone(DefaultPublish)
	}
	if len(g.Subscribe) == 0 {
		g.Subscribe = slices.Clone(DefaultSubscribe)
		g.Publish = append(g.Publish, StreamRead...)
	}
	for _, d := range p.Decisions {
		g.Subscribe = append(g.Subscribe, events.DecidePrefix+"."+d)
	}
	g.Subscribe = append(g.Subscribe, g.InboxPrefix+".>")
	return g, nil
}

// configJSON is p's configuration as JSON, nil when it has none. YAML
// mappings with non-string keys (9: …) get their keys as strings.
func configJSON(m map[string]any) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	data, err := json.Marshal(stringKeys(m))
	if err != nil {
		return nil, fmt.Errorf("host: config as JSON: %w", err)
	}
	return data, nil
}

func stringKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = stringKeys(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = stringKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stringKeys(e)
		}
		return out
	}
	return v
}
