package b2bua

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the core's Prometheus series.
type metrics struct {
	calls      *prometheus.CounterVec // by outcome
	setup      prometheus.Histogram   // INVITE in to 200 out, seconds
	requests   *prometheus.CounterVec // SIP requests received, by method
	rejected   *prometheus.CounterVec // requests answered with an error by the core itself, by code
	routed     *prometheus.CounterVec // routing decisions, by who decided
	midcall    *prometheus.CounterVec // in-dialog failures, by scope
	retransmit prometheus.Counter     // 2xx retransmissions towards a party that did not ACK
	stray      *prometheus.CounterVec // responses matching no transaction, by action
	duration   prometheus.Histogram   // connected call duration, seconds
	glare      prometheus.Counter
	malformed  prometheus.Counter   // 491 received and retried
	active     prometheus.GaugeFunc // calls in progress

	transfers    *prometheus.CounterVec // REFERs by outcome (refused, accepted, completed, failed)
	transferTime prometheus.Histogram   // REFER to the transferee's bridge, seconds
	notifyFailed prometheus.Counter     // refer NOTIFYs that failed (they end nothing)
	late18x      prometheus.Counter     // 18x sipgo dropped behind their 2xx, acted on anyway
}

func newMetrics(reg prometheus.Registerer, active func() int64) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_calls_total", Help: "Calls ended, by outcome (connected, rejected, cancelled, failed, timeout).",
		}, []string{"outcome"}),
		setup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tandem_call_setup_seconds", Help: "Time from the caller's INVITE to the 200 OK sent to it.",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_sip_requests_total", Help: "SIP requests received, by method.",
		}, []string{"method"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_sip_rejected_total", Help: "Requests the core itself answered with a failure, by code.",
		}, []string{"code"}),
		routed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_route_decisions_total", Help: "Routing decisions, by who decided (plugin, config, default).",
		}, []string{"by"}),
		midcall: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_indialog_failures_total", Help: "Failures of in-dialog requests, by RFC 5057 scope.",
		}, []string{"scope"}),
		retransmit: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_2xx_retransmissions_total", Help: "2xx retransmissions sent while waiting for an ACK.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tandem_call_duration_seconds", Help: "Duration of connected calls.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
		stray: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_sip_stray_responses_total", Help: "Responses that match no transaction, by action: ack_resent (a 2xx retransmitted after its INVITE transaction ended), dropped.",
		}, []string{"action"}),
		glare: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_glare_retries_total", Help: "re-INVITEs retried after 491 Request Pending.",
		}),
		malformed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_sip_malformed_total", Help: "Datagrams rejected or dropped because they do not parse or lack what SIP requires.",
		}),
		transfers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_transfers_total", Help: "Transfers (REFER), by outcome: refused, accepted, completed, failed.",
		}, []string{"outcome"}),
		transferTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tandem_transfer_seconds", Help: "Time from an accepted REFER to the transferee's bridge to the target.",
			Buckets: []float64{.005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		notifyFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_refer_notify_failures_total", Help: "Refer NOTIFYs refused or unanswered (the call goes on).",
		}),
		late18x: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_late_provisional_total", Help: "18x responses read before their 2xx but delivered after it by sipgo, relayed anyway.",
		}),
		active: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_calls_active", Help: "Calls in progress.",
		}, func() float64 { return float64(active()) }),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.calls, m.setup, m.requests, m.rejected, m.routed, m.midcall,
		m.retransmit, m.stray, m.duration, m.glare, m.malformed, m.active, m.transfers, m.transferTime, m.notifyFailed, m.late18x} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}
