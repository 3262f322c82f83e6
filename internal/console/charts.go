package console

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/money"
)

// chartDays is the overview charts' window, ending today (UTC).
const chartDays = 30

// chartTTL is how long a node reuses its charts: they are a picture of a
// month, not a queue, and reading a month of adjustments on every
// overview would cost in proportion to the month's volume.
const chartTTL = 5 * time.Minute

// bar is one day's bar, in the SVG's 300x100 box.
type bar struct {
	X, Y, W, H float64
	Label      string
}

// chartRow is one day in the chart's table (for screen readers and for
// exact figures).
type chartRow struct{ Day, Value string }

// chart is a small bar chart drawn on the server as SVG.
type chart struct {
	ID, Title, Total string
	Bars             []bar
	Rows             []chartRow
}

// chartCache keeps a node's charts for chartTTL.
type chartCache struct {
	mu     sync.Mutex
	at     time.Time
	charts []chart
}

func (c *Console) charts(ctx context.Context) ([]chart, error) {
	c.chartCache.mu.Lock()
	defer c.chartCache.mu.Unlock()
	now := c.Now().UTC()
	if c.chartCache.charts != nil && now.Sub(c.chartCache.at) < chartTTL {
		return c.chartCache.charts, nil
	}
	first := now.Truncate(24*time.Hour).AddDate(0, 0, -(chartDays - 1))
	daily, err := c.Store.Daily(ctx, first)
	if err != nil {
		return nil, err
	}
	series := func(f func(*backoffice.Day) money.Sum) []money.Sum {
		out := make([]money.Sum, chartDays)
		for i := range out {
			if d := daily[first.AddDate(0, 0, i)]; d != nil {
				out[i] = f(d)
			}
		}
		return out
	}
	n := func(v int) money.Sum { return money.SumOf(int64(v)) }
	count := money.Sum.String
	c.chartCache.charts = []chart{
		drawChart("adjustments", "Adjustments per day", first, series(func(d *backoffice.Day) money.Sum { return n(d.Adjustments) }), count),
		drawChart("amounts", "Amount adjusted per day", first, series(func(d *backoffice.Day) money.Sum { return d.Amount }), money.Sum.Format),
		drawChart("opened", "Cases opened per day", first, series(func(d *backoffice.Day) money.Sum { return n(d.Opened) }), count),
		drawChart("closed", "Cases resolved or closed per day", first, series(func(d *backoffice.Day) money.Sum { return n(d.Closed) }), count),
		drawChart("hits", "OFAC screening hits per day", first, series(func(d *backoffice.Day) money.Sum { return n(d.Hits) }), count),
	}
	c.chartCache.at = now
	return c.chartCache.charts, nil
}

// drawChart lays out one bar per day, scaled to the largest. Values are
// money.Sums: a day's amount may exceed int64.
func drawChart(id, title string, first time.Time, vals []money.Sum, format func(money.Sum) string) chart {
	ch := chart{ID: id, Title: title}
	var peak, total money.Sum
	for _, v := range vals {
		if v.Cmp(peak) > 0 {
			peak = v
		}
		total = total.Plus(v)
	}
	ch.Total = format(total)
	w := 300.0 / float64(len(vals))
	top := float(peak)
	for i, v := range vals {
		day := first.AddDate(0, 0, i).Format("Jan 2")
		h := 0.0
		if top > 0 {
			h = 96 * float(v) / top
		}
		if v.Cmp(money.Sum{}) > 0 && h < 1 {
			h = 1
		}
		ch.Bars = append(ch.Bars, bar{X: float64(i) * w, Y: 100 - h, W: w * 0.8, H: h, Label: fmt.Sprintf("%s: %s", day, format(v))})
		ch.Rows = append(ch.Rows, chartRow{Day: day, Value: format(v)})
	}
	return ch
}

// float is s for scaling a bar (precision does not matter there).
func float(s money.Sum) float64 {
	f, _ := strconv.ParseFloat(s.String(), 64)
	return f
}
