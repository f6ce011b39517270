package host

import "github.com/tandem-sip/tandem/events"

// The host's events are defined in package events (plugin_events.go):
// events.PluginStartedV1, events.PluginRestartedV1 and events.PluginDownV1
// on events.PluginEventSubject. The names below are the ones this package
// used to define, kept so that code written against them (the end-to-end
// tests under test/plugins) still builds; remove them once nothing does.
const (
	// Deprecated: use events.TypePluginStartedV1.
	TypePluginStartedV1 = events.TypePluginStartedV1
	// Deprecated: use events.TypePluginRestartedV1.
	TypePluginRestartedV1 = events.TypePluginRestartedV1
	// Deprecated: use events.TypePluginDownV1.
	TypePluginDownV1 = events.TypePluginDownV1

	// Deprecated: use events.PluginExited.
	ReasonExited = events.PluginExited
	// Deprecated: use events.PluginUnhealthy.
	ReasonUnhealthy = events.PluginUnhealthy
)

// PluginEventV1 decodes any of the host's three events: the fields of all
// of them side by side.
//
// Deprecated: decode into events.PluginStartedV1, events.PluginRestartedV1
// or events.PluginDownV1 by the envelope's type (events.Lookup), or let the
// SDK do it.
type PluginEventV1 struct {
	events.Envelope
	events.PluginInfoV1
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	DownMS int64  `json:"down_ms,omitempty"`
}
