package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/feature"
)

// FeatureStore implements feature.Store: account features and terms.
type FeatureStore struct {
	db *DB
}

// NewFeatureStore returns the feature store over db.
func NewFeatureStore(db *DB) *FeatureStore { return &FeatureStore{db: db} }

var _ feature.Store = (*FeatureStore)(nil)

// reader is what loading a feature state needs: a *DB outside a
// transaction, a *Tx inside one.
type reader interface {
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// featureSubject is the audit_events subject of an account's feature and
// terms events.
func featureSubject(accountID string) string { return accountSubject(accountID) }

// Update implements feature.Store. The account row is read with
// ForUpdate first: it is the per-account mutex the ledger's postings also
// take, so an enrolment change and a posting never interleave, and two
// enrolments in one exclusive group run one after the other.
func (s *FeatureStore) Update(ctx context.Context, accountID, actor string, now time.Time,
	decide func(feature.State) (feature.Change, error)) (err error) {
	defer apperr.Op(&err, "storage.FeatureStore.Update(%s)", accountID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		st, err := loadFeatureState(ctx, tx, accountID, tx.ForUpdate())
		if err != nil {
			return err
		}
		c, err := decide(st)
		if err != nil || c.Empty() {
			return err
		}
		return applyFeatureChange(ctx, tx, accountID, actor, now, c)
	})
}

func applyFeatureChange(ctx context.Context, tx *Tx, accountID, actor string, now time.Time, c feature.Change) error {
	for _, f := range c.Unenrol {
		if _, err := tx.Exec(ctx, `DELETE FROM account_features WHERE account_id = ? AND feature = ?`, accountID, f); err != nil {
			return err
		}
	}
	for _, f := range c.Enrol {
		if _, err := tx.Exec(ctx, `INSERT INTO account_features (account_id, feature, enrolled_at) VALUES (?, ?, ?)
			ON CONFLICT (account_id, feature) DO NOTHING`, accountID, f, Micros(now)); err != nil {
			return err
		}
	}
	for _, t := range c.Terms {
		if _, err := tx.Exec(ctx, `INSERT INTO account_terms (account_id, terms_id, accepted, accepted_at, recorded_at, actor)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, terms_id) DO UPDATE SET accepted = excluded.accepted,
			accepted_at = excluded.accepted_at, recorded_at = excluded.recorded_at, actor = excluded.actor`,
			accountID, t.ID, t.Accepted, Micros(t.At), Micros(now), actor); err != nil {
			return err
		}
	}
	for _, e := range c.Events {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, id.String(), Micros(e.At), actor, e.Action, featureSubject(accountID), eventDetail(e)); err != nil {
			return err
		}
	}
	change := webhook.ChangeTerms
	if len(c.Enrol)+len(c.Unenrol) > 0 {
		change = webhook.ChangeFeatures
	}
	return tx.emitAccount(ctx, accountID, change, now)
}

// State implements feature.Store.
func (s *FeatureStore) State(ctx context.Context, accountID string) (_ feature.State, err error) {
	defer apperr.Op(&err, "storage.FeatureStore.State(%s)", accountID)
	return loadFeatureState(ctx, s.db, accountID, "")
}

// loadFeatureState reads an account's status (with the lock suffix, if
// any), enrolments and terms.
func loadFeatureState(ctx context.Context, q reader, accountID, lock string) (feature.State, error) {
	st := feature.State{AccountID: accountID}
	err := q.QueryRow(ctx, `SELECT status FROM accounts WHERE id = ?`+lock, accountID).Scan(&st.Status)
	if err != nil {
		return st, notFound(err, account.ErrNotFound.Message)
	}
	rows, err := q.Query(ctx, `SELECT feature, enrolled_at FROM account_features WHERE account_id = ?`, accountID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var e feature.Enrolment
		var at int64
		if err := rows.Scan(&e.Feature, &at); err != nil {
			return st, err
		}
		e.EnrolledAt = Time(at)
		st.Features = append(st.Features, e)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows.Close()
	trows, err := q.Query(ctx, `SELECT terms_id, accepted, accepted_at, recorded_at, actor FROM account_terms
		WHERE account_id = ? ORDER BY terms_id`, accountID)
	if err != nil {
		return st, err
	}
	defer trows.Close()
	for trows.Next() {
		var t feature.Terms
		var at, rec int64
		if err := trows.Scan(&t.ID, &t.Accepted, &at, &rec, &t.Actor); err != nil {
			return st, err
		}
		t.At, t.RecordedAt = Time(at), Time(rec)
		st.Terms = append(st.Terms, t)
	}
	return st, trows.Err()
}

// Holders implements feature.Store.
func (s *FeatureStore) Holders(ctx context.Context, q feature.HoldersQuery) (_ []feature.Holder, err error) {
	defer apperr.Op(&err, "storage.FeatureStore.Holders(%s, %s)", q.ProgramCode, q.Feature)
	filter := ""
	if q.Unaccepted {
		filter = ` AND (t.accepted IS NULL OR t.accepted = FALSE)`
	}
	rows, err := s.db.Query(ctx, `SELECT f.account_id, f.enrolled_at, t.terms_id, t.accepted, t.accepted_at, t.recorded_at, t.actor
		FROM account_features f JOIN accounts a ON a.id = f.account_id
		LEFT JOIN account_terms t ON t.account_id = f.account_id AND t.terms_id = ?
		WHERE a.program_code = ? AND f.feature = ? AND f.account_id > ?`+filter+`
		ORDER BY f.account_id LIMIT ?`, q.Terms, q.ProgramCode, q.Feature, q.After, q.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []feature.Holder{}
	for rows.Next() {
		var h feature.Holder
		var enrolled int64
		var termsID, actor sql.NullString
		var accepted sql.NullBool
		var at, rec sql.NullInt64
		if err := rows.Scan(&h.AccountID, &enrolled, &termsID, &accepted, &at, &rec, &actor); err != nil {
			return nil, err
		}
		h.EnrolledAt = Time(enrolled)
		if termsID.Valid {
			h.Terms = &feature.Terms{ID: termsID.String, Accepted: accepted.Bool, At: Time(at.Int64),
				RecordedAt: Time(rec.Int64), Actor: actor.String}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// featureEventDetail is the audit_events detail of a feature or terms event.
type featureEventDetail struct {
	Feature string `json:"feature,omitempty"`
	TermsID string `json:"termsIdentifier,omitempty"`
	TermsAt int64  `json:"termsAcceptanceDateTime,omitempty"` // microseconds
	Reason  string `json:"reason,omitempty"`
}

func eventDetail(e feature.Event) featureEventDetail {
	d := featureEventDetail{Feature: e.Feature, TermsID: e.TermsID, Reason: e.Reason}
	if !e.TermsAt.IsZero() {
		d.TermsAt = Micros(e.TermsAt)
	}
	return d
}

// History implements feature.Store: the account's feature and terms
// events of the audit trail (the operator's audit query).
func (s *FeatureStore) History(ctx context.Context, accountID string, limit int) (_ []feature.Event, err error) {
	defer apperr.Op(&err, "storage.FeatureStore.History(%s)", accountID)
	evs, err := auditEvents(ctx, s.db, audit.Filter{Subject: featureSubject(accountID),
		ActionPrefixes: []string{"feature.", "terms."}, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := []feature.Event{}
	for _, ae := range evs {
		var d featureEventDetail
		if err := json.Unmarshal(ae.Detail, &d); err != nil {
			return nil, err
		}
		e := feature.Event{ID: ae.ID, At: ae.At, Actor: ae.Actor, Action: ae.Action,
			Feature: d.Feature, TermsID: d.TermsID, Reason: d.Reason}
		if d.TermsAt != 0 {
			e.TermsAt = Time(d.TermsAt)
		}
		out = append(out, e)
	}
	return out, nil
}
