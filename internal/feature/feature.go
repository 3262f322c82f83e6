package feature

import (
	"context"
	"time"
)

// Store persists enrolments, terms and their history.
type Store interface {
	// Update runs one transaction on an account: it locks the
	// account row (the per-account mutex the ledger also takes), loads its
	// State, calls decide, and writes the Change with its events by actor.
	// decide may run more than once (transaction retries) and must be
	// pure. An account that does not exist answers account.ErrNotFound.
	Update(ctx context.Context, accountID, actor string, now time.Time, decide func(State) (Change, error)) error
	// State reads an account's state without locking.
	State(ctx context.Context, accountID string) (State, error)
	// History answers up to limit feature and terms events of an
	// account, newest first.
	History(ctx context.Context, accountID string, limit int) ([]Event, error)
	// Holders answers the holders q selects, by account id.
	Holders(ctx context.Context, q HoldersQuery) ([]Holder, error)
}

// Service is the account-feature use cases. Callers resolve the program
// and account (and their partner scoping) first.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Set enrols (authorize) or unenrols an account in a feature, on behalf of
// actor (a partner id, or "operator").
func (s *Service) Set(ctx context.Context, cfg Config, accountID, featureID string, authorize bool, actor string) error {
	f, err := Resolve(cfg, featureID, authorize)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.Store.Update(ctx, accountID, actor, now, func(st State) (Change, error) {
		if authorize {
			return Enrol(st, cfg, f, now)
		}
		return Unenrol(st, f, now)
	})
}

// SetTerms records terms acceptances and opt-outs (already validated
// with ParseTerms).
func (s *Service) SetTerms(ctx context.Context, accountID string, in []TermsInput, actor string) error {
	now := s.Now().UTC()
	return s.Store.Update(ctx, accountID, actor, now, func(st State) (Change, error) {
		return SetTerms(st, in, now)
	})
}

// State answers an account's enrolments and terms.
func (s *Service) State(ctx context.Context, accountID string) (State, error) {
	return s.Store.State(ctx, accountID)
}

// Enrolled answers the features an active account holds, in catalogue
// order; a closed or restricted account is answered 4/105 as the page
// lists for GET .../features.
func (s *Service) Enrolled(ctx context.Context, accountID string) ([]string, error) {
	st, err := s.Store.State(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := Active(st); err != nil {
		return nil, err
	}
	return st.FeatureIDs(), nil
}

// History answers an account's feature and terms events, newest first.
func (s *Service) History(ctx context.Context, accountID string, limit int) ([]Event, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.Store.History(ctx, accountID, limit)
}
