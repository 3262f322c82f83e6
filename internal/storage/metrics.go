package storage

import (
	"context"
	"database/sql"
	"github.com/verdant-baas/verdant/internal/apperr"

	"github.com/verdant-baas/verdant/internal/outbox"
)

// PoolStats answers database/sql's statistics for each connection pool,
// by pool name: SQLite has a one-connection "write" pool and a "read"
// pool; PostgreSQL has one pool for both, "readwrite".
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.r == db.w {
		return map[string]sql.DBStats{"readwrite": db.w.Stats()}
	}
	return map[string]sql.DBStats{"write": db.w.Stats(), "read": db.r.Stats()}
}

// Depth answers how many outbox messages are undelivered and when
// the oldest pending one was written. Delivered rows, the bulk of the
// table, are skipped through the (status, next_attempt_at) index, so the
// query stays cheap enough to run at every scrape.
func (s *OutboxStore) Depth(ctx context.Context) (_ outbox.Depth, err error) {
	defer apperr.Op(&err, "storage.OutboxStore.Depth()")
	var d outbox.Depth
	rows, err := s.db.Query(ctx, `SELECT status, COUNT(*), MIN(created_at) FROM outbox
		WHERE status IN ('pending', 'dead') GROUP BY status`)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n, oldest int64
		if err := rows.Scan(&status, &n, &oldest); err != nil {
			return d, err
		}
		if status == "dead" {
			d.Dead = n
			continue
		}
		d.Pending, d.OldestPending = n, Time(oldest)
	}
	return d, rows.Err()
}
