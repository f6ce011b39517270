package host

import "time"

// Kind is how a plugin runs.
type Kind string

// Kinds of plugins.
const (
	// KindBuiltin runs a built-in app (Registry) in the server's process,
	// on its own in-process NATS connection.
	KindBuiltin Kind = "builtin"
	// KindProcess launches an executable with go-plugin (gRPC, AutoMTLS)
	// that talks to NATS over the network with its own credentials.
	KindProcess Kind = "process"
)

// Config is the plugins section of the server's configuration.
type Config struct {
	// HealthInterval is how often each running plugin is health-checked
	// (go-plugin's Ping for a process, a NATS round trip for a built-in).
	HealthInterval time.Duration `yaml:"health_interval"`
	// HealthTimeout is how long a health check may take; a check that fails
	// or takes longer restarts the plugin.
	HealthTimeout time.Duration `yaml:"health_timeout"`
	// StartTimeout bounds a plugin's start: launching the process, the
	// go-plugin handshake, connecting to NATS and its Start function.
	StartTimeout time.Duration `yaml:"start_timeout"`
	// StopTimeout bounds a plugin's stop before its process is killed.
	StopTimeout time.Duration `yaml:"stop_timeout"`
	// RestartBackoff is the wait before the first restart of a plugin that
	// died or failed to start; each further attempt doubles it, up to
	// RestartBackoffMax, with random jitter (a wait is between half and all
	// of it). A plugin that stayed up for RestartBackoffMax starts over
	// from RestartBackoff.
	RestartBackoff    time.Duration `yaml:"restart_backoff"`
	RestartBackoffMax time.Duration `yaml:"restart_backoff_max"`
	// List is the plugins to run.
	List []PluginConfig `yaml:"list"`
}

// PluginConfig is one plugin to run.
type PluginConfig struct {
	// Name names the plugin in logs, metrics and events, its NATS user and
	// the queue group of its decision handlers. Unique; letters, digits, _
	// and -.
	Name string `yaml:"name"`
	// Kind is builtin or process.
	Kind Kind `yaml:"kind"`
	// App is the built-in app to run (builtin only); empty means Name.
	App string `yaml:"app"`
	// Path is the plugin's executable (process only).
	Path string `yaml:"path"`
	// Args are the executable's arguments (process only).
	Args []string `yaml:"args"`
	// SHA256 is the hex SHA-256 of the executable (process only): when set,
	// the executable is checked before each launch and not run if it
	// differs.
	SHA256 string `yaml:"sha256"`
	// Config is handed to the plugin as JSON (sdk.Client.Config).
	Config map[string]any `yaml:"config"`
	// Decisions are the decisions the plugin answers (e.g. route): its grant
	// lets it subscribe to their subjects and reply to their requests.
	Decisions []string `yaml:"decisions"`
	// Publish and Subscribe are the other subjects the plugin may publish
	// and subscribe to; empty lists take DefaultPublish and
	// DefaultSubscribe. Its own reply inbox is always granted.
	Publish   []string `yaml:"publish"`
	Subscribe []string `yaml:"subscribe"`
	// CredentialsFile is the NATS credentials file the plugin connects with
	// when the server uses an external NATS (nats.url); with the embedded
	// server the host makes the plugin's user itself.
	CredentialsFile string `yaml:"credentials_file"`
}

// Defaults returns the default plugins section: no plugins.
func Defaults() Config {
	return Config{
		HealthInterval:    5 * time.Second,
		HealthTimeout:     2 * time.Second,
		StartTimeout:      10 * time.Second,
		StopTimeout:       5 * time.Second,
		RestartBackoff:    500 * time.Millisecond,
		RestartBackoffMax: 30 * time.Second,
	}
}

// withDefaults fills zero durations from Defaults.
func (c Config) withDefaults() Config {
	d := Defaults()
	for _, f := range []struct{ v, d *time.Duration }{
		{&c.HealthInterval, &d.HealthInterval},
		{&c.HealthTimeout, &d.HealthTimeout},
		{&c.StartTimeout, &d.StartTimeout},
		{&c.StopTimeout, &d.StopTimeout},
		{&c.RestartBackoff, &d.RestartBackoff},
		{&c.RestartBackoffMax, &d.RestartBackoffMax},
	} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	return c
}

// app is the built-in app a builtin plugin runs.
func (p PluginConfig) app() string {
	if p.App != "" {
		return p.App
	}
	return p.Name
}

// NeedsAuth reports whether c configures a process plugin: the embedded
// NATS server must then require authentication.
func (c Config) NeedsAuth() bool {
	for _, p := range c.List {
		if p.Kind == KindProcess {
			return true
		}
	}
	return false
}
