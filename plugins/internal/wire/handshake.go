package wire

import "github.com/hashicorp/go-plugin"

// Handshake is checked by both sides before anything else. The cookie only
// tells a plugin binary started by hand that it was not started by a host;
// it is not a secret. ProtocolVersion changes when pluginpb changes
// incompatibly.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "TANDEM_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "b2f6c1e0-tandem-plugin-v1",
}

// PluginName is the name the one plugin is dispensed under.
const PluginName = "tandem"
