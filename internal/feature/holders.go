package feature

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// HoldersQuery selects a program's accounts that hold a feature, in
// account id order from After (keyset paging).
type HoldersQuery struct {
	ProgramCode string
	Feature     string // the catalogue id
	Terms       string // the feature's terms identifier ("" for none)
	// Unaccepted keeps only holders that have not accepted Terms (never
	// answered, or opted out).
	Unaccepted bool
	After      string
	Limit      int
}

// Holder is an account holding a feature, with its latest answer to the
// feature's terms (nil: it never answered them).
type Holder struct {
	AccountID  string
	EnrolledAt time.Time
	Terms      *Terms
}

// MaxHolders bounds one page of holders.
const MaxHolders = 500

// Holders answers a page of the program's accounts that hold featureID.
// With unaccepted, only those that have not accepted the feature's terms:
// the accounts the page asks a program to backfill before it enforces the
// terms, and the ones that cannot use the feature (NB100's floor) while it
// does.
func (s *Service) Holders(ctx context.Context, programCode, featureID string, unaccepted bool, after string, limit int) (Feature, []Holder, error) {
	f, ok := Lookup(featureID)
	if !ok {
		return Feature{}, nil, &apperr.Error{Kind: apperr.NotFound, Field: "featureId", Message: "feature " + featureID + " not found"}
	}
	if unaccepted && f.Terms == "" {
		return f, nil, apperr.Field("termsAccepted", "feature %s has no terms", f.ID)
	}
	if limit <= 0 || limit > MaxHolders {
		limit = MaxHolders
	}
	hs, err := s.Store.Holders(ctx, HoldersQuery{ProgramCode: programCode, Feature: f.ID, Terms: f.Terms,
		Unaccepted: unaccepted, After: after, Limit: limit})
	return f, hs, err
}
