package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/operator"
)

func (s *Server) adminCaseRoutes(mux *router) {
	mux.Handle("GET /admin/v1/cases", s.admin(s.adminListCases))
	mux.Handle("GET /admin/v1/cases/{caseNumber}", s.admin(s.adminGetCase))
	mux.Handle("PATCH /admin/v1/cases/{caseNumber}", s.admin(s.adminPatchCase))
}

// PhoneJSON is a case's phone number.
type PhoneJSON struct {
	Number string `json:"number,omitempty"`
	Type   string `json:"type,omitempty"`
}

// CaseCRMJSON is where a case stands with the CRM.
type CaseCRMJSON struct {
	Status      string     `json:"status"`
	CaseID      string     `json:"caseId,omitempty"`
	DeliveredAt *time.Time `json:"deliveredAt,omitempty"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"lastError,omitempty"`
}

// CaseJSON is the operator view of a case.
type CaseJSON struct {
	CaseNumber        string       `json:"caseNumber"`
	ProgramCode       string       `json:"programCode"`
	PartnerID         string       `json:"partnerId"`
	AccountIdentifier string       `json:"accountIdentifier"`
	Subject           string       `json:"subject"`
	FirstName         string       `json:"firstName"`
	LastName          string       `json:"lastName"`
	CustomerQuestion  string       `json:"customerQuestion"`
	EmailAddress      string       `json:"emailAddress"`
	Phone             *PhoneJSON   `json:"phone,omitempty"`
	Device            *care.Device `json:"device,omitempty"`
	Status            string       `json:"status"`
	Tier              int          `json:"tier"`
	Assignee          string       `json:"assignee"`
	CRM               CaseCRMJSON  `json:"crm"`
	CreatedAt         time.Time    `json:"createdAt"`
	UpdatedAt         time.Time    `json:"updatedAt"`
	History           []ChangeJSON `json:"history,omitempty"`
}

// ChangeJSON is one history entry.
type ChangeJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Status *FromTo   `json:"status,omitempty"`
	Tier   *FromTo   `json:"tier,omitempty"`
	Assign *FromTo   `json:"assignee,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// FromTo is one changed value.
type FromTo struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// CaseView is the operator view of a case (also printed by the CLI).
func CaseView(c care.Case, history []care.Change) CaseJSON { return caseJSON(c, history) }

func caseJSON(c care.Case, history []care.Change) CaseJSON {
	out := CaseJSON{CaseNumber: c.Number, ProgramCode: c.ProgramCode, PartnerID: c.PartnerID, AccountIdentifier: c.AccountID,
		Subject: c.Subject, FirstName: c.FirstName, LastName: c.LastName, CustomerQuestion: c.Question,
		EmailAddress: c.Email, Status: string(c.Status), Tier: c.Tier, Assignee: c.Assignee,
		CRM:       CaseCRMJSON{Status: c.CRMStatus, CaseID: c.CRMCaseID, Attempts: c.CRMAttempts, LastError: c.CRMLastError},
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Phone != (care.Phone{}) {
		out.Phone = &PhoneJSON{Number: c.Phone.Number, Type: string(c.Phone.Type)}
	}
	if c.Device != (care.Device{}) {
		d := c.Device
		out.Device = &d
	}
	if !c.CRMDeliveredAt.IsZero() {
		t := c.CRMDeliveredAt
		out.CRM.DeliveredAt = &t
	}
	for _, h := range history {
		cj := ChangeJSON{At: h.At, Actor: h.Actor, Action: h.Action, Note: h.Note}
		if h.ToStatus != "" {
			cj.Status = &FromTo{From: nilIfEmpty(string(h.FromStatus)), To: string(h.ToStatus)}
		}
		if h.ToTier != 0 {
			var from any
			if h.FromTier != 0 {
				from = h.FromTier
			}
			cj.Tier = &FromTo{From: from, To: h.ToTier}
		}
		if h.ToAssignee != nil {
			cj.Assign = &FromTo{From: *h.FromAssignee, To: *h.ToAssignee}
		}
		out.History = append(out.History, cj)
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// adminListCases pages through cases, oldest first:
// ?status=&programCode=&tier=&assignee=&crmStatus=&minAge=&maxAge=&after=&limit=.
// minAge/maxAge are durations (90m, 36h, 7d): a case at least minAge old
// and at most maxAge old. next is the cursor for the following page.
func (s *Server) adminListCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for _, k := range []string{"programCode", "assignee", "after"} {
		if v := q.Get(k); !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			return apperr.Field(k, "%s must be text without control characters", k)
		}
	}
	f := care.Filter{ProgramCode: q.Get("programCode"), After: q.Get("after"), CRMStatus: q.Get("crmStatus")}
	var err error
	if v := q.Get("status"); v != "" {
		if f.Status, err = care.ParseStatus(v); err != nil {
			return err
		}
	}
	if v := q.Get("tier"); v != "" {
		if f.Tier, err = strconv.Atoi(v); err != nil || (f.Tier != care.Tier1 && f.Tier != care.Tier2) {
			return apperr.Field("tier", "tier must be 1 or 2")
		}
	}
	if q.Has("assignee") {
		a := q.Get("assignee")
		f.Assignee = &a
	}
	if f.CRMStatus != "" && f.CRMStatus != care.CRMQueued && f.CRMStatus != care.CRMDelivered {
		return apperr.Field("crmStatus", "crmStatus must be queued or delivered")
	}
	now := s.now()
	if v := q.Get("minAge"); v != "" {
		d, err := parseAge("minAge", v)
		if err != nil {
			return err
		}
		f.CreatedBefore = now.Add(-d)
	}
	if v := q.Get("maxAge"); v != "" {
		d, err := parseAge("maxAge", v)
		if err != nil {
			return err
		}
		f.CreatedAfter = now.Add(-d)
	}
	if f.Limit, err = queryLimit(r, 50); err != nil {
		return err
	}
	cases, err := s.Care.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Cases []CaseJSON `json:"cases"`
		Next  string     `json:"next,omitempty"`
	}{Cases: []CaseJSON{}}
	for _, c := range cases {
		out.Cases = append(out.Cases, caseJSON(c, nil))
	}
	if len(cases) == f.Limit {
		out.Next = cases[len(cases)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// parseAge reads a Go duration or a whole number of days ("7d").
func parseAge(field, v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 36500 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	return 0, apperr.Field(field, "%s must be a duration such as 90m, 36h or 7d", field)
}

func (s *Server) adminGetCase(w http.ResponseWriter, r *http.Request) error {
	c, h, err := s.Care.Get(r.Context(), r.PathValue("caseNumber"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caseJSON(c, h))
	return nil
}

// adminPatchCase is the agents' workflow: status, assignee, tier and a
// note, each change appended to the case's history.
func (s *Server) adminPatchCase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status   *string `json:"status"`
		Assignee *string `json:"assignee"`
		Tier     *int    `json:"tier"`
		Note     string  `json:"note"`
		Actor    string  `json:"actor"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	// A named operator is the actor; the bootstrap token may say who acts.
	if p, _ := operator.FromContext(r.Context()); p.OperatorID != "" || in.Actor == "" {
		in.Actor = p.Actor()
	}
	u := care.Update{Actor: in.Actor, Assignee: in.Assignee, Tier: in.Tier, Note: in.Note}
	if in.Status != nil {
		st := care.Status(*in.Status)
		u.Status = &st
	}
	c, h, err := s.Care.Apply(r.Context(), r.PathValue("caseNumber"), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caseJSON(c, h))
	return nil
}
