package natsapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/nats-io/nats-server/v2/server"
	"golang.org/x/crypto/bcrypt"
)

// InternalUser is the embedded server's user for the core's own connection
// (and InternalURL), made at Start with a random password whenever
// authentication is on. No configured user may take the name.
const InternalUser = "tandem-core"

// User is one user of the embedded server. Configuring any user turns
// authentication on: no anonymous client can connect.
type User struct {
	// User is the name the client connects with.
	User string `yaml:"user"`
	// Password is the user's password, or its bcrypt hash ("$2a$...").
	Password Secret `yaml:"password"`
	// Publish and Subscribe are the subjects (wildcards allowed) the user
	// may publish and subscribe to; an empty list allows every subject. A
	// user with a Publish list may also reply once to each request it
	// receives (decisions, commands).
	Publish   []string `yaml:"publish"`
	Subscribe []string `yaml:"subscribe"`
}

// Secret is a string kept out of logs: it prints and marshals as xxxxx.
type Secret string

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

// MarshalJSON hides the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// auth is the embedded server's authentication: the configured users and
// the internal one. Its zero value is "off".
type auth struct {
	on       bool
	password string // InternalUser's
	hash     string // its bcrypt hash, which the server gets
}

func newAuth(users []User) (auth, error) {
	if len(users) == 0 {
		return auth{}, nil
	}
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return auth{}, fmt.Errorf("natsapi: internal password: %w", err)
	}
	password := hex.EncodeToString(pw)
	// A cheap cost: the password is random, not guessable; the server
	// checks it on every connection of the internal user.
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return auth{}, fmt.Errorf("natsapi: internal password: %w", err)
	}
	return auth{on: true, password: password, hash: string(hash)}, nil
}

// serverUsers are the users of the server's options: cfg's, each limited to
// its subjects, and the internal user with every permission.
func (a auth) serverUsers(users []User) ([]*server.User, error) {
	if !a.on {
		return nil, nil
	}
	out := []*server.User{{Username: InternalUser, Password: a.hash}}
	seen := map[string]bool{InternalUser: true}
	for _, u := range users {
		if u.User == "" || u.Password == "" {
			return nil, fmt.Errorf("natsapi: embedded user %q: user and password must be set", u.User)
		}
		if seen[u.User] {
			return nil, fmt.Errorf("natsapi: embedded user %q: listed twice or reserved", u.User)
		}
		seen[u.User] = true
		su := &server.User{Username: u.User, Password: string(u.Password)}
		if len(u.Publish) > 0 || len(u.Subscribe) > 0 {
			su.Permissions = &server.Permissions{}
			if len(u.Publish) > 0 {
				su.Permissions.Publish = &server.SubjectPermission{Allow: u.Publish}
				su.Permissions.Response = &server.ResponsePermission{MaxMsgs: 1}
			}
			if len(u.Subscribe) > 0 {
				su.Permissions.Subscribe = &server.SubjectPermission{Allow: u.Subscribe}
			}
		}
		out = append(out, su)
	}
	return out, nil
}

// withUser puts the internal user's credentials into a nats:// URL.
func (a auth) withUser(rawURL string) string {
	if !a.on {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.User = url.UserPassword(InternalUser, a.password)
	return u.String()
}
