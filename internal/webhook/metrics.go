package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the webhook delivery metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	deliveries *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	depth      prometheus.Gauge
	oldest     prometheus.Gauge
}

// NewMetrics registers the webhook metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "verdant_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome: delivered, retry (failed, to be tried again) or failed (given up), counted per event.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "verdant_webhook_attempt_duration_seconds",
			Help:    "Time from sending a webhook POST to the end of the receiver's answer, by error class (none when acknowledged).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30},
		}, []string{"class"}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "verdant_webhook_queue_depth",
			Help: "Webhook deliveries pending (due now, later, or in flight), all nodes.",
		}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "verdant_webhook_oldest_undelivered_seconds",
			Help: "Age of the event of the oldest pending webhook delivery (0 when none).",
		}),
	}
	reg.MustRegister(m.deliveries, m.latency, m.depth, m.oldest)
	return m
}

func (m *Metrics) attempt(a Attempt, status string, events int) {
	if m == nil {
		return
	}
	class := a.ErrorClass
	if class == "" {
		class = "none"
	}
	m.latency.WithLabelValues(class).Observe(a.Latency.Seconds())
	outcome := status
	if status == Pending {
		outcome = "retry"
	}
	m.deliveries.WithLabelValues(outcome).Add(float64(events))
}

func (m *Metrics) backlog(n int, oldest, now time.Time) {
	if m == nil {
		return
	}
	m.depth.Set(float64(n))
	age := 0.0
	if n > 0 && !oldest.IsZero() {
		age = max(now.Sub(oldest).Seconds(), 0)
	}
	m.oldest.Set(age)
}
