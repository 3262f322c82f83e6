package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/verdant-baas/verdant/internal/outbox"
)

// DBPools is what the database-pool collector reads at scrape time:
// database/sql statistics by pool name (storage.DB implements it).
type DBPools interface {
	PoolStats() map[string]sql.DBStats
}

// OutboxCounter is what the outbox collector reads at scrape time: the
// delivery backlog (storage.Store implements it).
type OutboxCounter interface {
	Depth(ctx context.Context) (outbox.Depth, error)
}

// registerCollectors adds the Go runtime, process, database-pool and
// outbox-depth collectors to reg. A collector already registered (a
// registry shared by two servers in one process) is kept.
func (s *Server) registerCollectors(reg *prometheus.Registry) {
	cs := []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	if s.Pools != nil {
		cs = append(cs, poolCollector{pools: s.Pools})
	}
	if s.OutboxDepth != nil {
		cs = append(cs, outboxCollector{depth: s.OutboxDepth, now: s.now})
	}
	for _, c := range cs {
		var dup prometheus.AlreadyRegisteredError
		if err := reg.Register(c); err != nil && !errors.As(err, &dup) {
			panic(err)
		}
	}
}

// poolMetric is one family of the database-pool collector.
type poolMetric struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(sql.DBStats) float64
}

// poolMetrics carries the names and labels of client_golang's own
// collectors.NewDBStatsCollector, so dashboards built for it work; that
// collector needs the *sql.DB itself, which the storage layer keeps to
// itself.
var poolMetrics = []poolMetric{
	poolGauge("max_open_connections", "Maximum number of open connections to the database.",
		func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
	poolGauge("open_connections", "The number of established connections both in use and idle.",
		func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
	poolGauge("in_use_connections", "The number of connections currently in use.",
		func(s sql.DBStats) float64 { return float64(s.InUse) }),
	poolGauge("idle_connections", "The number of idle connections.",
		func(s sql.DBStats) float64 { return float64(s.Idle) }),
	poolCounter("wait_count_total", "The total number of connections waited for.",
		func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
	poolCounter("wait_duration_seconds_total", "The total time blocked waiting for a new connection.",
		func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	poolCounter("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.",
		func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) }),
	poolCounter("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.",
		func(s sql.DBStats) float64 { return float64(s.MaxIdleTimeClosed) }),
	poolCounter("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.",
		func(s sql.DBStats) float64 { return float64(s.MaxLifetimeClosed) }),
}

func poolGauge(name, help string, v func(sql.DBStats) float64) poolMetric {
	return poolMetric{desc: poolDesc(name, help), typ: prometheus.GaugeValue, value: v}
}

func poolCounter(name, help string, v func(sql.DBStats) float64) poolMetric {
	return poolMetric{desc: poolDesc(name, help), typ: prometheus.CounterValue, value: v}
}

func poolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("go_sql_"+name, help, []string{"db_name"}, nil)
}

// poolCollector reports each database pool's statistics at scrape time.
type poolCollector struct{ pools DBPools }

// Describe implements prometheus.Collector.
func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range poolMetrics {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector.
func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, st := range c.pools.PoolStats() {
		for _, m := range poolMetrics {
			ch <- prometheus.MustNewConstMetric(m.desc, m.typ, m.value(st), name)
		}
	}
}

var (
	outboxPendingDesc = prometheus.NewDesc("verdant_outbox_pending",
		"Outbox messages not yet delivered and still retried.", nil, nil)
	outboxDeadDesc = prometheus.NewDesc("verdant_outbox_dead",
		"Outbox messages whose delivery stopped retrying and waits for an operator.", nil, nil)
	outboxAgeDesc = prometheus.NewDesc("verdant_outbox_oldest_pending_age_seconds",
		"Age of the oldest pending outbox message (0 when none is pending).", nil, nil)
)

// outboxScrapeTimeout bounds the outbox query of one scrape, so a slow
// database does not hold the scrape past the scraper's own timeout.
const outboxScrapeTimeout = 2 * time.Second

// outboxCollector reports the outbox backlog, queried at scrape time: a
// count kept in memory would be one node's view, and several nodes share
// one outbox.
type outboxCollector struct {
	depth OutboxCounter
	now   func() time.Time
}

// Describe implements prometheus.Collector.
func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPendingDesc
	ch <- outboxDeadDesc
	ch <- outboxAgeDesc
}

// Collect implements prometheus.Collector. When the database does not
// answer, the families are reported invalid and the rest of the scrape is
// still served.
func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxScrapeTimeout)
	defer cancel()
	d, err := c.depth.Depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPendingDesc, fmt.Errorf("outbox depth: %w", err))
		return
	}
	age := 0.0
	if !d.OldestPending.IsZero() {
		age = max(c.now().Sub(d.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(d.Pending))
	ch <- prometheus.MustNewConstMetric(outboxDeadDesc, prometheus.GaugeValue, float64(d.Dead))
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}

// promLog sends promhttp's scrape errors to the server's log.
type promLog struct{ s *Server }

// Println implements promhttp.Logger.
func (l promLog) Println(v ...any) { l.s.Log.Warn("metrics scrape", "error", fmt.Sprint(v...)) }
