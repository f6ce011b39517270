package natsapi

import "time"

// Config is the NATS side of the core.
type Config struct {
	// URL of an external NATS server or cluster. Empty starts the embedded
	// server.
	URL string `yaml:"url"`
	// Embedded configures the embedded server (used when URL is empty).
	Embedded EmbeddedConfig `yaml:"embedded"`
	// StreamMaxAge is how long the events stream keeps an event.
	StreamMaxAge time.Duration `yaml:"stream_max_age"`
	// FlushTimeout bounds the wait for event publish acks at shutdown.
	FlushTimeout time.Duration `yaml:"flush_timeout"`
}

// EmbeddedConfig configures the in-process NATS server.
type EmbeddedConfig struct {
	// Host and Port the embedded server listens on; Port -1 picks a free one,
	// 0 is the NATS default 4222.
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// DataDir holds JetStream's files.
	DataDir string `yaml:"data_dir"`
}

// Defaults returns the embedded configuration.
func Defaults() Config {
	return Config{
		Embedded: EmbeddedConfig{
			Host:    "127.0.0.1",
			Port:    -1,
			DataDir: "./data/nats",
		},
		StreamMaxAge: 24 * time.Hour,
		FlushTimeout: 5 * time.Second,
	}
}
