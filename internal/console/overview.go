package console

import (
	"net/http"
	"sort"
	"time"

	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// overviewData is the overview page: what is waiting, and health.
type overviewData struct {
	Counts    backoffice.QueueCounts
	Tiers     []tierCount
	Topics    []topicCount
	DBOK      bool
	DBError   string
	List      sanctions.ListInfo
	ListError string
	Generated time.Time
	OpenCases int
	// WebhooksFailing is deliveries retrying after a failed attempt plus
	// those given up.
	WebhooksFailing int
	Charts          []chart
}

type tierCount struct{ Tier, Count int }
type topicCount struct {
	Topic string
	Count int
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request, v *view) error {
	counts, err := c.Store.Counts(r.Context())
	if err != nil {
		return err
	}
	d := overviewData{Counts: counts, Generated: c.Now().UTC(), DBOK: true,
		WebhooksFailing: counts.WebhooksRetrying + counts.WebhooksFailed}
	for _, t := range []int{1, 2} {
		d.Tiers = append(d.Tiers, tierCount{t, counts.OpenCasesByTier[t]})
		d.OpenCases += counts.OpenCasesByTier[t]
	}
	for topic, n := range counts.DeadByTopic {
		d.Topics = append(d.Topics, topicCount{topic, n})
	}
	sort.Slice(d.Topics, func(i, j int) bool { return d.Topics[i].Topic < d.Topics[j].Topic })
	if err := c.DB.Ping(r.Context()); err != nil {
		d.DBOK, d.DBError = false, "the database does not answer"
	}
	if d.List, err = c.Sanctions.Current(r.Context()); err != nil {
		d.ListError = message(err)
	}
	if d.Charts, err = c.charts(r.Context()); err != nil {
		return err
	}
	v.Title, v.Data = "Overview", d
	return c.render(w, r, http.StatusOK, "overview", v)
}
