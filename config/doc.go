// Package config loads Tandem's configuration: embedded defaults, then a
// YAML file, then TANDEM_* environment variables, then validation.
//
// Config composes each package's own configuration type (b2bua.Config at the
// top level, natsapi.Config under nats) rather than redeclaring their keys:
// keys and environment variables are derived from the yaml tags by
// reflection, so a field added to one of those types is read from YAML and
// from the environment without a change here. tandem.example.yaml at the
// repository root shows every key with its default; a test loads it and
// checks it names every key, and another checks this comment does.
//
// # Keys
//
//	key                       default            environment variable
//	node                      tandem-1           TANDEM_NODE
//	sip.listen                127.0.0.1:5060     TANDEM_SIP_LISTEN
//	sip.udp                   true               TANDEM_SIP_UDP
//	sip.tcp                   true               TANDEM_SIP_TCP
//	sip.advertise             "" (= listen)      TANDEM_SIP_ADVERTISE
//	sip.udp_read_buffer       8388608            TANDEM_SIP_UDP_READ_BUFFER
//	sip.user_agent            Tandem             TANDEM_SIP_USER_AGENT
//	routes                    none               TANDEM_ROUTES (JSON list)
//	route_deadline            100ms              TANDEM_ROUTE_DEADLINE
//	no_answer_timeout         3m                 TANDEM_NO_ANSWER_TIMEOUT
//	max_redirects             3                  TANDEM_MAX_REDIRECTS
//	drain_timeout             30s                TANDEM_DRAIN_TIMEOUT
//	max_call_duration         4h                 TANDEM_MAX_CALL_DURATION
//	retry_after               30                 TANDEM_RETRY_AFTER
//	headers.allow             Subject, User-Agent, Alert-Info, Call-Info,
//	                          Priority, Organization, Accept-Language
//	                                             TANDEM_HEADERS_ALLOW (comma-separated)
//	nats.url                  "" (embedded)      TANDEM_NATS_URL
//	nats.credentials_file     ""                 TANDEM_NATS_CREDENTIALS_FILE
//	nats.embedded.host        127.0.0.1          TANDEM_NATS_EMBEDDED_HOST
//	nats.embedded.port        -1 (free port)     TANDEM_NATS_EMBEDDED_PORT
//	nats.embedded.data_dir    ./data/nats        TANDEM_NATS_EMBEDDED_DATA_DIR
//	nats.embedded.users       none               TANDEM_NATS_EMBEDDED_USERS (JSON list)
//	nats.stream_max_age       24h                TANDEM_NATS_STREAM_MAX_AGE
//	nats.stream_max_bytes     268435456          TANDEM_NATS_STREAM_MAX_BYTES
//	nats.stream_replicas      1                  TANDEM_NATS_STREAM_REPLICAS
//	nats.flush_timeout        5s                 TANDEM_NATS_FLUSH_TIMEOUT
//	nats.queue_size           65536              TANDEM_NATS_QUEUE_SIZE
//	nats.publish_timeout      5s                 TANDEM_NATS_PUBLISH_TIMEOUT
//	nats.decide_timeout       1s                 TANDEM_NATS_DECIDE_TIMEOUT
//	nats.command_timeout      5s                 TANDEM_NATS_COMMAND_TIMEOUT
//	nats.idempotency_ttl      5m                 TANDEM_NATS_IDEMPOTENCY_TTL
//	nats.idempotency_size     10000              TANDEM_NATS_IDEMPOTENCY_SIZE
//	plugins.health_interval   5s                 TANDEM_PLUGINS_HEALTH_INTERVAL
//	plugins.health_timeout    2s                 TANDEM_PLUGINS_HEALTH_TIMEOUT
//	plugins.start_timeout     10s                TANDEM_PLUGINS_START_TIMEOUT
//	plugins.stop_timeout      5s                 TANDEM_PLUGINS_STOP_TIMEOUT
//	plugins.restart_backoff   500ms              TANDEM_PLUGINS_RESTART_BACKOFF
//	plugins.restart_backoff_max 30s              TANDEM_PLUGINS_RESTART_BACKOFF_MAX
//	plugins.list              none               TANDEM_PLUGINS_LIST (JSON list)
//	http.listen               127.0.0.1:8080     TANDEM_HTTP_LISTEN ("" disables)
//	log.level                 info               TANDEM_LOG_LEVEL
//	log.format                text               TANDEM_LOG_FORMAT
//
// Each route is a mapping of name, user, host, target, reject and reason;
// see b2bua.Route. Each of nats.embedded.users is a mapping of user,
// password (or its bcrypt hash), publish and subscribe (subject lists;
// empty allows all); see natsapi.User. Configuring any user turns
// authentication on for the embedded server. Each of plugins.list is a
// mapping of name, kind (builtin or process), app (builtin), path, args
// and sha256 (process), config (any mapping, handed to the plugin as
// JSON), decisions (e.g. [route]), publish and subscribe (the plugin's
// grant besides its decisions; empty takes the defaults) and
// credentials_file (with an external nats.url); see host.PluginConfig.
// A process plugin turns authentication on for the embedded server, with
// a user per plugin made at start.
//
// # YAML
//
// A key the types do not declare is an error naming it and its line, with a
// suggestion when it looks like a typo; so is a repeated key. A section left
// empty (all its keys commented out) keeps its defaults; any other key
// given no value ("key:" alone) becomes empty or zero. Lists replace the
// default list, they do not extend it. Anchors, aliases and merge keys (<<)
// work. Durations are Go durations ("100ms", "30s", "24h"); a bare number is
// an error, not seconds.
//
// # Environment
//
// Each key that is not a section has a variable: TANDEM_ and the key path
// upper-cased with dots as underscores (nats.embedded.data_dir →
// TANDEM_NATS_EMBEDDED_DATA_DIR). A variable, even set to "", wins over the
// file. Lists of values are comma-separated (spaces around items are
// trimmed, empty items dropped); routes are a JSON list of objects keyed as
// in YAML. A TANDEM_* variable that names no key is an error, so that a typo
// is not silently ignored.
//
// # Errors
//
// Load and Validate report every problem at once, joined with errors.Join;
// each is an *Error whose message names the key path and, from Load, where
// the value came from:
//
//	config: tandem.yaml:4: sip.listen: "foo" is not host:port
//	config: TANDEM_ROUTE_DEADLINE: route_deadline: "abc" is not a duration (e.g. "100ms", "30s", "24h")
//	config: tandem.yaml:12: routes[2].user: invalid regexp: error parsing regexp: missing closing ): `^(9`
//	config: TANDEM_SIP_LISTN: unknown variable: no configuration key has this name (did you mean TANDEM_SIP_LISTEN?)
package config
