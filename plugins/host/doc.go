// Package host runs Tandem's plugins: the ones its configuration lists
// under plugins.list, built-in apps in-process and executables as
// supervised child processes, each with the NATS permissions its
// configuration grants, and nothing more.
//
// # Kinds
//
// A builtin plugin runs an sdk.Plugin from the server's Registry (declared
// once, in cmd/tandem/server) in the server's process, on an in-process
// NATS connection of its own. A process plugin is an executable built with
// sdk.Serve: the host launches it with go-plugin over gRPC with AutoMTLS
// (a one-time certificate pair per launch, so only this host can talk to
// it), checks its SHA-256 first when one is configured (go-plugin's
// SecureConfig), and hands it, over that channel, its name, configuration
// (JSON), the NATS URL and its credentials. The plugin then talks to the
// core only over NATS; the gRPC channel only starts, watches and stops it.
//
// # Grants and authentication
//
// As soon as one process plugin is configured, New makes a Grant for every
// plugin: a NATS user "plugin-<name>" with a random password, allowed to
// publish to its publish list (default DefaultPublish: every command), to
// subscribe to its subscribe list (default DefaultSubscribe: every event),
// to the subjects of the decisions it answers and to its own reply inbox
// ("_INBOX_<name>.>"), and to reply once to each request it receives.
// With the default subscribe list it may also read the events stream
// (StreamRead: single messages and the stream's description, nothing that
// creates or changes anything), which the SDK does to catch up on events a
// subscription missed; a plugin with a subscribe list of its own may not,
// as the stream would show it every event. The server gives Users to the
// embedded NATS server, which then refuses anonymous clients; the core
// keeps full access as its internal user. A built-in connects with its
// grant too, so it has exactly the power a process would. With an external
// NATS (nats.url) the host makes no users: a plugin connects with its
// credentials_file.
//
// # Supervision
//
// Each plugin has a supervisor goroutine that owns it: it launches the
// plugin (Config.StartTimeout bounds the launch, the handshake, the NATS
// connection and the plugin's Start), then waits. A process plugin keeps a
// gRPC Wait call open, which fails the moment the process dies; a built-in
// fails when its sdk.Instance does. Every Config.HealthInterval the host
// pings the plugin (go-plugin's Ping for a process, a NATS round trip for a
// built-in); a ping that fails or takes longer than Config.HealthTimeout
// (a hung process) has the process killed. A plugin that died, was killed
// or failed to start is launched again after a back-off: RestartBackoff,
// doubled each attempt up to RestartBackoffMax, each wait drawn from the
// upper half of its step (jitter); a plugin that stayed up for
// RestartBackoffMax starts over from RestartBackoff. Plugins never stop the
// server: a plugin that does not start is logged and retried.
//
// While a plugin is down the core gets no answer to its decisions and falls
// back to its configuration at its deadline; calls never wait on a plugin
// longer than that. An answer that is not valid JSON or not a valid
// decision is rejected and logged by the core (natsapi); the SDK does not
// even send an invalid answer.
//
// # Events and metrics
//
// The host publishes the plugin events of package events on
// events.PluginEventSubject (under events.EventPrefix, so the events stream
// keeps them): events.PluginStartedV1 when a plugin is first up,
// events.PluginDownV1 (with the reason, events.PluginExited or
// events.PluginUnhealthy) when it goes down, events.PluginRestartedV1 when
// it is up again. Its metrics, registered with WithRegisterer, are
// tandem_plugin_up{plugin} (1 while up) and
// tandem_plugin_restarts_total{plugin} (every launch after the first).
// Status reports each plugin's state, process id and last error. A process
// plugin's stderr (the SDK writes JSON log lines) is logged by the host's
// logger under the plugin's name.
//
// # Lifecycle
//
// New checks the configuration and makes the grants; it must run before
// the NATS server starts. Start launches every plugin and returns once each
// has had a first try. Shutdown asks each plugin to stop (Config.StopTimeout,
// then its process is killed) and waits for them. On Linux a plugin
// process is also killed by the kernel if the server dies.
package host
