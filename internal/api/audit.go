package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
)

// auditRoutes registers the operator's read of the audit trail.
func (s *Server) auditRoutes(mux *router) {
	mux.Handle("GET /admin/v1/audit", s.admin(s.adminListAudit))
}

// AuditEventJSON is one audit-trail event.
type AuditEventJSON struct {
	EventID string          `json:"eventId"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Subject string          `json:"subject"`
	Detail  json.RawMessage `json:"detail"`
}

// adminListAudit answers audit events newest first:
// ?subject=<kind:id>&actor=<actor>&action=<prefix>&from=<time>&to=<time>&limit=1..100&before=<next of the previous page>.
func (s *Server) adminListAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := audit.Filter{Subject: q.Get("subject"), Actor: q.Get("actor")}
	if len(f.Subject) > 200 {
		return apperr.Field("subject", "subject must be at most 200 characters")
	}
	if len(f.Actor) > 300 {
		return apperr.Field("actor", "actor must be at most 300 characters")
	}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(b.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return apperr.Field(b.name, "%s must be an RFC 3339 time such as 2026-01-02T15:04:05Z", b.name)
			}
			*b.dst = t
		}
	}
	if a := q.Get("action"); a != "" {
		if len(a) > 100 {
			return apperr.Field("action", "action must be at most 100 characters")
		}
		f.ActionPrefixes = []string{a}
	}
	var err error
	if f.Limit, err = queryLimit(r, 50); err != nil {
		return err
	}
	if b := q.Get("before"); b != "" {
		pos, ok := parseAuditCursor(b)
		if !ok {
			return apperr.Field("before", "before must be the next value of a previous page")
		}
		f.Before = &pos
	}
	page, err := s.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Events []AuditEventJSON `json:"events"`
		Next   string           `json:"next,omitempty"`
	}{Events: []AuditEventJSON{}}
	for _, e := range page.Events {
		out.Events = append(out.Events, AuditEventJSON{EventID: e.ID, At: e.At, Actor: e.Actor,
			Action: e.Action, Subject: e.Subject, Detail: e.Detail})
	}
	if page.Next != nil {
		out.Next = auditCursor(*page.Next)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// auditCursor is an opaque page cursor: the last event's (at, id).
func auditCursor(p audit.Position) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(p.At.UnixMicro(), 10) + ":" + p.ID))
}

func parseAuditCursor(s string) (audit.Position, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return audit.Position{}, false
	}
	at, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return audit.Position{}, false
	}
	return audit.Position{At: time.UnixMicro(n).UTC(), ID: id}, true
}
