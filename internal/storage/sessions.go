package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/operator"
)

// SessionStore implements operator.SessionStore: console sessions, in the
// database so that any node serves any operator.
type SessionStore struct{ db *DB }

// NewSessionStore returns a SessionStore over db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

var _ operator.SessionStore = (*SessionStore)(nil)

// CreateSession implements operator.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, ss operator.Session, ev operator.Event) error {
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO console_sessions (id, operator_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)`,
			ss.ID, ss.OperatorID, ss.CSRF, Micros(ss.CreatedAt), Micros(ss.SeenAt)); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
}

// SessionOperator implements operator.SessionStore.
func (s *SessionStore) SessionOperator(ctx context.Context, id string) (operator.Session, operator.Operator, error) {
	ss := operator.Session{ID: id}
	var created, seen int64
	o, err := scanOperator(s.db.QueryRow(ctx, `SELECT o.id, o.email, o.name, o.roles, o.disabled, o.created_at, o.updated_at,
		s.csrf, s.created_at, s.seen_at FROM console_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id = ?`, id),
		&ss.CSRF, &created, &seen)
	ss.OperatorID, ss.CreatedAt, ss.SeenAt = o.ID, Time(created), Time(seen)
	return ss, o, notFoundAs(err, operator.ErrSessionExpired)
}

// TouchSession implements operator.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, id string, seen time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE console_sessions SET seen_at = ? WHERE id = ? AND seen_at < ?`, Micros(seen), id, Micros(seen))
	return err
}

// DeleteSession implements operator.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, id string, ev operator.Event) error {
	return s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return writeEvent(ctx, tx, ev)
	})
}

// DeleteIdleSessions implements operator.SessionStore.
func (s *SessionStore) DeleteIdleSessions(ctx context.Context, idle, born time.Time) (int, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM console_sessions WHERE seen_at < ? OR created_at < ?`, Micros(idle), Micros(born))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
