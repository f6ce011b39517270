package config

import (
	"fmt"
	"strings"

	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/plugins/host"
)

// natsUsers checks the embedded server's users.
func (v *validation) natsUsers(c Config) {
	seen := map[string]int{}
	for i, u := range c.NATS.Embedded.Users {
		k := fmt.Sprintf("nats.embedded.users[%d]", i)
		switch {
		case u.User == "":
			v.add(k+".user", "must be set")
		case u.User == natsapi.InternalUser:
			v.add(k+".user", "%q is the core's own user", u.User)
		case strings.HasPrefix(u.User, "plugin-"):
			v.add(k+".user", "%q: names starting with plugin- are the plugins' users", u.User)
		default:
			if j, dup := seen[u.User]; dup {
				v.add(k+".user", "%q is also the user of nats.embedded.users[%d]", u.User, j)
			}
			seen[u.User] = i
		}
		if u.Password == "" {
			v.add(k+".password", "must be set")
		}
		for j, s := range u.Publish {
			if err := host.CheckSubject(s); err != nil {
				v.addErr(fmt.Sprintf("%s.publish[%d]", k, j), err)
			}
		}
		for j, s := range u.Subscribe {
			if err := host.CheckSubject(s); err != nil {
				v.addErr(fmt.Sprintf("%s.subscribe[%d]", k, j), err)
			}
		}
	}
}

// plugins checks the plugins section; the host checks its own keys, this
// checks them against the rest of the configuration.
func (v *validation) plugins(c Config) {
	for _, p := range c.Plugins.Problems() {
		v.addErr("plugins."+p.Key, p.Err)
	}
	for i, p := range c.Plugins.List {
		if p.CredentialsFile != "" && c.NATS.URL == "" {
			v.add(fmt.Sprintf("plugins.list[%d].credentials_file", i),
				"only with an external nats.url; with the embedded server the host makes the plugin's user")
		}
	}
}
