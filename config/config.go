package config

import (
	"github.com/tandem-sip/tandem/b2bua"
	"github.com/tandem-sip/tandem/b2bua/natsapi"
	"github.com/tandem-sip/tandem/plugins/host"
)

// Config is the whole server configuration. It composes each package's own
// configuration type; the core's keys sit at the top level.
type Config struct {
	b2bua.Config `yaml:",inline"`
	// NATS configures the NATS connection or the embedded server.
	NATS natsapi.Config `yaml:"nats"`
	// Plugins lists the plugins to run and how the host supervises them.
	Plugins host.Config `yaml:"plugins"`
	// HTTP configures the HTTP listener (health and metrics).
	HTTP HTTPConfig `yaml:"http"`
	// Log configures the server's logger.
	Log LogConfig `yaml:"log"`
	// Runtime tunes the Go runtime (garbage collector) of cmd/tandem.
	Runtime RuntimeConfig `yaml:"runtime"`
}

// HTTPConfig configures the HTTP listener.
type HTTPConfig struct {
	// Listen is the host:port of the HTTP listener; "" disables it.
	Listen string `yaml:"listen"`
}

// LogConfig configures logging.
type LogConfig struct {
	// Level is the minimum level logged: debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text (logfmt-like key=value) or json.
	Format string `yaml:"format"`
}

// Defaults returns the embedded configuration: b2bua.Defaults,
// natsapi.Defaults and host.Defaults (no plugins), HTTP on 127.0.0.1:8080,
// text logs at level info, runtime.gc_percent 400 without a memory limit.
func Defaults() Config {
	return Config{
		Config:  b2bua.Defaults(),
		NATS:    natsapi.Defaults(),
		Plugins: host.Defaults(),
		HTTP:    HTTPConfig{Listen: "127.0.0.1:8080"},
		Log:     LogConfig{Level: "info", Format: "text"},
		Runtime: RuntimeConfig{GCPercent: DefaultGCPercent},
	}
}
