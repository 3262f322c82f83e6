package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// SessionStore implements operator.SessionStore: console sessions, in the
// database so that any node serves any operator.
type SessionStore struct{ db *DB }

// NewSessionStore returns a SessionStore over db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

var _ operator.SessionStore = (*SessionStore)(nil)

// Create implements operator.SessionStore.
func (s *SessionStore) Create(ctx context.Context, ss operator.Session, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.SessionStore.Create(%s)", ss.OperatorID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO console_sessions (id, operator_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)`,
			ss.ID, ss.OperatorID, ss.CSRF, Micros(ss.CreatedAt), Micros(ss.SeenAt)); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
}

// Session implements operator.SessionStore.
func (s *SessionStore) Session(ctx context.Context, id string) (_ operator.Session, _ operator.Operator, err error) {
	defer apperr.Op(&err, "storage.SessionStore.Session")
	ss := operator.Session{ID: id}
	var created, seen int64
	o, err := scanOperator(s.db.QueryRow(ctx, `SELECT o.id, o.email, o.name, o.roles, o.disabled, o.created_at, o.updated_at,
		s.csrf, s.created_at, s.seen_at FROM console_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id = ?`, id),
		&ss.CSRF, &created, &seen)
	ss.OperatorID, ss.CreatedAt, ss.SeenAt = o.ID, Time(created), Time(seen)
	return ss, o, notFoundAs(err, operator.ErrSessionExpired)
}

// Touch implements operator.SessionStore.
func (s *SessionStore) Touch(ctx context.Context, id string, seen time.Time) (err error) {
	defer apperr.Op(&err, "storage.SessionStore.Touch")
	_, err = s.db.Exec(ctx, `UPDATE console_sessions SET seen_at = ? WHERE id = ? AND seen_at < ?`, Micros(seen), id, Micros(seen))
	return err
}

// Delete implements operator.SessionStore.
func (s *SessionStore) Delete(ctx context.Context, id string, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.SessionStore.Delete")
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

// DeleteIdle implements operator.SessionStore.
func (s *SessionStore) DeleteIdle(ctx context.Context, idle, born time.Time) (_ int, err error) {
	defer apperr.Op(&err, "storage.SessionStore.DeleteIdle")
	res, err := s.db.Exec(ctx, `DELETE FROM console_sessions WHERE seen_at < ? OR created_at < ?`, Micros(idle), Micros(born))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
