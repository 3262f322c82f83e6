package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// OperatorStore implements operator.Store: operators, their API tokens
// and the sign-in throttle.
type OperatorStore struct{ db *DB }

// NewOperatorStore returns an OperatorStore over db.
func NewOperatorStore(db *DB) *OperatorStore { return &OperatorStore{db: db} }

var _ operator.Store = (*OperatorStore)(nil)

const operatorCols = `id, email, name, roles, disabled, created_at, updated_at`

func scanOperator(row interface{ Scan(...any) error }, extra ...any) (operator.Operator, error) {
	var o operator.Operator
	var roles string
	var created, updated int64
	dst := append([]any{&o.ID, &o.Email, &o.Name, &roles, &o.Disabled, &created, &updated}, extra...)
	if err := row.Scan(dst...); err != nil {
		return o, err
	}
	for _, r := range parseList(roles) {
		o.Roles = append(o.Roles, operator.Role(r))
	}
	o.CreatedAt, o.UpdatedAt = Time(created), Time(updated)
	return o, nil
}

func rolesJSON(rs []operator.Role) string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, string(r))
	}
	return jsonList(out)
}

// writeEvent records an operator event in the audit trail inside tx.
func writeEvent(ctx context.Context, tx *Tx, ev operator.Event) error {
	return tx.Audit(ctx, uuid.Must(uuid.NewV7()).String(), Micros(ev.At), ev.Actor, ev.Action, ev.Subject, ev.Detail)
}

var errOperatorNotFound = operator.ErrNotFound

// Create implements operator.Store.
func (s *OperatorStore) Create(ctx context.Context, o operator.Operator, hash string, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.Create(%s)", o.ID)
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO operators (`+operatorCols+`, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Email, o.Name, rolesJSON(o.Roles), o.Disabled, Micros(o.CreatedAt), Micros(o.UpdatedAt), hash); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
	if IsUniqueViolation(err) {
		return apperr.E(apperr.Conflict, "an operator with email %s already exists", o.Email)
	}
	return err
}

// Operator implements operator.Store.
func (s *OperatorStore) Operator(ctx context.Context, id string) (_ operator.Operator, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.Operator(%s)", id)
	o, err := scanOperator(s.db.QueryRow(ctx, `SELECT `+operatorCols+` FROM operators WHERE id = ?`, id))
	return o, notFoundAs(err, errOperatorNotFound)
}

// ByEmail implements operator.Store.
func (s *OperatorStore) ByEmail(ctx context.Context, email string) (_ operator.Operator, _ string, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.ByEmail")
	var hash string
	o, err := scanOperator(s.db.QueryRow(ctx, `SELECT `+operatorCols+`, password_hash FROM operators WHERE email = ?`, email), &hash)
	return o, hash, notFoundAs(err, errOperatorNotFound)
}

// List implements operator.Store.
func (s *OperatorStore) List(ctx context.Context, after string, limit int) (_ []operator.Operator, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.List")
	rows, err := s.db.Query(ctx, `SELECT `+operatorCols+` FROM operators WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []operator.Operator{}
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Change implements operator.Store.
func (s *OperatorStore) Change(ctx context.Context, id string, ev operator.Event,
	decide func(*operator.Operator) (operator.Change, error)) (_ operator.Operator, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.Change(%s)", id)
	var o operator.Operator
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var err error
		o, err = scanOperator(tx.QueryRow(ctx, `SELECT `+operatorCols+` FROM operators WHERE id = ?`+tx.ForUpdate(), id))
		if err != nil {
			return notFoundAs(err, errOperatorNotFound)
		}
		ch, err := decide(&o)
		if err != nil || ch.Action == "" {
			return err
		}
		o.UpdatedAt = ev.At
		if _, err := tx.Exec(ctx, `UPDATE operators SET name = ?, roles = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			o.Name, rolesJSON(o.Roles), o.Disabled, Micros(o.UpdatedAt), id); err != nil {
			return err
		}
		if o.Disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE operator_id = ?`, id); err != nil {
				return err
			}
		}
		ev.Action, ev.Detail = ch.Action, ch.Detail
		return writeEvent(ctx, tx, ev)
	})
	return o, err
}

// SetPassword implements operator.Store.
func (s *OperatorStore) SetPassword(ctx context.Context, id, hash, throttleKey string, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.SetPassword(%s)", id)
	return s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE operators SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, Micros(ev.At), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errOperatorNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE operator_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE key = ?`, throttleKey); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
}

// Record implements operator.Store.
func (s *OperatorStore) Record(ctx context.Context, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.Record(%s)", ev.Subject)
	return s.db.Tx(ctx, func(tx *Tx) error { return writeEvent(ctx, tx, ev) })
}

// notFoundAs maps sql.ErrNoRows to e.
func notFoundAs(err error, e *apperr.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return e
	}
	return err
}
