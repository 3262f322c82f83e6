package feature

import (
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// The answers the page defines (optional-api-add-ons.txt, response codes).
var (
	// ErrNoFeatureKey is answered (HTTP 503, as the page says) for a feature
	// that does not exist or that the program does not offer.
	ErrNoFeatureKey = &apperr.Error{Reason: "NO_FEATURE_KEY", Kind: apperr.Unavailable, Code: 5, SubCode: 55,
		Message: "No ProductFeatureGroupKey exists for specified productFeatureGroupKey"}
	// ErrAccountInactive refuses any feature or terms change on a closed or
	// restricted account.
	ErrAccountInactive = &apperr.Error{Reason: "ACCOUNT_INACTIVE", Kind: apperr.Declined, Code: 4, SubCode: 105,
		Message: "accountStatus is closed or restricted."}
	// ErrTermsNotAccepted refuses an enrolment whose enforced terms are not
	// accepted.
	ErrTermsNotAccepted = &apperr.Error{Reason: "TERMS_NOT_ACCEPTED", Kind: apperr.Declined, Code: 5, SubCode: 55,
		Message: "Features terms were not accepted."}
	// ErrEnrolmentNotFound answers an unenrolment of a feature the account
	// does not have.
	ErrEnrolmentNotFound = &apperr.Error{Reason: "ENROLLMENT_NOT_FOUND", Kind: apperr.NotFound, Code: 10, SubCode: 0,
		Message: "Feature enrollment not found."}
	// ErrTermsInUse refuses opting out of terms an active feature needs.
	ErrTermsInUse = &apperr.Error{Reason: "TERMS_IN_USE", Kind: apperr.Declined, Code: 5, SubCode: 58,
		Message: "Terms cannot be opted out because feature is still in use"}
)

// Enrolment is one feature an account holds.
type Enrolment struct {
	Feature    string
	EnrolledAt time.Time
}

// Terms is an account's recorded answer to one set of terms.
type Terms struct {
	ID       string // terms identifier, e.g. negBal
	Accepted bool
	// At is the termsAcceptanceDateTime the partner sent (or the time of an
	// automatic opt-out).
	At         time.Time
	RecordedAt time.Time
	Actor      string
}

// State is what the rules decide on: an account's status, enrolments and
// terms, read under the account's lock.
type State struct {
	AccountID string
	Status    account.Status
	Features  []Enrolment
	Terms     []Terms
}

// Has reports whether the account holds a feature.
func (st State) Has(id string) bool {
	return slices.ContainsFunc(st.Features, func(e Enrolment) bool { return e.Feature == id })
}

// TermsFor answers the account's record for a terms identifier.
func (st State) TermsFor(id string) (Terms, bool) {
	i := slices.IndexFunc(st.Terms, func(t Terms) bool { return strings.EqualFold(t.ID, id) })
	if i < 0 {
		return Terms{}, false
	}
	return st.Terms[i], true
}

// FeatureIDs answers the enrolled feature ids in catalogue order.
func (st State) FeatureIDs() []string {
	out := make([]string, 0, len(st.Features))
	for _, e := range st.Features {
		out = append(out, e.Feature)
	}
	Sort(out)
	return out
}

// Config is what a program decides for the rules: the features it offers
// and the terms identifiers whose acceptance it enforces.
type Config struct {
	Offered       []string
	TermsEnforced []string
}

func (c Config) offers(id string) bool { return slices.Contains(c.Offered, id) }

// Enforces reports whether the program enforces acceptance of terms.
func (c Config) Enforces(terms string) bool {
	return terms != "" && slices.ContainsFunc(c.TermsEnforced, func(t string) bool { return strings.EqualFold(t, terms) })
}

// Event actions recorded in the account's history.
const (
	ActionEnrolled   = "feature.enrolled"
	ActionUnenrolled = "feature.unenrolled"
	ActionAccepted   = "terms.accepted"
	ActionOptedOut   = "terms.optedOut"
)

// Event is one recorded change of an account's features or terms.
type Event struct {
	ID      string
	At      time.Time
	Actor   string
	Action  string
	Feature string
	TermsID string
	// TermsAt is the termsAcceptanceDateTime of a terms event.
	TermsAt time.Time
	// Reason says why a change was made for the caller (for example
	// "replaced by UCB2" or "NB100 unenrolled").
	Reason string
}

// Change is what a decision writes: enrolments to add and remove, terms
// records to upsert, and the events that record it all.
type Change struct {
	Enrol   []string
	Unenrol []string
	Terms   []Terms
	Events  []Event
}

// Empty reports whether the change writes nothing (an idempotent repeat).
func (c Change) Empty() bool {
	return len(c.Enrol) == 0 && len(c.Unenrol) == 0 && len(c.Terms) == 0
}

// Resolve maps a path featureId onto the catalogue. Enrolling needs the
// program to offer the feature; unenrolling does not, so an account keeps
// a way out of a feature its program has stopped offering.
func Resolve(cfg Config, id string, enrol bool) (Feature, error) {
	f, ok := Lookup(id)
	if !ok || (enrol && !cfg.offers(f.ID)) {
		return Feature{}, ErrNoFeatureKey
	}
	return f, nil
}

// Active refuses closed and restricted accounts.
func Active(st State) error {
	if st.Status == account.Closed || st.Status == account.Restricted {
		return ErrAccountInactive
	}
	return nil
}

// Enrol decides an enrolment: the account moves to f, leaving any other
// tier of f's exclusive group. Enrolling a feature already held changes
// nothing.
func Enrol(st State, cfg Config, f Feature, now time.Time) (Change, error) {
	var c Change
	if err := Active(st); err != nil {
		return c, err
	}
	if cfg.Enforces(f.Terms) {
		if t, ok := st.TermsFor(f.Terms); !ok || !t.Accepted {
			return c, ErrTermsNotAccepted
		}
	}
	if st.Has(f.ID) {
		return c, nil
	}
	if f.Group != NoGroup {
		for _, e := range st.Features {
			if g, ok := Lookup(e.Feature); ok && g.Group == f.Group {
				c.Unenrol = append(c.Unenrol, g.ID)
				c.Events = append(c.Events, Event{At: now, Action: ActionUnenrolled, Feature: g.ID, Reason: "replaced by " + f.ID})
			}
		}
	}
	c.Enrol = []string{f.ID}
	c.Events = append(c.Events, Event{At: now, Action: ActionEnrolled, Feature: f.ID})
	return c, nil
}

// Unenrol decides an unenrolment. Leaving a feature opts the account out
// of the terms it needed, unless another held feature needs them too.
// Unenrolling NB100 is allowed whatever the balance: the ledger then
// declines debits until the balance is back at or above zero.
func Unenrol(st State, f Feature, now time.Time) (Change, error) {
	var c Change
	if err := Active(st); err != nil {
		return c, err
	}
	if !st.Has(f.ID) {
		return c, ErrEnrolmentNotFound
	}
	c.Unenrol = []string{f.ID}
	c.Events = []Event{{At: now, Action: ActionUnenrolled, Feature: f.ID}}
	if f.Terms == "" || termsNeeded(st, f.Terms, f.ID) != "" {
		return c, nil
	}
	if t, ok := st.TermsFor(f.Terms); ok && !t.Accepted {
		return c, nil // already opted out
	}
	c.Terms = []Terms{{ID: f.Terms, Accepted: false, At: now}}
	c.Events = append(c.Events, Event{At: now, Action: ActionOptedOut, TermsID: f.Terms, TermsAt: now,
		Reason: f.ID + " unenrolled"})
	return c, nil
}

// termsNeeded answers a held feature (other than except) that needs terms.
func termsNeeded(st State, terms, except string) string {
	for _, e := range st.Features {
		if g, ok := Lookup(e.Feature); ok && g.ID != except && strings.EqualFold(g.Terms, terms) {
			return g.ID
		}
	}
	return ""
}

// SetTerms decides a terms update: each entry is recorded unless it
// repeats the current record exactly. Opting out of terms a held feature
// needs refuses the whole update (5/58): the partner unenrols the feature
// first, which opts out for it.
func SetTerms(st State, in []TermsInput, now time.Time) (Change, error) {
	var c Change
	if err := Active(st); err != nil {
		return c, err
	}
	for _, t := range in {
		if !t.Accepted && termsNeeded(st, t.ID, "") != "" {
			return Change{}, ErrTermsInUse
		}
		cur, ok := st.TermsFor(t.ID)
		if ok && cur.Accepted == t.Accepted && cur.At.Equal(t.At) {
			continue
		}
		if ok {
			t.ID = cur.ID // keep the first spelling of an identifier
		}
		c.Terms = append(c.Terms, Terms{ID: t.ID, Accepted: t.Accepted, At: t.At})
		action := ActionAccepted
		if !t.Accepted {
			action = ActionOptedOut
		}
		c.Events = append(c.Events, Event{At: now, Action: action, TermsID: t.ID, TermsAt: t.At})
	}
	return c, nil
}
