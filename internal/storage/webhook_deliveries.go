package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

const deliveryCols = `id, event_id, subscription_id, program_code, account_id, event_type, status, test, attempts,
	next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var next, created, updated, delivered int64
	err := row.Scan(&d.ID, &d.EventID, &d.SubscriptionID, &d.ProgramCode, &d.AccountID, &d.EventType, &d.Status, &d.Test,
		&d.Attempts, &next, &d.LastStatus, &d.LastError, &created, &updated, &delivered)
	if d.Status == webhook.Pending {
		d.NextAttemptAt = Time(next)
	}
	d.CreatedAt, d.UpdatedAt, d.DeliveredAt = Time(created), Time(updated), optTime(delivered)
	return d, err
}

var errDeliveryNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "webhook delivery not found"}

// Deliveries implements webhook.Store: newest first, keyset paging on
// (created_at, id), merging the delivery rows (through the program's
// index) with the streamed deliveries (webhook_log.go).
func (s *WebhookStore) Deliveries(ctx context.Context, f webhook.Filter) (_ []webhook.Delivery, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Deliveries()")
	out, err := s.rowDeliveries(ctx, f)
	if err != nil || f.Status == webhook.Failed {
		return out, err
	}
	more, err := s.streamDeliveries(ctx, f)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	slices.SortFunc(out, func(a, b webhook.Delivery) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	return out[:min(len(out), f.Limit)], nil
}

// rowDeliveries answers the delivery rows f selects.
func (s *WebhookStore) rowDeliveries(ctx context.Context, f webhook.Filter) ([]webhook.Delivery, error) {
	where := []string{"program_code = ?"}
	args := []any{f.ProgramCode}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.SubscriptionID != "" {
		add("subscription_id = ?", f.SubscriptionID)
	}
	if f.EventType != "" {
		add("event_type = ?", f.EventType)
	}
	if f.AccountID != "" {
		add("account_id = ?", f.AccountID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if !f.From.IsZero() {
		add("created_at >= ?", Micros(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < ?", Micros(f.To))
	}
	if f.Before != nil {
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		at := Micros(f.Before.At)
		args = append(args, at, at, f.Before.ID)
	}
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE `+strings.Join(where, " AND ")+`
		ORDER BY created_at DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []webhook.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Delivery implements webhook.Store. The attempts are read before the
// delivery row, so the row is never older than its log: a reader that
// sees an attempt also sees the schedule it led to.
func (s *WebhookStore) Delivery(ctx context.Context, programCode, id string) (_ webhook.Delivery, _ []byte, _ []webhook.Attempt, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Delivery(%s, %s)", programCode, id)
	attempts, err := s.attempts(ctx, id)
	if err != nil {
		return webhook.Delivery{}, nil, nil, err
	}
	d, err := scanDelivery(s.db.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ? AND program_code = ?`,
		id, programCode))
	post := ""
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if d, post, err = s.streamed(ctx, s.db, programCode, id); err != nil {
			return d, nil, nil, err
		}
	case err != nil:
		return d, nil, nil, err
	default:
		post, err = s.postOf(ctx, d)
	}
	if err != nil {
		return d, nil, nil, err
	}
	// A POST that delivered the event before it had a row is its first
	// attempt.
	first, err := s.postAttempts(ctx, post)
	if err != nil {
		return d, nil, nil, err
	}
	attempts = append(first, attempts...)
	var payload string
	if err := s.db.QueryRow(ctx, `SELECT payload FROM webhook_events WHERE id = ?`, d.EventID).Scan(&payload); err != nil {
		return d, nil, nil, err
	}
	return d, []byte(payload), attempts, nil
}

// attempts answers a delivery's attempts, oldest first.
func (s *WebhookStore) attempts(ctx context.Context, id string) ([]webhook.Attempt, error) {
	rows, err := s.db.Query(ctx, `SELECT delivery_id, attempt, message_id, request_id, attempted_at, http_status, latency_us,
		error_class, error, response FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []webhook.Attempt{}
	for rows.Next() {
		var a webhook.Attempt
		var at, lat int64
		if err := rows.Scan(&a.DeliveryID, &a.N, &a.MessageID, &a.RequestID, &at, &a.HTTPStatus, &lat, &a.ErrorClass,
			&a.Error, &a.Response); err != nil {
			return nil, err
		}
		a.At, a.Latency = Time(at), time.Duration(lat)*time.Microsecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// Redeliver implements webhook.Store. A pending delivery is made due now
// with the rest of its message; a delivered or failed one becomes pending
// again as a message of its own with a fresh schedule.
func (s *WebhookStore) Redeliver(ctx context.Context, programCode, id string, now time.Time) (_ webhook.Delivery, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Redeliver(%s, %s)", programCode, id)
	var d webhook.Delivery
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var err error
		d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ? AND program_code = ?`+
			tx.ForUpdate(), id, programCode))
		us := Micros(now)
		if errors.Is(err, sql.ErrNoRows) {
			var post string
			if d, post, err = s.streamed(ctx, tx, programCode, id); err != nil || post == "" {
				return err // one not sent yet goes when the cursor reaches it
			}
			if err := redeliverStreamed(ctx, tx, d, post, us); err != nil {
				return err
			}
			d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`, id))
			return err
		}
		if err != nil {
			return err
		}
		if d.Status == webhook.Pending {
			_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?
				WHERE (id = ? OR (message_id <> '' AND message_id = (SELECT message_id FROM webhook_deliveries WHERE id = ?)))
				AND status = 'pending' AND lease_until <= ?`, us, us, id, id, us)
		} else {
			_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET `+resetDelivery+` WHERE id = ?`, us, us, us, id)
		}
		if err != nil {
			return err
		}
		d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`, id))
		return err
	})
	return d, err
}

// resetDelivery makes a delivery pending again, due now (cycle_at,
// next_attempt_at, updated_at) in a message of its own.
const resetDelivery = `status = 'pending', cycle_at = ?, next_attempt_at = ?, updated_at = ?, lease_until = 0,
	message_id = '', last_error = '', delivered_at = 0`

// Replay implements webhook.Store.
func (s *WebhookStore) Replay(ctx context.Context, r webhook.Replay, now time.Time) (_ int, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Replay()")
	us := Micros(now)
	q := `UPDATE webhook_deliveries SET ` + resetDelivery + ` WHERE program_code = ? AND subscription_id = ?`
	args := []any{us, us, us, r.ProgramCode, r.SubscriptionID}
	if r.FailedOnly {
		q += ` AND status = 'failed'`
	} else {
		q += ` AND status <> 'pending' AND created_at >= ? AND created_at < ?`
		args = append(args, Micros(r.From), Micros(r.To))
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		rows, _ := res.RowsAffected()
		n = int(rows)
		if r.FailedOnly {
			return nil
		}
		more, err := replayStreamed(ctx, tx, r, us)
		n += more
		return err
	})
	return n, err
}

// Enqueue implements webhook.Store.
func (s *WebhookStore) Enqueue(ctx context.Context, subscriptionID string, e webhook.Event) (_ webhook.Delivery, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Enqueue(%s)", subscriptionID)
	var d webhook.Delivery
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if err := tx.insertTestEvent(ctx, e, subscriptionID); err != nil {
			return err
		}
		var err error
		d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries
			WHERE program_code = ? AND created_at = ? AND event_id = ?`, e.ProgramCode, Micros(e.At), e.ID))
		return err
	})
	return d, err
}
