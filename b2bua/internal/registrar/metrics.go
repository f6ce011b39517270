package registrar

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the registrar's Prometheus series.
type metrics struct {
	requests     *prometheus.CounterVec // REGISTER answered, by code
	authFailures *prometheus.CounterVec // failed authentication attempts, by reason
	throttled    prometheus.Counter     // requests refused because their source failed too often
	expired      prometheus.Counter     // bindings removed by expiry
	minted       *prometheus.CounterVec // GRUUs handed out, by kind
	bindings     prometheus.GaugeFunc   // bindings known to this node
}

func newMetrics(reg prometheus.Registerer, bindings func() int) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_registrar_requests_total", Help: "REGISTER requests answered by the registrar, by status code.",
		}, []string{"code"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_registrar_auth_failures_total",
			Help: "Failed digest authentication attempts, by reason (malformed, unknown_user, algorithm, qop, nonce, uri, response, replay).",
		}, []string{"reason"}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_registrar_auth_throttled_total", Help: "Requests refused with 403 because their source address failed authentication too often.",
		}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_registrar_bindings_expired_total", Help: "Bindings removed because they expired.",
		}),
		minted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_registrar_gruus_minted_total", Help: "GRUUs handed out in REGISTER responses, by kind (pub, temp).",
		}, []string{"kind"}),
		bindings: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_registrar_bindings", Help: "Bindings known to this node.",
		}, func() float64 { return float64(bindings()) }),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.requests, m.authFailures, m.throttled, m.expired, m.minted, m.bindings} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}
