package events

// Event types of Tandem's plugin host (plugins.list): a plugin is up, up
// again after a restart, or down. They belong to no call: their envelope's
// call_id and leg_id are empty, and seq counts one host's events about one
// plugin, from 1. They travel on PluginEventSubject, under EventPrefix, so
// Stream keeps them with the call events.
const (
	TypePluginStartedV1   = "tandem.plugin.v1.started"   // a plugin is up for the first time
	TypePluginRestartedV1 = "tandem.plugin.v1.restarted" // a plugin is up again after a restart
	TypePluginDownV1      = "tandem.plugin.v1.down"      // a plugin that was up died or failed its health check
)

// Why a plugin went down, in PluginDownV1.Reason.
const (
	PluginExited    = "exited"    // the process ended, or the built-in failed
	PluginUnhealthy = "unhealthy" // a health check failed or timed out; the host killed it
)

// PluginInfoV1 is what every plugin event tells about the plugin. The
// plugin events embed it, so its fields sit next to the envelope's.
type PluginInfoV1 struct {
	Plugin string `json:"plugin"` // its name in plugins.list
	Kind   string `json:"kind"`   // "builtin" or "process"
	// PID is the plugin's process id (process plugins).
	PID int `json:"pid,omitempty"`
	// Restarts counts the plugin's launches after its first.
	Restarts uint64 `json:"restarts"`
}

// Info returns the plugin's part of a plugin event; the three plugin event
// types get it by embedding, as they get Env, so a consumer of all of them
// can read it without a type switch.
func (p *PluginInfoV1) Info() *PluginInfoV1 { return p }

// PluginStartedV1: a plugin is up for the first time since the host
// started.
type PluginStartedV1 struct {
	Envelope
	PluginInfoV1
}

func (*PluginStartedV1) Name() string { return "started" }

// PluginRestartedV1: a plugin that was down is up again.
type PluginRestartedV1 struct {
	Envelope
	PluginInfoV1
	DownMS int64 `json:"down_ms,omitempty"` // how long it was down
}

func (*PluginRestartedV1) Name() string { return "restarted" }

// PluginDownV1: a plugin that was up died, or failed its health check and
// was killed. The host restarts it after a back-off.
type PluginDownV1 struct {
	Envelope
	PluginInfoV1
	Reason string `json:"reason"`          // "exited" or "unhealthy": PluginExited or PluginUnhealthy
	Error  string `json:"error,omitempty"` // what went wrong, when known
}

func (*PluginDownV1) Name() string { return "down" }
