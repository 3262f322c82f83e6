package storage

import (
	"context"
	"encoding/json"
	"github.com/verdant-baas/verdant/internal/apperr"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/outbox"
)

// OutboxStore implements outbox.Store: the outbox workers' claims.
type OutboxStore struct {
	db *DB
}

// NewOutboxStore returns the outbox store over db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ outbox.Store = (*OutboxStore)(nil)

// Enqueue writes an outbox message in the transaction, so it is delivered
// if and only if the business change commits. payload is JSON-encoded
// unless it is already []byte. It answers the message id.
func (tx *Tx) Enqueue(ctx context.Context, topic string, payload any, now time.Time) (string, error) {
	b, ok := payload.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(payload); err != nil {
			return "", err
		}
	}
	id := uuid.Must(uuid.NewV7()).String()
	_, err := tx.Exec(ctx, `INSERT INTO outbox (id, topic, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, topic, string(b), Micros(now), Micros(now))
	return id, err
}

// Claim implements outbox.Store. On PostgreSQL, SKIP LOCKED lets
// several nodes claim disjoint batches; on SQLite the write transaction
// is exclusive.
func (s *OutboxStore) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []outbox.Message, err error) {
	defer apperr.Op(&err, "storage.OutboxStore.Claim()")
	skip := ""
	if s.db.Engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var out []outbox.Message
	err = s.db.Tx(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE outbox SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
			ORDER BY next_attempt_at, id LIMIT ?`+skip+`)
			RETURNING id, topic, payload, attempts, created_at`,
			Micros(now.Add(lease)), Micros(now), Micros(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m outbox.Message
			var payload string
			var created int64
			if err := rows.Scan(&m.ID, &m.Topic, &payload, &m.Attempts, &created); err != nil {
				return err
			}
			m.Payload, m.CreatedAt, m.LeaseUntil = []byte(payload), Time(created), Time(Micros(now.Add(lease)))
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// Complete implements outbox.Store. The attempts count identifies
// the claim: a worker whose lease lapsed and was claimed again changes
// nothing.
func (s *OutboxStore) Complete(ctx context.Context, m outbox.Message, now time.Time) (err error) {
	defer apperr.Op(&err, "storage.OutboxStore.Complete(%s)", m.ID)
	_, err = s.db.Exec(ctx, `UPDATE outbox SET status = 'delivered', delivered_at = ?, lease_until = 0, last_error = ''
		WHERE id = ? AND attempts = ? AND status = 'pending'`, Micros(now), m.ID, m.Attempts)
	return err
}

// Retry implements outbox.Store, guarded like Complete.
func (s *OutboxStore) Retry(ctx context.Context, m outbox.Message, next time.Time, errMsg string, dead bool) (err error) {
	defer apperr.Op(&err, "storage.OutboxStore.Retry(%s)", m.ID)
	status := "pending"
	if dead {
		status = "dead"
	}
	if len(errMsg) > 500 {
		errMsg = errMsg[:500]
	}
	_, err = s.db.Exec(ctx, `UPDATE outbox SET status = ?, next_attempt_at = ?, lease_until = 0, last_error = ?
		WHERE id = ? AND attempts = ? AND status = 'pending'`, status, Micros(next), errMsg, m.ID, m.Attempts)
	return err
}

// Status answers a message's status, attempts and last error (for
// operators and tests).
func (s *OutboxStore) Status(ctx context.Context, id string) (status string, attempts int, lastErr string, err error) {
	defer apperr.Op(&err, "storage.OutboxStore.Status(%s)", id)
	err = s.db.QueryRow(ctx, `SELECT status, attempts, last_error FROM outbox WHERE id = ?`, id).Scan(&status, &attempts, &lastErr)
	return status, attempts, lastErr, notFound(err, "outbox message not found")
}
