package host

import "github.com/tandem-sip/tandem/plugins/sdk"

// Registry is the built-in apps a server offers, by the name a builtin
// plugin's app key (or name) gives. The server declares its registry once,
// as data; the host only reads it.
type Registry map[string]sdk.Plugin
