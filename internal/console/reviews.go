package console

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

const pageSize = 50

type reviewsData struct {
	Status  string
	Reviews []customer.Review
	Next    string
}

// reviews is the OFAC review queue: oldest first, by cursor.
func (c *Console) reviews(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	status := q.Get("status")
	switch status {
	case "":
		status = "pending"
	case "pending", "confirmed", "cleared":
	default:
		return apperr.Field("status", "Status must be pending, confirmed or cleared.")
	}
	after, err := parseCursor(q.Get("after"))
	if err != nil {
		return err
	}
	list, err := c.Store.Reviews(r.Context(), status, after, pageSize)
	if err != nil {
		return err
	}
	d := reviewsData{Status: status, Reviews: list}
	if len(list) == pageSize {
		last := list[len(list)-1]
		d.Next = cursor(last.CreatedAt, last.ID)
	}
	v.Title, v.Data = "OFAC reviews", d
	return c.render(w, r, http.StatusOK, "reviews", v)
}

// cursor is an opaque keyset position: a time and an id.
func cursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + ":" + id))
}

func parseCursor(s string) (*backoffice.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(b), ":")
	n, err2 := strconv.ParseInt(at, 10, 64)
	if err != nil || err2 != nil || !ok || id == "" {
		return nil, apperr.E(apperr.Invalid, "That page link is not valid. Start again from the first page.")
	}
	return &backoffice.Cursor{At: time.UnixMicro(n).UTC(), ID: id}, nil
}

// listedEntry is a match beside the list entry it names.
type listedEntry struct {
	Match  sanctions.Match
	Entry  sanctions.Entry
	Found  bool
	DOBs   []string
	Listed string // version of the list in force the entry was read from
}

type reviewData struct {
	// Four-eyes mode: on, and the review's pending proposal if any (Mine
	// when the signed-in operator made it).
	FourEyes    bool
	Proposal    operator.Proposal
	HasProposal bool
	Mine        bool
	Reason      string

	Review   customer.Review
	Customer customer.Profile
	DOB      string
	Entries  []listedEntry
	Decision string
	Note     string
}

func dobText(d sanctions.DOB) string {
	s := strconv.Itoa(d.Year)
	if d.Month > 0 {
		s += fmt.Sprintf("-%02d", d.Month)
		if d.Day > 0 {
			s += fmt.Sprintf("-%02d", d.Day)
		}
	}
	if d.Circa {
		s = "circa " + s
	}
	return s
}

// review shows a customer beside each list entry it matched.
func (c *Console) review(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := c.reviewData(r)
	if err != nil {
		return err
	}
	v.Title, v.Data = "OFAC review", d
	return c.render(w, r, http.StatusOK, "review", v)
}

func (c *Console) reviewData(r *http.Request) (reviewData, error) {
	rv, err := c.Store.Review(r.Context(), r.PathValue("reviewId"))
	if err != nil {
		return reviewData{}, err
	}
	d := reviewData{Review: rv, FourEyes: c.FourEyes != nil}
	if d.FourEyes {
		if d.Proposal, d.HasProposal, err = c.FourEyes.Store.Pending(r.Context(), rv.ID); err != nil {
			return d, err
		}
		p, _ := operator.FromContext(r.Context())
		d.Mine = d.HasProposal && d.Proposal.ProposedBy == p.OperatorID
	}
	if d.Customer, err = c.Customers.Get(r.Context(), rv.PartnerID, rv.CustomerID); err != nil {
		return d, err
	}
	// The date of birth is opened for the reviewer, the one person who
	// needs it to tell a namesake from the listed person.
	if _, d.DOB, err = c.PII.PII(r.Context(), rv.PartnerID, rv.CustomerID); err != nil {
		return d, err
	}
	for _, m := range rv.Matches {
		e, found, err := c.Sanctions.Entry(r.Context(), m.EntryID)
		if err != nil {
			return d, err
		}
		le := listedEntry{Match: m, Entry: e, Found: found}
		for _, dob := range e.DOBs {
			le.DOBs = append(le.DOBs, dobText(dob))
		}
		d.Entries = append(d.Entries, le)
	}
	return d, nil
}

// decide confirms or clears a review with a required note, through the
// same decision service as the operator API: the customer's status
// changes and the decision is audited in the operator's name.
func (c *Console) decide(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := c.reviewData(r)
	if err != nil {
		return err
	}
	d.Decision, d.Note = r.PostFormValue("decision"), strings.TrimSpace(r.PostFormValue("note"))
	v.Title, v.Data = "OFAC review", d
	if d.FourEyes {
		return c.fourEyes(w, r, v, d)
	}
	switch {
	case d.Decision != "confirm" && d.Decision != "clear":
		err = apperr.Field("decision", "Choose confirm or clear.")
	case d.Note == "":
		err = apperr.Field("note", "A note is required: say why.")
	default:
		_, err = c.Customers.Review(r.Context(), customer.Decision{PartnerID: d.Review.PartnerID, CustomerID: d.Review.CustomerID,
			Decision: d.Decision, Note: d.Note, Actor: operator.ActorOf(r.Context())})
	}
	if err != nil {
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "review", v)
	}
	done := map[string]string{"confirm": "Match confirmed: the customer is blocked.", "clear": "Match cleared: the customer is verified."}
	return c.redirect(w, r, "/console/reviews/"+d.Review.ID, done[d.Decision])
}
