package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/program"
)

// featureRoutes registers the account-feature endpoints
// (optional-api-add-ons.txt, "Account Features") and the operator's view
// of an account's feature and terms history. The terms PUT on the account
// itself is registered by accountRoutes.
func (s *Server) featureRoutes(mux *router) {
	mux.Handle("PUT /programs/{programCode}/accounts/{accountIdentifier}/features/{featureId}", s.partner(s.putFeature))
	mux.Handle("GET /programs/{programCode}/accounts/{accountIdentifier}/features", s.partner(s.getFeatures))
	mux.Handle("GET /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/history", s.admin(s.adminListFeatureHistory))
	mux.Handle("GET /admin/v1/features", s.admin(s.adminListFeatures))
	s.featureAdminRoutes(mux)
}

// featureConfig is what a program decides for the feature rules.
func featureConfig(p program.Program) feature.Config {
	return feature.Config{Offered: p.Features, TermsEnforced: p.TermsEnforced}
}

// flexBool is a JSON field that may be a boolean or a "true"/"false"
// string, as the publisher's samples send both. Raw is the text received
// ("" when absent or null); validation happens where it is used.
type flexBool struct{ Raw string }

// UnmarshalJSON keeps booleans and strings as text, and any other value's
// literal so that validation can name it as invalid.
func (b *flexBool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null":
		b.Raw = ""
	case len(data) > 0 && data[0] == '"':
		return json.Unmarshal(data, &b.Raw)
	default:
		b.Raw = string(data)
	}
	return nil
}

// parseFlag answers a required flexBool as a bool.
func parseFlag(field string, b flexBool) (bool, error) {
	switch strings.ToLower(b.Raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, apperr.Field(field, "%s is required and must be true or false", field)
}

// decodeAuthorize reads a {"authorize": true|false} body (the flag may also
// be the string "true" or "false", any case).
func decodeAuthorize(r *http.Request) (bool, error) {
	var in struct {
		Authorize flexBool `json:"authorize"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return false, err
	}
	return parseFlag("authorize", in.Authorize)
}

// putFeature enrols (authorize true) or unenrols (false) an account.
func (s *Server) putFeature(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	authorize, err := decodeAuthorize(r)
	if err != nil {
		return err
	}
	err = s.Features.Set(r.Context(), featureConfig(p), a.ID, r.PathValue("featureId"), authorize, claimsFrom(r.Context()).PartnerID)
	if err != nil {
		return withCode(err, 10, 0)
	}
	writeJSON(w, http.StatusOK, map[string]any{"responseDetails": Success()})
	return nil
}

// FeaturesJSON is the answer of GET .../features.
type FeaturesJSON struct {
	Features        []string         `json:"features"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

func (s *Server) getFeatures(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	ids, err := s.Features.Enrolled(r.Context(), a.ID)
	if err != nil {
		return withCode(err, 10, 0)
	}
	writeJSON(w, http.StatusOK, FeaturesJSON{Features: ids, ResponseDetails: Success()})
	return nil
}

// FeatureEventJSON is one entry of an account's feature and terms history.
type FeatureEventJSON struct {
	EventID                 string    `json:"eventId"`
	At                      time.Time `json:"at"`
	Actor                   string    `json:"actor"`
	Action                  string    `json:"action"`
	Feature                 string    `json:"feature,omitempty"`
	TermsIdentifier         string    `json:"termsIdentifier,omitempty"`
	TermsAcceptanceDateTime string    `json:"termsAcceptanceDateTime,omitempty"`
	Reason                  string    `json:"reason,omitempty"`
}

// adminListFeatureHistory answers an account's enrolment and terms changes,
// newest first: ?limit=1..100 (default 100).
func (s *Server) adminListFeatureHistory(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminAccount(r)
	if err != nil {
		return err
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	events, err := s.Features.History(r.Context(), a.ID, limit)
	if err != nil {
		return err
	}
	out := struct {
		AccountIdentifier string             `json:"accountIdentifier"`
		Events            []FeatureEventJSON `json:"events"`
	}{AccountIdentifier: a.ID, Events: []FeatureEventJSON{}}
	for _, e := range events {
		j := FeatureEventJSON{EventID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Feature: e.Feature,
			TermsIdentifier: e.TermsID, Reason: e.Reason}
		if !e.TermsAt.IsZero() {
			j.TermsAcceptanceDateTime = ResponseDate(e.TermsAt)
		}
		out.Events = append(out.Events, j)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// CatalogueFeatureJSON is one feature of the catalogue, for operators.
type CatalogueFeatureJSON struct {
	FeatureID       string `json:"featureId"`
	ExclusiveGroup  string `json:"exclusiveGroup,omitempty"`
	HoldDays        *int   `json:"holdDays,omitempty"`
	TermsIdentifier string `json:"termsIdentifier,omitempty"`
	FloorBalance    string `json:"floorBalance,omitempty"`
}

// adminListFeatures answers the feature catalogue: the ids a program's
// features may name, their exclusive groups, RDC hold periods and terms.
func (s *Server) adminListFeatures(w http.ResponseWriter, r *http.Request) error {
	out := struct {
		Features []CatalogueFeatureJSON `json:"features"`
	}{}
	for _, f := range feature.Catalogue() {
		j := CatalogueFeatureJSON{FeatureID: f.ID, ExclusiveGroup: string(f.Group), TermsIdentifier: f.Terms}
		if f.Group == feature.Deposit {
			j.HoldDays = &f.HoldDays
		}
		if f.FloorMinor != 0 {
			j.FloorBalance = money.Format(f.FloorMinor)
		}
		out.Features = append(out.Features, j)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
