// Package prefix is the prefix router, an example plugin: it answers
// Tandem's routing decision by the longest prefix of the Request-URI user
// found in its configuration, and declines (the core then uses its own
// routes) when none matches.
//
// Its configuration, JSON (or YAML under the plugin's config key):
//
//	{"prefixes": {"9": "sip:$rest@127.0.0.1:5090", "00": "sip:$user@trunk.example.com"}}
//
// In a target, $rest is the user after the prefix and $user the whole
// user. An empty prefix matches every user. Targets must be sip: or sips:
// URIs.
//
// Plugin runs it: in-process as a built-in app, or as a process through the
// command in the parent directory.
package prefix
