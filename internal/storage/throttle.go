package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/throttle"
)

// ThrottleStore implements throttle.Store: failed authentication counts.
type ThrottleStore struct {
	db *DB
}

// NewThrottleStore returns the throttle store over db.
func NewThrottleStore(db *DB) *ThrottleStore { return &ThrottleStore{db: db} }

var _ throttle.Store = (*ThrottleStore)(nil)

// Count implements throttle.Store.
func (s *ThrottleStore) Count(ctx context.Context, scope, client string) (_ throttle.Count, err error) {
	defer apperr.Op(&err, "storage.ThrottleStore.Count(%s)", scope)
	var c throttle.Count
	var start int64
	err = s.db.QueryRow(ctx, `SELECT failures, window_start FROM auth_failures WHERE scope = ? AND client = ?`,
		scope, client).Scan(&c.Failures, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return throttle.Count{}, nil
	}
	c.WindowStart = Time(start)
	return c, err
}

// Fail implements throttle.Store: one statement, so concurrent failures
// on any number of nodes each count. Windows that ended are deleted on
// the way (a spray of made-up client ids leaves no lasting rows).
func (s *ThrottleStore) Fail(ctx context.Context, scope, client string, now, expiredBefore time.Time) (_ throttle.Count, err error) {
	defer apperr.Op(&err, "storage.ThrottleStore.Fail(%s)", scope)
	var c throttle.Count
	var start int64
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM auth_failures WHERE window_start <= ? AND NOT (scope = ? AND client = ?)`,
			Micros(expiredBefore), scope, client); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO auth_failures (scope, client, window_start, failures) VALUES (?, ?, ?, 1)
			ON CONFLICT (scope, client) DO UPDATE SET
			failures = CASE WHEN auth_failures.window_start <= ? THEN 1 ELSE auth_failures.failures + 1 END,
			window_start = CASE WHEN auth_failures.window_start <= ? THEN excluded.window_start ELSE auth_failures.window_start END
			RETURNING failures, window_start`,
			scope, client, Micros(now), Micros(expiredBefore), Micros(expiredBefore)).Scan(&c.Failures, &start)
	})
	c.WindowStart = Time(start)
	return c, err
}

// Clear implements throttle.Store.
func (s *ThrottleStore) Clear(ctx context.Context, scope, client string) (err error) {
	defer apperr.Op(&err, "storage.ThrottleStore.Clear(%s)", scope)
	_, err = s.db.Exec(ctx, `DELETE FROM auth_failures WHERE scope = ? AND client = ?`, scope, client)
	return err
}
