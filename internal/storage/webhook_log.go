package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// The delivery log's deliveries without a row: a stream event that a
// subscription wants is pending while it lies after the subscription's
// cursor (enabled, of a type it wants), and delivered once an
// acknowledged POST covers it; its identifier is webhook.DeliveryID. A
// delivery row of the same identifier (a failure, a redelivery) stands
// in for it.

// streamCols are the columns a streamed delivery is read from: e is the
// event, w the subscription, c its cursor.
func (db *DB) streamCols() string {
	return `e.seq, e.id, w.id, e.program_code, e.account_id, e.event_type, e.created_at, ` +
		db.deliveryIDSQL("substr(w.id, 1, 24)", "e.seq") + `, COALESCE(` + postOfEvent("w.id") + `, '')`
}

const (
	// qStreamFrom joins each stream event with every subscription of its
	// program.
	qStreamFrom = ` FROM webhook_stream e JOIN webhook_subscriptions w ON w.program_code = e.program_code
		JOIN webhook_cursors c ON c.subscription_id = w.id`
	// the event lies after the subscription's cursor and is wanted.
	streamAhead = `(w.enabled AND e.seq > c.position AND (w.event_mask & `
)

// streamConds are the conditions on a streamed delivery of status ("":
// pending or delivered).
func (db *DB) streamConds(status string) string {
	ahead := streamAhead + eventBitSQL("e.event_type") + `) <> 0)`
	posted := postOfEvent("w.id") + ` IS NOT NULL`
	cond := `NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = ` + db.deliveryIDSQL("substr(w.id, 1, 24)", "e.seq") + `) AND `
	switch status {
	case webhook.Delivered:
		return cond + posted
	case webhook.Pending:
		return cond + ahead + ` AND NOT (` + posted + `)`
	}
	return cond + `(` + posted + ` OR ` + ahead + `)`
}

// scanStreamed reads a streamed delivery (streamCols) and answers it with
// the request id of the POST that delivered it ("" while pending).
func scanStreamed(row interface{ Scan(...any) error }) (webhook.Delivery, string, error) {
	var d webhook.Delivery
	var at int64
	var post string
	if err := row.Scan(&d.Seq, &d.EventID, &d.SubscriptionID, &d.ProgramCode, &d.AccountID, &d.EventType, &at, &d.ID, &post); err != nil {
		return d, "", err
	}
	d.CreatedAt, d.UpdatedAt = Time(at), Time(at)
	d.Status, d.NextAttemptAt = webhook.Pending, d.CreatedAt
	return d, post, nil
}

// streamDeliveries answers up to f.Limit streamed deliveries that f
// selects, after the log position before (nil: from the start), in the
// order of Deliveries.
func (s *WebhookStore) streamDeliveries(ctx context.Context, f webhook.Filter, before *logPosition) ([]webhook.Delivery, error) {
	where, args := logFilter(f, logColumns{"w.id", "e.event_type", "e.account_id", "e.created_at"})
	where, args = append(where, "e.program_code = ?", s.db.streamConds(f.Status)), append(args, f.ProgramCode)
	did := s.db.deliveryIDSQL("substr(w.id, 1, 24)", "e.seq")
	if before != nil {
		where = append(where, "(e.seq < ? OR (e.seq = ? AND "+did+" < ?))")
		args = append(args, before.seq, before.seq, before.id)
	}
	rows, err := s.db.Query(ctx, `SELECT `+s.db.streamCols()+qStreamFrom+` WHERE `+strings.Join(where, " AND ")+`
		ORDER BY e.seq DESC, `+did+` DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	var out []webhook.Delivery
	posts := map[int]string{}
	for rows.Next() {
		d, post, err := scanStreamed(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if post != "" {
			posts[len(out)] = post
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, post := range posts {
		as, err := s.postAttempts(ctx, post)
		if err != nil {
			return nil, err
		}
		delivered(&out[i], as)
	}
	return out, nil
}

// delivered marks d delivered by its POST's attempt.
func delivered(d *webhook.Delivery, as []webhook.Attempt) {
	if len(as) == 0 {
		return
	}
	a := as[len(as)-1]
	d.Status, d.NextAttemptAt, d.Attempts = webhook.Delivered, time.Time{}, len(as)
	d.LastStatus, d.UpdatedAt, d.DeliveredAt = a.HTTPStatus, a.At, a.At
}

// postAttempts answers the attempt of an acknowledged POST as the
// delivery log shows it (none if id is empty or pruned).
func (s *WebhookStore) postAttempts(ctx context.Context, id string) ([]webhook.Attempt, error) {
	if id == "" {
		return []webhook.Attempt{}, nil
	}
	var a webhook.Attempt
	var at, lat int64
	err := s.db.QueryRow(ctx, `SELECT message_id, request_id, attempted_at, http_status, latency_us, response
		FROM webhook_posts WHERE request_id = ?`, id).Scan(&a.MessageID, &a.RequestID, &at, &a.HTTPStatus, &lat, &a.Response)
	if errors.Is(err, sql.ErrNoRows) {
		return []webhook.Attempt{}, nil
	}
	a.N, a.At, a.Latency = 1, Time(at), time.Duration(lat)*time.Microsecond
	return []webhook.Attempt{a}, err
}

// streamed answers the streamed delivery named id (a webhook.DeliveryID
// of one of the program's subscriptions), and the POST that delivered it.
func (s *WebhookStore) streamed(ctx context.Context, q reader, programCode, id string) (webhook.Delivery, string, error) {
	prefix, seq, ok := webhook.ParseDeliveryID(id)
	if !ok {
		return webhook.Delivery{}, "", errDeliveryNotFound
	}
	d, post, err := scanStreamed(q.QueryRow(ctx, `SELECT `+s.db.streamCols()+qStreamFrom+`
		WHERE e.program_code = ? AND e.seq = ? AND substr(w.id, 1, 24) = ? AND `+s.db.streamConds(""), programCode, seq, prefix))
	if errors.Is(err, sql.ErrNoRows) {
		return d, "", errDeliveryNotFound
	}
	if err != nil || post == "" {
		return d, post, err
	}
	as, err := s.postAttempts(ctx, post)
	delivered(&d, as)
	return d, post, err
}

// postOf answers the request id of the POST that delivered a row's event
// to its subscription before the row was made ("" if none).
func (s *WebhookStore) postOf(ctx context.Context, d webhook.Delivery) (string, error) {
	if _, _, ok := webhook.ParseDeliveryID(d.ID); !ok || webhook.DeliveryID(d.SubscriptionID, 1)[:24] != d.ID[:24] {
		return "", nil
	}
	var post string
	err := s.db.QueryRow(ctx, `SELECT COALESCE(`+postOfSQL("?", "?", "?", "?")+`, '')`,
		d.Seq, d.EventType, d.SubscriptionID, d.AccountID, d.Seq).Scan(&post)
	return post, err
}

// redeliverStreamed makes a delivery row, due now, for a streamed
// delivery that was delivered (a pending one is sent anyway, as soon as
// the cursor reaches it).
func redeliverStreamed(ctx context.Context, tx *Tx, d webhook.Delivery, post string, now int64) error {
	if post == "" {
		return nil
	}
	if err := copyEvents(ctx, tx, ` FROM webhook_stream e WHERE e.program_code = ? AND e.seq = ?`, d.ProgramCode, d.Seq); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, event_id, subscription_id, program_code, account_id, event_type,
		status, attempts, cycle_at, next_attempt_at, created_at, updated_at, seq) VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?, ?)`,
		d.ID, d.EventID, d.SubscriptionID, d.ProgramCode, d.AccountID, d.EventType, now, now, Micros(d.CreatedAt), now, d.Seq)
	return err
}

// replayStreamed makes a delivery row, due now, for every streamed
// delivery of the subscription delivered with an event in [from, to),
// and answers how many.
func replayStreamed(ctx context.Context, tx *Tx, r webhook.Replay, now int64) (int, error) {
	from := qStreamFrom + ` WHERE e.program_code = ? AND w.id = ? AND e.created_at >= ? AND e.created_at < ? AND ` +
		tx.db.streamConds(webhook.Delivered)
	args := []any{r.ProgramCode, r.SubscriptionID, Micros(r.From), Micros(r.To)}
	if err := copyEvents(ctx, tx, from, args...); err != nil {
		return 0, err
	}
	res, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, event_id, subscription_id, program_code, account_id, event_type,
		status, attempts, cycle_at, next_attempt_at, created_at, updated_at, seq)
		SELECT `+tx.db.deliveryIDSQL("substr(w.id, 1, 24)", "e.seq")+`, e.id, w.id, e.program_code, e.account_id, e.event_type,
		'pending', 1, ?, ?, e.created_at, ?, e.seq`+from, append([]any{now, now, now}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// logPosition is a place in the delivery log's order: newest first by
// stream position (seq), then by identifier.
type logPosition struct {
	seq int64
	id  string
}

// position answers where the delivery named by p lies in the log: a
// row's recorded position, or the one a webhook.DeliveryID carries.
func (s *WebhookStore) position(ctx context.Context, p *webhook.Position) (*logPosition, error) {
	if p == nil {
		return nil, nil
	}
	lp := &logPosition{id: p.ID}
	err := s.db.QueryRow(ctx, `SELECT seq FROM webhook_deliveries WHERE id = ?`, p.ID).Scan(&lp.seq)
	if errors.Is(err, sql.ErrNoRows) {
		_, lp.seq, _ = webhook.ParseDeliveryID(p.ID)
		return lp, nil
	}
	return lp, err
}
