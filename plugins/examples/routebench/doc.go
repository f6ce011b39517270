// Command routebench measures the round trip of Tandem's routing decision
// through a plugin: the core's own request (natsapi's Route, as the core
// calls it for every new INVITE) to the prefix router and back, decoded and
// validated, with the plugin run in-process (a built-in) and as a process
// launched by the plugin host over go-plugin (with NATS authentication on,
// as in production). Requests go out at a fixed rate (open loop: a slow
// answer does not delay the next request) for a fixed time after a
// warm-up, each with the core's default deadline of 100 ms; it prints the
// latency percentiles of each mode.
//
//	go run ./plugins/examples/routebench -rate 500 -duration 10s
//
// The process mode builds plugins/examples/prefixrouter with go build
// unless -plugin names a built binary.
package main
