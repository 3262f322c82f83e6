package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/operator"
)

var caseStatuses = []care.Status{care.Open, care.InProgress, care.WaitingOnCustomer, care.Resolved, care.Closed}

type casesData struct {
	Status, Program, Tier, Assignee string
	Statuses                        []care.Status
	Cases                           []care.Case
	Next                            string
}

// cases is the support queue, oldest first, with filters and a cursor.
func (c *Console) cases(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := casesData{Status: q.Get("status"), Program: strings.TrimSpace(q.Get("program")), Tier: q.Get("tier"),
		Assignee: strings.TrimSpace(q.Get("assignee")), Statuses: caseStatuses}
	if _, ok := q["status"]; !ok {
		d.Status = string(care.Open)
	}
	f := care.Filter{ProgramCode: d.Program, After: q.Get("after"), Limit: pageSize}
	v.Title, v.Data = "Cases", &d
	if d.Status != "" {
		st, err := care.ParseStatus(d.Status)
		if err != nil {
			return err
		}
		f.Status = st
	}
	switch d.Tier {
	case "":
	case "1", "2":
		f.Tier, _ = strconv.Atoi(d.Tier)
	default:
		return apperr.Field("tier", "Tier must be 1 or 2.")
	}
	if d.Assignee != "" {
		f.Assignee = &d.Assignee
	}
	list, err := c.Care.List(r.Context(), f)
	if err != nil {
		return err
	}
	d.Cases = list
	if len(list) == pageSize {
		d.Next = list[len(list)-1].ID
	}
	return c.render(w, r, http.StatusOK, "cases", v)
}

type caseData struct {
	Case    care.Case
	History []care.Change
	Me      string
	Action  string
	Note    string
}

func (c *Console) caseView(w http.ResponseWriter, r *http.Request, v *view) error {
	k, h, err := c.Care.Get(r.Context(), r.PathValue("caseNumber"))
	if err != nil {
		return err
	}
	v.Title, v.Data = "Case "+k.Number, caseData{Case: k, History: h, Me: v.Principal.Email}
	return c.render(w, r, http.StatusOK, "case", v)
}

// workCase is an agent's action on a case: assign, escalate to tier 2,
// resolve (a note is required) or add a note. Each is one history entry
// in the operator's name.
func (c *Console) workCase(w http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("caseNumber")
	k, h, err := c.Care.Get(r.Context(), number)
	if err != nil {
		return err
	}
	d := caseData{Case: k, History: h, Me: v.Principal.Email, Action: r.PostFormValue("action"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	u := care.Update{Actor: operator.ActorOf(r.Context()), Note: d.Note}
	var done string
	switch d.Action {
	case "assign":
		a := strings.TrimSpace(r.PostFormValue("assignee"))
		u.Assignee, done = &a, "Case assigned to "+a+"."
		if a == "" {
			done = "Case unassigned."
		}
	case "escalate":
		tier := care.Tier2
		u.Tier, done = &tier, "Case escalated to tier 2."
	case "resolve":
		st := care.Resolved
		u.Status, done = &st, "Case resolved."
		if d.Note == "" {
			err = apperr.Field("note", "A note is required to resolve a case: say how it was resolved.")
		}
	case "note":
		done = "Note added."
		if d.Note == "" {
			err = apperr.Field("note", "Write the note first.")
		}
	default:
		err = apperr.Field("action", "Choose what to do with the case.")
	}
	if err == nil {
		_, _, err = c.Care.Apply(r.Context(), number, u)
	}
	if err != nil {
		v.Title, v.Data, v.Error = "Case "+k.Number, d, message(err)
		return c.render(w, r, statusOf(err), "case", v)
	}
	return c.redirect(w, r, "/console/cases/"+k.Number, done)
}

// redeliverCase sends a case to the CRM again (pending or failed).
func (c *Console) redeliverCase(w http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("caseNumber")
	if _, err := c.Care.Redeliver(r.Context(), number, operator.ActorOf(r.Context())); err != nil {
		k, h, gerr := c.Care.Get(r.Context(), number)
		if gerr != nil {
			return gerr
		}
		v.Title, v.Data, v.Error = "Case "+k.Number, caseData{Case: k, History: h, Me: v.Principal.Email}, message(err)
		return c.render(w, r, statusOf(err), "case", v)
	}
	return c.redirect(w, r, "/console/cases/"+number, "Case queued for delivery to the CRM.")
}
