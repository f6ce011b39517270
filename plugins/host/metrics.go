package host

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the host's Prometheus metrics.
type metrics struct {
	up       *prometheus.GaugeVec
	restarts *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tandem_plugin_up",
			Help: "1 while the plugin runs (started and healthy), 0 otherwise.",
		}, []string{"plugin"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_plugin_restarts_total",
			Help: "Launches of the plugin after its first (after it died, failed its health check or failed to start).",
		}, []string{"plugin"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.up, m.restarts} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("host: metrics: %w", err)
		}
	}
	return m, nil
}
