package api

import (
	"net/http"
	"strconv"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/program"
)

// OperatorActor is the actor recorded for changes made through the CLI
// (the operator API names the operator from the request's principal).
const OperatorActor = operator.BootstrapActor

// featureAdminRoutes registers the operator's feature calls: enrolment on
// a partner's behalf and terms backfill (the page asks for a backfill of
// terms acceptances before a program starts enforcing them).
func (s *Server) featureAdminRoutes(mux *router) {
	mux.Handle("PUT /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/features/{featureId}", s.admin(s.adminPutFeature))
	mux.Handle("PUT /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/terms", s.admin(s.adminPutTerms))
	mux.Handle("GET /admin/v1/programs/{programCode}/features/{featureId}/accounts", s.admin(s.adminFeatureHolders))
}

// operatorError answers business refusals as 409 problems: the partner
// API's HTTP 200 and 503 answers have no place in problem+json. The
// problem type names the refusal (…/account-inactive, …/terms-in-use).
func operatorError(err error) error {
	e := apperr.As(err)
	if e.Kind == apperr.Declined || e.Kind == apperr.Unavailable {
		c := *e
		c.Kind = apperr.Conflict
		return &c
	}
	return err
}

// AccountFeaturesJSON is the operator's view of an account's features and
// terms after a change.
type AccountFeaturesJSON struct {
	AccountIdentifier string                `json:"accountIdentifier"`
	Features          []string              `json:"features"`
	TermsAcceptances  []TermsAcceptanceJSON `json:"termsAcceptances"`
}

func (s *Server) writeAccountFeatures(w http.ResponseWriter, r *http.Request, accountID string) error {
	st, err := s.Features.State(r.Context(), accountID)
	if err != nil {
		return err
	}
	out := AccountFeaturesJSON{AccountIdentifier: accountID, Features: st.FeatureIDs(), TermsAcceptances: []TermsAcceptanceJSON{}}
	for _, t := range st.Terms {
		out.TermsAcceptances = append(out.TermsAcceptances, TermsAcceptanceJSON{TermsIdentifier: t.ID,
			TermsAcceptanceFlag: t.Accepted, TermsAcceptanceDateTime: ResponseDate(t.At)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminPutFeature(w http.ResponseWriter, r *http.Request) error {
	authorize, err := decodeAuthorize(r)
	if err != nil {
		return err
	}
	p, a, err := s.adminAccountProgram(r)
	if err != nil {
		return err
	}
	if err := s.Features.Set(r.Context(), featureConfig(p), a.ID, r.PathValue("featureId"), authorize, operator.ActorOf(r.Context())); err != nil {
		return operatorError(err)
	}
	return s.writeAccountFeatures(w, r, a.ID)
}

func (s *Server) adminPutTerms(w http.ResponseWriter, r *http.Request) error {
	raw, err := decodeTerms(r)
	if err != nil {
		return err
	}
	a, err := s.adminAccount(r)
	if err != nil {
		return err
	}
	terms, err := feature.ParseTerms(raw, s.now())
	if err != nil {
		return err
	}
	if err := s.Features.SetTerms(r.Context(), a.ID, terms, operator.ActorOf(r.Context())); err != nil {
		return operatorError(err)
	}
	return s.writeAccountFeatures(w, r, a.ID)
}

// decodeTerms reads a {"termsAcceptances":[...]} body.
func decodeTerms(r *http.Request) ([]feature.RawTerms, error) {
	var in struct {
		TermsAcceptances []struct {
			TermsIdentifier         string   `json:"termsIdentifier"`
			TermsAcceptanceFlag     flexBool `json:"termsAcceptanceFlag"`
			TermsAcceptanceDateTime string   `json:"termsAcceptanceDateTime"`
		} `json:"termsAcceptances"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	raw := make([]feature.RawTerms, len(in.TermsAcceptances))
	for i, t := range in.TermsAcceptances {
		raw[i] = feature.RawTerms{ID: t.TermsIdentifier, Flag: t.TermsAcceptanceFlag.Raw, At: t.TermsAcceptanceDateTime}
	}
	return raw, nil
}

// FeatureHoldersJSON is a page of a program's accounts holding a feature.
type FeatureHoldersJSON struct {
	FeatureID       string              `json:"featureId"`
	TermsIdentifier *string             `json:"termsIdentifier"`
	TermsEnforced   bool                `json:"termsEnforced"`
	Accounts        []FeatureHolderJSON `json:"accounts"`
	// Next is the after= of the following page (null on the last).
	Next *string `json:"next"`
}

// FeatureHolderJSON is one account holding a feature, with its latest
// answer to the feature's terms (null when it never answered).
type FeatureHolderJSON struct {
	AccountIdentifier       string  `json:"accountIdentifier"`
	EnrolledAt              string  `json:"enrolledAt"`
	TermsAcceptanceFlag     *bool   `json:"termsAcceptanceFlag"`
	TermsAcceptanceDateTime *string `json:"termsAcceptanceDateTime"`
}

// adminFeatureHolders is GET .../features/{featureId}/accounts
// [?termsAccepted=false][&after=][&limit=1..500]: the program's accounts
// holding the feature; with termsAccepted=false only those that have not
// accepted its terms, which is the list to backfill before the program
// enforces them (and the accounts that cannot use the feature meanwhile).
func (s *Server) adminFeatureHolders(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	unaccepted := false
	switch q.Get("termsAccepted") {
	case "", "any":
	case "false":
		unaccepted = true
	default:
		return apperr.Field("termsAccepted", "termsAccepted must be false (or absent)")
	}
	limit := feature.MaxHolders
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > feature.MaxHolders {
			return apperr.Field("limit", "limit must be 1 to %d", feature.MaxHolders)
		}
	}
	f, hs, err := s.Features.Holders(r.Context(), p.Code, r.PathValue("featureId"), unaccepted, q.Get("after"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FeatureHoldersView(p, f, hs, limit))
	return nil
}

// FeatureHoldersView is a page of program p's holders of feature f as the
// operator API answers it (the CLI prints the same), given the page's
// limit.
func FeatureHoldersView(p program.Program, f feature.Feature, hs []feature.Holder, limit int) FeatureHoldersJSON {
	out := FeatureHoldersJSON{FeatureID: f.ID, Accounts: []FeatureHolderJSON{},
		TermsEnforced: f.Terms != "" && featureConfig(p).Enforces(f.Terms)}
	if f.Terms != "" {
		out.TermsIdentifier = &f.Terms
	}
	for _, h := range hs {
		j := FeatureHolderJSON{AccountIdentifier: h.AccountID, EnrolledAt: ResponseDate(h.EnrolledAt)}
		if h.Terms != nil {
			at := ResponseDate(h.Terms.At)
			j.TermsAcceptanceFlag, j.TermsAcceptanceDateTime = &h.Terms.Accepted, &at
		}
		out.Accounts = append(out.Accounts, j)
	}
	if len(hs) == limit {
		out.Next = &hs[len(hs)-1].AccountID
	}
	return out
}
