package natsapi

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons of the dropped-events counter.
const (
	dropQueueFull = "queue_full" // the publish queue was full
	dropClosed    = "closed"     // Publish after Close
	dropEncode    = "encode"     // the event did not marshal to JSON
	dropRejected  = "rejected"   // JetStream refused it for good
	dropShutdown  = "shutdown"   // still queued when Close gave up waiting
)

// Outcomes of the decisions counter.
const (
	outcomeAnswered     = "answered"
	outcomeTimeout      = "timeout"
	outcomeNoResponders = "no_responders"
	outcomeInvalid      = "invalid"
	outcomeError        = "error" // the connection failed or ctx was cancelled
)

// metrics are the package's Prometheus collectors.
type metrics struct {
	published     prometheus.Counter
	dropped       *prometheus.CounterVec // by reason
	retries       prometheus.Counter
	queued        prometheus.Gauge
	decisions     *prometheus.CounterVec // by decision and outcome
	decideLatency *prometheus.HistogramVec
	// invalidAnswers counts answers rejected as invalid, by decision (one
	// request may get several).
	invalidAnswers *prometheus.CounterVec
	commands       *prometheus.CounterVec // by verb and result
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "events_published_total",
			Help: "Events acknowledged by JetStream.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "events_dropped_total",
			Help: "Events never published, by reason.",
		}, []string{"reason"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "event_publish_retries_total",
			Help: "Event publishes repeated after a failure or a missing ack.",
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "events_queued",
			Help: "Events waiting in the publish queue.",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "decisions_total",
			Help: "Decision requests, by decision and outcome (answered, timeout, no_responders, invalid, error).",
		}, []string{"decision", "outcome"}),
		decideLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "decision_latency_seconds",
			Help:    "Time from a decision request to its answer or failure.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 13), // 0.5 ms .. 2 s
		}, []string{"decision"}),
		invalidAnswers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "decision_invalid_answers_total",
			Help: "Answers to decision requests rejected as undecodable or invalid, by decision.",
		}, []string{"decision"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "tandem", Subsystem: "nats", Name: "commands_total",
			Help: "Commands served, by verb and result (ok, replayed or an error name).",
		}, []string{"verb", "result"}),
	}
	for _, r := range []string{dropQueueFull, dropClosed, dropEncode, dropRejected, dropShutdown} {
		m.dropped.WithLabelValues(r)
	}
	for _, d := range decisionNames {
		for _, o := range []string{outcomeAnswered, outcomeTimeout, outcomeNoResponders, outcomeInvalid, outcomeError} {
			m.decisions.WithLabelValues(d, o)
		}
		m.invalidAnswers.WithLabelValues(d)
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.published = register(reg, m.published, &err)
	m.dropped = register(reg, m.dropped, &err)
	m.retries = register(reg, m.retries, &err)
	m.queued = register(reg, m.queued, &err)
	m.decisions = register(reg, m.decisions, &err)
	m.decideLatency = register(reg, m.decideLatency, &err)
	m.invalidAnswers = register(reg, m.invalidAnswers, &err)
	m.commands = register(reg, m.commands, &err)
	if err != nil {
		return nil, fmt.Errorf("natsapi: metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name (a second API in the same process shares the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C, errp *error) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	*errp = errors.Join(*errp, err)
	return c
}
