package main

import (
	"fmt"
	"path/filepath"

	"github.com/tandem-sip/tandem/test/load/internal/loadkit"
)

// startTandem runs bin with a configuration in dir: SIP on UDP sipPort,
// HTTP on httpPort, routes b -> bPort and c -> cPort, embedded NATS with
// JetStream under dir; it returns once /readyz answers.
func startTandem(bin, dir string, sipPort, httpPort, bPort, cPort int) (*loadkit.Tandem, error) {
	conf := fmt.Sprintf(`node: xferload
sip: {listen: "127.0.0.1:%d", udp: true, tcp: false}
routes:
  - {name: to-b, user: "^b$", target: "sip:b@127.0.0.1:%d"}
  - {name: to-c, user: "^c$", target: "sip:c@127.0.0.1:%d"}
drain_timeout: 5s
nats: {embedded: {port: -1, data_dir: "%s"}}
http: {listen: "127.0.0.1:%d"}
log: {level: warn, format: text}
`, sipPort, bPort, cPort, filepath.Join(dir, "nats"), httpPort)
	return loadkit.StartTandem(bin, dir, conf, httpPort)
}
