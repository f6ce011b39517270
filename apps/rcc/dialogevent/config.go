package dialogevent

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Any stands for every AOR: as a key of Config.Watchers, the watchers of
// every AOR; in a list of watchers, every subscriber.
const Any = "*"

// Config is the app's configuration: the plugin's config mapping
// (plugins.list[].config), handed over as JSON. The zero Config lets every
// user watch its own AOR and nobody else's.
type Config struct {
	// Watchers maps an AOR (a sip: or sips: URI, e.g. "sip:bob@example.com",
	// or Any) to the subscribers allowed to watch it: the From URIs of their
	// SUBSCRIBEs, or Any for every subscriber. URIs are compared as AORs
	// (user and host; the port, parameters and scheme do not count). A user
	// may always watch its own AOR.
	Watchers map[string][]string `json:"watchers"`
	// MaxExpires caps the life of a subscription, in seconds, below the
	// core's own cap (3600); 0 leaves it to the core.
	MaxExpires int `json:"max_expires"`
}

// ParseConfig decodes data (JSON) into a Config and validates it. A key the
// Config does not declare is an error, so that a typo is not silently
// ignored. Empty data is the zero Config.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := sdk.DecodeConfig(data, &c); err != nil {
		return Config{}, fmt.Errorf("dialogevent: config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks c and reports every problem at once (errors.Join), each
// naming its key, e.g. "dialogevent: watchers[sip:bob@example.com][1]: ...".
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// compile checks c and turns its watchers into a policy.
func (c Config) compile() (watchers, error) {
	var errs []error
	problem := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("dialogevent: %s: "+format, append([]any{key}, args...)...))
	}
	w := watchers{}
	keys := make([]string, 0, len(c.Watchers))
	for k := range c.Watchers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // problems in a stable order
	for _, k := range keys {
		key := "watchers[" + k + "]"
		res := AOR{} // Any
		if k != Any {
			a, ok := aorOfURI(k)
			if !ok {
				problem(key, "%q is not a sip: or sips: URI with a user and a host, nor %q", k, Any)
				continue
			}
			res = a
		}
		list := w[res]
		if list == nil {
			list = &watchList{who: map[AOR]bool{}}
			w[res] = list
		}
		if len(c.Watchers[k]) == 0 {
			problem(key, "lists nobody: give subscriber URIs, or %q for anybody", Any)
		}
		for i, s := range c.Watchers[k] {
			if s == Any {
				list.any = true
				continue
			}
			a, ok := aorOfURI(s)
			if !ok {
				problem(key+"["+strconv.Itoa(i)+"]", "%q is not a sip: or sips: URI with a user and a host, nor %q", s, Any)
				continue
			}
			list.who[a] = true
		}
	}
	if c.MaxExpires < 0 {
		problem("max_expires", "%d: must be 0 (the core's cap) or more", c.MaxExpires)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return w, nil
}
