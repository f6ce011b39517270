package main

import (
	"fmt"
	"path/filepath"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// startTandem runs bin with a configuration in dir: SIP on UDP sipPort,
// HTTP on httpPort, embedded NATS (no authentication: no process plugins)
// on 127.0.0.1:natsPort with JetStream under dir, no routes (originated
// calls go to the URIs in the command), and extra (more top-level YAML,
// e.g. a plugins section) appended; it returns once /readyz answers.
func startTandem(bin, dir string, sipPort, httpPort, natsPort int, extra string) (*loadkit.Tandem, error) {
	conf := fmt.Sprintf(`node: origload
sip: {listen: "127.0.0.1:%d", udp: true, tcp: false}
drain_timeout: 5s
nats: {embedded: {host: 127.0.0.1, port: %d, data_dir: "%s"}}
http: {listen: "127.0.0.1:%d"}
log: {level: warn, format: text}
`, sipPort, natsPort, filepath.Join(dir, "nats"), httpPort) + extra
	return loadkit.StartTandem(bin, dir, conf, httpPort)
}
