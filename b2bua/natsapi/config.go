package natsapi

import "time"

// Config is the NATS side of the core.
type Config struct {
	// URL of an external NATS server or cluster. Empty starts the embedded
	// server.
	URL string `yaml:"url"`
	// CredentialsFile is a NATS credentials (JWT + seed) file used with URL.
	// Its content is never logged.
	CredentialsFile string `yaml:"credentials_file"`
	// Embedded configures the embedded server (used when URL is empty).
	Embedded EmbeddedConfig `yaml:"embedded"`
	// StreamMaxAge is how long the events stream keeps an event.
	StreamMaxAge time.Duration `yaml:"stream_max_age"`
	// StreamMaxBytes bounds the events stream's size; the oldest events go
	// first. Every call adds its own subjects, and JetStream keeps an index
	// entry per subject while its events are kept, so this also bounds the
	// server's memory.
	StreamMaxBytes int64 `yaml:"stream_max_bytes"`
	// StreamReplicas is the number of copies of the events stream kept by a
	// JetStream cluster (1 with the embedded server).
	StreamReplicas int `yaml:"stream_replicas"`
	// FlushTimeout bounds the wait for event publish acks at shutdown.
	FlushTimeout time.Duration `yaml:"flush_timeout"`
	// QueueSize is how many events may wait for publishing; beyond it
	// Publish drops events (and counts them) rather than block a call.
	QueueSize int `yaml:"queue_size"`
	// PublishTimeout is how long one event waits for its JetStream ack
	// before it is published again (deduplicated by its id).
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	// DecideTimeout bounds a decision request whose context carries no
	// deadline of its own.
	DecideTimeout time.Duration `yaml:"decide_timeout"`
	// CommandTimeout bounds the core's work for one command.
	CommandTimeout time.Duration `yaml:"command_timeout"`
	// IdempotencyTTL is how long a command reply is remembered by its
	// request_id; IdempotencySize bounds how many are remembered.
	IdempotencyTTL  time.Duration `yaml:"idempotency_ttl"`
	IdempotencySize int           `yaml:"idempotency_size"`
}

// EmbeddedConfig configures the in-process NATS server.
type EmbeddedConfig struct {
	// Host and Port the embedded server listens on; Port -1 picks a free one,
	// 0 is the NATS default 4222.
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// DataDir holds JetStream's files.
	DataDir string `yaml:"data_dir"`
	// Users, when not empty, turn authentication on: only these users (and
	// InternalUser, the core's own) can connect, each to its subjects. The
	// server adds a user per plugin when a process plugin is configured.
	Users []User `yaml:"users"`
}

// Defaults returns the embedded configuration.
func Defaults() Config {
	return Config{
		Embedded: EmbeddedConfig{
			Host:    "127.0.0.1",
			Port:    -1,
			DataDir: "./data/nats",
		},
		StreamMaxAge:    24 * time.Hour,
		StreamMaxBytes:  256 << 20,
		StreamReplicas:  1,
		FlushTimeout:    5 * time.Second,
		QueueSize:       65536,
		PublishTimeout:  5 * time.Second,
		DecideTimeout:   time.Second,
		CommandTimeout:  5 * time.Second,
		IdempotencyTTL:  5 * time.Minute,
		IdempotencySize: 10000,
	}
}

// withDefaults fills zero (or negative) values with those of Defaults, so a
// Config written before a field existed keeps working.
func (c Config) withDefaults() Config {
	d := Defaults()
	if c.StreamMaxAge <= 0 {
		c.StreamMaxAge = d.StreamMaxAge
	}
	if c.StreamMaxBytes <= 0 {
		c.StreamMaxBytes = d.StreamMaxBytes
	}
	if c.StreamReplicas <= 0 {
		c.StreamReplicas = d.StreamReplicas
	}
	if c.FlushTimeout <= 0 {
		c.FlushTimeout = d.FlushTimeout
	}
	if c.QueueSize <= 0 {
		c.QueueSize = d.QueueSize
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = d.PublishTimeout
	}
	if c.DecideTimeout <= 0 {
		c.DecideTimeout = d.DecideTimeout
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = d.CommandTimeout
	}
	if c.IdempotencyTTL <= 0 {
		c.IdempotencyTTL = d.IdempotencyTTL
	}
	if c.IdempotencySize <= 0 {
		c.IdempotencySize = d.IdempotencySize
	}
	if c.Embedded.Host == "" {
		c.Embedded.Host = d.Embedded.Host
	}
	if c.URL == "" && c.Embedded.DataDir == "" {
		c.Embedded.DataDir = d.Embedded.DataDir
	}
	return c
}
