package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
)

type auditData struct {
	Actor, Subject, Action, From, To string
	Events                           []audit.Event
	Next                             string
}

// audit is the audit log: filter by operator (actor), subject, action
// prefix and day range; newest first by cursor.
func (c *Console) audit(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(q.Get("actor")), Subject: strings.TrimSpace(q.Get("subject")),
		Action: strings.TrimSpace(q.Get("action")), From: q.Get("from"), To: q.Get("to")}
	v.Title, v.Data = "Audit log", &d
	f := audit.Filter{Actor: d.Actor, Subject: d.Subject, Limit: pageSize}
	if len(d.Actor) > 300 || len(d.Subject) > 200 || len(d.Action) > 100 {
		return apperr.E(apperr.Invalid, "A filter is too long.")
	}
	if d.Action != "" {
		f.ActionPrefixes = []string{d.Action}
	}
	for _, b := range []struct {
		v    string
		dst  *time.Time
		next bool
	}{{d.From, &f.From, false}, {d.To, &f.To, true}} {
		if b.v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", b.v)
		if err != nil {
			v.Error = "Dates are YYYY-MM-DD."
			return c.render(w, r, http.StatusBadRequest, "audit", v)
		}
		if b.next { // "to" includes its day
			t = t.AddDate(0, 0, 1)
		}
		*b.dst = t
	}
	before, err := parseCursor(q.Get("before"))
	if err != nil {
		return err
	}
	if before != nil {
		f.Before = &audit.Position{At: before.At, ID: before.ID}
	}
	page, err := c.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	d.Events = page.Events
	if page.Next != nil {
		d.Next = cursor(page.Next.At, page.Next.ID)
	}
	return c.render(w, r, http.StatusOK, "audit", v)
}
