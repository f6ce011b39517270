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
//	refer_fallback            accept             TANDEM_REFER_FALLBACK (accept or reject)
//	refer_auth                false              TANDEM_REFER_AUTH
//	drain_timeout             30s                TANDEM_DRAIN_TIMEOUT
//	max_call_duration         4h                 TANDEM_MAX_CALL_DURATION
//	retry_after               30                 TANDEM_RETRY_AFTER
//	headers.allow             Subject, User-Agent, Alert-Info, Call-Info,
//	                          Priority, Organization, Accept-Language
//	                                             TANDEM_HEADERS_ALLOW (comma-separated)
//	registrar.enabled         true               TANDEM_REGISTRAR_ENABLED
//	registrar.domains         none (any domain)  TANDEM_REGISTRAR_DOMAINS (comma-separated)
//	registrar.default_expires 1h                 TANDEM_REGISTRAR_DEFAULT_EXPIRES
//	registrar.min_expires     1m                 TANDEM_REGISTRAR_MIN_EXPIRES
//	registrar.max_expires     2h                 TANDEM_REGISTRAR_MAX_EXPIRES
//	registrar.max_contacts    10                 TANDEM_REGISTRAR_MAX_CONTACTS
//	registrar.store           memory             TANDEM_REGISTRAR_STORE (memory or jetstream)
//	registrar.bucket          tandem_bindings    TANDEM_REGISTRAR_BUCKET
//	registrar.replicas        1                  TANDEM_REGISTRAR_REPLICAS
//	registrar.fork            parallel           TANDEM_REGISTRAR_FORK (parallel or sequential)
//	registrar.auth.required   true               TANDEM_REGISTRAR_AUTH_REQUIRED
//	registrar.auth.realm      "" (see below)     TANDEM_REGISTRAR_AUTH_REALM
//	registrar.auth.algorithms SHA-256, MD5       TANDEM_REGISTRAR_AUTH_ALGORITHMS (comma-separated)
//	registrar.auth.users      none               TANDEM_REGISTRAR_AUTH_USERS (JSON list)
//	registrar.auth.users_file ""                 TANDEM_REGISTRAR_AUTH_USERS_FILE
//	registrar.auth.nonce_ttl  5m                 TANDEM_REGISTRAR_AUTH_NONCE_TTL
//	registrar.auth.nonce_counts 100000           TANDEM_REGISTRAR_AUTH_NONCE_COUNTS
//	registrar.auth.fail_burst 10                 TANDEM_REGISTRAR_AUTH_FAIL_BURST
//	registrar.auth.fail_interval 6s              TANDEM_REGISTRAR_AUTH_FAIL_INTERVAL
//	registrar.auth.max_sources 100000            TANDEM_REGISTRAR_AUTH_MAX_SOURCES
//	registrar.watchers        none               TANDEM_REGISTRAR_WATCHERS (JSON list)
//	gruu.key                  "" (random)        TANDEM_GRUU_KEY
//	gruu.previous_keys        none               TANDEM_GRUU_PREVIOUS_KEYS (comma-separated)
//	mixer.workers             0 (= GOMAXPROCS)   TANDEM_MIXER_WORKERS
//	mixer.phases              10                 TANDEM_MIXER_PHASES
//	mixer.late_after          5ms                TANDEM_MIXER_LATE_AFTER
//	mixer.max_participants    200                TANDEM_MIXER_MAX_PARTICIPANTS
//	mixer.input_queue         16                 TANDEM_MIXER_INPUT_QUEUE
//	mixer.jitter_delay        2                  TANDEM_MIXER_JITTER_DELAY
//	mixer.jitter_max          8                  TANDEM_MIXER_JITTER_MAX
//	mixer.conceal_frames      3                  TANDEM_MIXER_CONCEAL_FRAMES
//	mixer.conceal_step_db     6                  TANDEM_MIXER_CONCEAL_STEP_DB
//	mixer.ssrc_switch_after   4                  TANDEM_MIXER_SSRC_SWITCH_AFTER
//	mixer.talk.start_dbov     -40                TANDEM_MIXER_TALK_START_DBOV
//	mixer.talk.stop_dbov      -46                TANDEM_MIXER_TALK_STOP_DBOV
//	mixer.talk.attack         40ms               TANDEM_MIXER_TALK_ATTACK
//	mixer.talk.hold           600ms              TANDEM_MIXER_TALK_HOLD
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
//	runtime.gc_percent        400                TANDEM_RUNTIME_GC_PERCENT (GOGC, if set, wins)
//	runtime.memory_limit_mib  0 (none)           TANDEM_RUNTIME_MEMORY_LIMIT_MIB (GOMEMLIMIT, if set, wins)
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
// a user per plugin made at start. The built-in apps (kind builtin, app or
// name) are prefixrouter (config: prefixes; decisions: [route]),
// transfer, the transfer policy (config: deny, allow, rewrite,
// require_same_domain, max_transfers_per_call; decisions: [refer]; see
// package apps/transfer), and conference, the conferencing app (config:
// domain, rooms (uri, pin, moderator_pin, max_participants, record),
// record_dir, pin_attempts, pin_timeout, adhoc (prefix, lease_ttl,
// max_lease_ttl, max_rooms, max_participants); decisions: [route,
// subscribe]; see package apps/conference).
//
// The built-in app rcc is the REST gateway for controllers that do not
// speak NATS (config: listen, default 127.0.0.1:8089; command_timeout;
// heartbeat; tokens, each a mapping of name, token or token_env or
// token_file, permissions and answer_mode; no decisions; see package
// apps/rcc). The built-in app dialog-event serves the dialog event package
// (RFC 4235; config: watchers, a mapping of AOR or "*" to the subscriber
// URIs allowed to watch it or "*", and max_expires; decisions:
// [subscribe]; see package apps/rcc/dialogevent).
//
// The registrar (registrar.*) takes REGISTER and serves the location service
// and the reg event; off, REGISTER is answered 405. Expiries are whole
// seconds with min_expires <= default_expires <= max_expires; max_contacts
// is 1-32. The jetstream store keeps bindings in the KV bucket
// registrar.bucket, shared by every node of the NATS cluster and kept
// across restarts; memory keeps them in this node only. registrar.fork
// rings an AOR's contacts all at once (parallel) or one at a time by q
// (sequential). registrar.auth.realm empty means the first of
// registrar.domains, or tandem. With registrar.auth.required true (the
// default) and no users, neither in registrar.auth.users nor in
// registrar.auth.users_file, nobody can register; with it false anyone may
// register any AOR of the domains (lab use only). Each of
// registrar.auth.users is a mapping of user, password or ha1 (hex MD5 of
// user:realm:password) and/or ha1_sha256 (hex SHA-256 of it), and aors (the
// AORs the user may register and watch; empty means sip:<user>@<domain>
// for each of the domains). registrar.auth.users_file has one account a
// line, "user:password" or htdigest's "user:realm:HA1" (32 hex digits: MD5,
// 64: SHA-256), # starting a comment. Each of registrar.watchers is a
// mapping of aor ("*" for any) and users, who may subscribe to that AOR's
// reg event besides its owner. Failed authentications are limited per
// source address: fail_burst, then one per fail_interval, for at most
// max_sources addresses.
//
// gruu.key is the key the core's GRUUs and the registrar's temp-gruus are
// sealed with and its digest nonces derived from: 64 hex digits or base64
// of 32 bytes (openssl rand -hex 32). Empty makes a random key at each
// start, so GRUUs do not survive a restart and other nodes cannot open
// them; with several nodes set the same key on every node. To rotate it,
// move the old key to gruu.previous_keys, which still opens tokens, and
// remove it once the GRUUs it sealed have lapsed. The keys are secrets and
// never logged.
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
// trimmed, empty items dropped); lists of mappings (routes,
// nats.embedded.users, plugins.list, registrar.auth.users,
// registrar.watchers) are a JSON list of objects keyed as in YAML. A
// TANDEM_* variable that names no key is an error, so that a typo is not
// silently ignored.
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
