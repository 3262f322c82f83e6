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
	next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at, seq`

func scanDelivery(row interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var next, created, updated, delivered int64
	err := row.Scan(&d.ID, &d.EventID, &d.SubscriptionID, &d.ProgramCode, &d.AccountID, &d.EventType, &d.Status, &d.Test,
		&d.Attempts, &next, &d.LastStatus, &d.LastError, &created, &updated, &delivered, &d.Seq)
	if d.Status == webhook.Pending {
		d.NextAttemptAt = Time(next)
	}
	d.CreatedAt, d.UpdatedAt, d.DeliveredAt = Time(created), Time(updated), optTime(delivered)
	return d, err
}

var errDeliveryNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "webhook delivery not found"}

// Deliveries implements webhook.Store: newest first by stream position
// (webhook.Delivery.Seq) and identifier, keyset paging, merging the
// delivery rows (through their log index) with the streamed deliveries
// (webhook_log.go).
func (s *WebhookStore) Deliveries(ctx context.Context, f webhook.Filter) (_ []webhook.Delivery, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Deliveries()")
	before, err := s.position(ctx, f.Before)
	if err != nil {
		return nil, err
	}
	out, err := s.rowDeliveries(ctx, f, before)
	if err != nil || f.Status == webhook.Failed {
		return out, err
	}
	more, err := s.streamDeliveries(ctx, f, before)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	slices.SortFunc(out, func(a, b webhook.Delivery) int {
		return cmp.Or(cmp.Compare(b.Seq, a.Seq), strings.Compare(b.ID, a.ID))
	})
	return out[:min(len(out), f.Limit)], nil
}

// logColumns name, in one of the log's queries, the columns a filter
// reads.
type logColumns struct{ sub, typ, account, at string }

// logFilter is the conditions (with their arguments) of a filter's
// subscription, event type, account and time range.
func logFilter(f webhook.Filter, c logColumns) (where []string, args []any) {
	add := func(col, op string, v any) {
		where = append(where, col+" "+op+" ?")
		args = append(args, v)
	}
	if f.SubscriptionID != "" {
		add(c.sub, "=", f.SubscriptionID)
	}
	if f.EventType != "" {
		add(c.typ, "=", f.EventType)
	}
	if f.AccountID != "" {
		add(c.account, "=", f.AccountID)
	}
	if !f.From.IsZero() {
		add(c.at, ">=", Micros(f.From))
	}
	if !f.To.IsZero() {
		add(c.at, "<", Micros(f.To))
	}
	return where, args
}

// rowDeliveries answers up to f.Limit delivery rows f selects after
// before (nil: from the start).
func (s *WebhookStore) rowDeliveries(ctx context.Context, f webhook.Filter, before *logPosition) ([]webhook.Delivery, error) {
	where, args := logFilter(f, logColumns{"subscription_id", "event_type", "account_id", "created_at"})
	where, args = append(where, "program_code = ?"), append(args, f.ProgramCode)
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if before != nil {
		where = append(where, "(seq < ? OR (seq = ? AND id < ?))")
		args = append(args, before.seq, before.seq, before.id)
	}
	rows, err := s.db.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE `+strings.Join(where, " AND ")+`
		ORDER BY seq DESC, id DESC LIMIT ?`, append(args, f.Limit)...)
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
// sees an attempt also sees the schedule it led to. A streamed delivery
// that gets its row between the two reads is read again, as a row.
func (s *WebhookStore) Delivery(ctx context.Context, programCode, id string) (_ webhook.Delivery, _ []byte, _ []webhook.Attempt, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Delivery(%s, %s)", programCode, id)
	for try := 0; ; try++ {
		d, payload, attempts, err := s.delivery(ctx, programCode, id)
		if err != errDeliveryNotFound || try > 0 {
			return d, payload, attempts, err
		}
	}
}

func (s *WebhookStore) delivery(ctx context.Context, programCode, id string) (webhook.Delivery, []byte, []webhook.Attempt, error) {
	attempts, err := s.attempts(ctx, id)
	if err != nil {
		return webhook.Delivery{}, nil, nil, err
	}
	d, err := scanDelivery(s.db.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ? AND program_code = ?`,
		id, programCode))
	// A row's event is in webhook_events; a streamed delivery's in the
	// stream.
	post, q, args := "", `SELECT payload FROM webhook_events WHERE id = ?`, []any{d.EventID}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if d, post, err = s.streamed(ctx, s.db, programCode, id); err != nil {
			return d, nil, nil, err
		}
		q, args = `SELECT payload FROM webhook_stream WHERE program_code = ? AND seq = ?`, []any{programCode, d.Seq}
	case err != nil:
		return d, nil, nil, err
	default:
		if post, err = s.postOf(ctx, d); err != nil {
			return d, nil, nil, err
		}
	}
	// A POST that delivered the event before it had a row is its first
	// attempt.
	first, err := s.postAttempts(ctx, post)
	if err != nil {
		return d, nil, nil, err
	}
	var payload string
	if err := s.db.QueryRow(ctx, q, args...).Scan(&payload); err != nil {
		return d, nil, nil, err
	}
	return d, []byte(payload), append(first, attempts...), nil
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
	for try := 0; ; try++ { // as Delivery: a row made meanwhile is read as a row
		d, err := s.redeliver(ctx, programCode, id, now)
		if err != errDeliveryNotFound || try > 0 {
			return d, err
		}
	}
}

func (s *WebhookStore) redeliver(ctx context.Context, programCode, id string, now time.Time) (webhook.Delivery, error) {
	var d webhook.Delivery
	err := s.db.Tx(ctx, func(tx *Tx) error {
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
