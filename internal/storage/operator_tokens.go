package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

var errTokenNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "token not found"}

const tokenCols = `id, operator_id, name, created_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (operator.Token, error) {
	var t operator.Token
	var created, revoked int64
	err := row.Scan(&t.ID, &t.OperatorID, &t.Name, &created, &revoked)
	t.CreatedAt = Time(created)
	if revoked != 0 {
		t.RevokedAt = Time(revoked)
	}
	return t, err
}

// CreateToken implements operator.TokenStore.
func (s *OperatorStore) CreateToken(ctx context.Context, t operator.Token, hash string, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.CreateToken(%s, %s)", t.OperatorID, t.ID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO operator_tokens (`+tokenCols+`, token_hash) VALUES (?, ?, ?, ?, 0, ?)`,
			t.ID, t.OperatorID, t.Name, Micros(t.CreatedAt), hash); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
}

// Tokens implements operator.TokenStore.
func (s *OperatorStore) Tokens(ctx context.Context, operatorID string) (_ []operator.Token, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.Tokens(%s)", operatorID)
	rows, err := s.db.Query(ctx, `SELECT `+tokenCols+` FROM operator_tokens WHERE operator_id = ? ORDER BY id DESC`, operatorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []operator.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements operator.TokenStore.
func (s *OperatorStore) RevokeToken(ctx context.Context, operatorID, tokenID string, ev operator.Event) (_ operator.Token, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.RevokeToken(%s, %s)", operatorID, tokenID)
	var t operator.Token
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM operator_tokens WHERE id = ? AND operator_id = ?`+tx.ForUpdate(),
			tokenID, operatorID))
		if err != nil || !t.RevokedAt.IsZero() {
			return notFoundAs(err, errTokenNotFound)
		}
		t.RevokedAt = ev.At
		if _, err := tx.Exec(ctx, `UPDATE operator_tokens SET revoked_at = ? WHERE id = ?`, Micros(ev.At), tokenID); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
	return t, err
}

// TokenOperator implements operator.TokenStore.
func (s *OperatorStore) TokenOperator(ctx context.Context, hash string) (_ operator.Operator, _ operator.Token, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.TokenOperator")
	var t operator.Token
	var created int64
	o, err := scanOperator(s.db.QueryRow(ctx, `SELECT o.id, o.email, o.name, o.roles, o.disabled, o.created_at, o.updated_at,
		t.id, t.name, t.created_at FROM operator_tokens t JOIN operators o ON o.id = t.operator_id
		WHERE t.token_hash = ? AND t.revoked_at = 0`, hash), &t.ID, &t.Name, &created)
	t.OperatorID, t.CreatedAt = o.ID, Time(created)
	return o, t, notFoundAs(err, errTokenNotFound)
}

// LoginAttempts implements operator.ThrottleStore.
func (s *OperatorStore) LoginAttempts(ctx context.Context, keys []string) (_ []operator.Attempts, err error) {
	defer apperr.Op(&err, "storage.OperatorStore.LoginAttempts")
	out := make([]operator.Attempts, 0, len(keys))
	for _, k := range keys {
		a, err := loadAttempts(ctx, s.db, k, "")
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func loadAttempts(ctx context.Context, q reader, key, lock string) (operator.Attempts, error) {
	a := operator.Attempts{Key: key}
	var start, locked int64
	err := q.QueryRow(ctx, `SELECT failures, window_start, locked_until FROM login_attempts WHERE key = ?`+lock, key).
		Scan(&a.Failures, &start, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	if start != 0 {
		a.WindowStart = Time(start)
	}
	if locked != 0 {
		a.LockedUntil = Time(locked)
	}
	return a, nil
}

func micros0(a operator.Attempts) (start, locked int64) {
	if !a.WindowStart.IsZero() {
		start = Micros(a.WindowStart)
	}
	if !a.LockedUntil.IsZero() {
		locked = Micros(a.LockedUntil)
	}
	return start, locked
}

// FailLogin implements operator.ThrottleStore. Each key's row is created
// if missing and then locked, so concurrent failures on any node all count.
func (s *OperatorStore) FailLogin(ctx context.Context, keys []string,
	decide func([]operator.Attempts) ([]operator.Attempts, operator.Event)) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.FailLogin")
	return s.db.Tx(ctx, func(tx *Tx) error {
		var cur []operator.Attempts
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO login_attempts (key) VALUES (?) ON CONFLICT (key) DO NOTHING`, k); err != nil {
				return err
			}
			a, err := loadAttempts(ctx, tx, k, tx.ForUpdate())
			if err != nil {
				return err
			}
			cur = append(cur, a)
		}
		next, ev := decide(cur)
		for _, a := range next {
			start, locked := micros0(a)
			if _, err := tx.Exec(ctx, `UPDATE login_attempts SET failures = ?, window_start = ?, locked_until = ? WHERE key = ?`,
				a.Failures, start, locked, a.Key); err != nil {
				return err
			}
		}
		return writeEvent(ctx, tx, ev)
	})
}

// SucceedLogin implements operator.ThrottleStore.
func (s *OperatorStore) SucceedLogin(ctx context.Context, key string) (err error) {
	defer apperr.Op(&err, "storage.OperatorStore.SucceedLogin")
	_, err = s.db.Exec(ctx, `DELETE FROM login_attempts WHERE key = ?`, key)
	return err
}
