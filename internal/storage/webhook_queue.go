package storage

import (
	"context"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// The delivery worker's queue. A claim sets lease_until (which also
// identifies the claim: recording an outcome is guarded by it, so a
// worker whose lease lapsed and was claimed again changes nothing) and
// counts the attempt. A message sent before is claimed through its head
// row (message_id = id) and the rest of it follows, so a retry sends the
// same message; new rows are claimed singly and grouped by the worker.

// marks is "?, ?, ..." for n values.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

const claimable = `status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? AND (message_id = '' OR message_id = id)`

// Due implements webhook.Queue.
func (s *WebhookStore) Due(ctx context.Context, now time.Time) (_ bool, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Due()")
	us := Micros(now)
	for _, q := range []struct {
		sql  string
		args []any
	}{{`SELECT 1 FROM webhook_deliveries WHERE ` + claimable + ` LIMIT 1`, []any{us, us}}, {qCursorDue, []any{us}}} {
		rows, err := s.db.Query(ctx, q.sql, q.args...)
		if err != nil {
			return false, err
		}
		due := rows.Next()
		rows.Close()
		if err := rows.Err(); err != nil || due {
			return due, err
		}
	}
	return false, nil
}

// qCursorDue finds a free cursor of an enabled subscription with events
// after it.
var qCursorDue = `SELECT 1 FROM webhook_cursors c JOIN webhook_subscriptions w ON w.id = c.subscription_id
	WHERE w.enabled AND c.lease_until <= ? AND ` + headSQL("c.program_code") + ` > c.position LIMIT 1`

// Exchange implements webhook.Queue.
func (s *WebhookStore) Exchange(ctx context.Context, outcomes []webhook.Outcome, progress []webhook.Progress, c webhook.Claim) (_ webhook.Batch, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Exchange()")
	var b webhook.Batch
	// It reads what it claimed in the same transaction: on SQLite the
	// writer's page cache holds the new events, where a reader connection
	// would read every page again from the files since the last commit.
	// (It does not join the postings' group commit: behind a queue of
	// postings it would wait as long as they do, and a busy worker
	// commits only a few times a second.)
	err = s.db.Tx(ctx, func(tx *Tx) error {
		b = webhook.Batch{Lease: Time(Micros(c.Lease))}
		valid, lost, err := recordProgress(ctx, tx, progress, Micros(c.Lease))
		if err != nil {
			return err
		}
		b.Lost = lost
		if err := recordSent(ctx, tx, valid, Micros(c.Now)); err != nil {
			return err
		}
		if err := record(ctx, tx, outcomes, valid, c); err != nil {
			return err
		}
		if c.Limit > 0 {
			if err := claim(ctx, tx, c, &b); err != nil {
				return err
			}
		}
		spans, err := extendSpans(ctx, tx, c.Extend, Micros(c.Lease))
		if err != nil {
			return err
		}
		if c.Spans > 0 {
			claimed, err := claimSpans(ctx, tx, c)
			if err != nil {
				return err
			}
			spans = append(spans, claimed...)
		}
		return s.load(ctx, tx, &b, spans, c.SpanEvents)
	})
	return b, err
}

// load reads what an exchange claimed: the events of the deliveries, the
// subscriptions, and the spans' events.
func (s *WebhookStore) load(ctx context.Context, q reader, b *webhook.Batch, spans []cursorClaim, limit int) error {
	if len(b.Deliveries)+len(spans) == 0 {
		return nil
	}
	if len(b.Deliveries) > 0 {
		if err := loadEvents(ctx, q, b.Deliveries); err != nil {
			return err
		}
	}
	ids := map[string]bool{}
	for _, d := range b.Deliveries {
		ids[d.SubscriptionID] = true
	}
	for _, cc := range spans {
		ids[cc.span.SubscriptionID] = true
	}
	var err error
	if b.Subscriptions, err = loadSubscriptions(ctx, q, ids); err != nil {
		return err
	}
	for i := range spans {
		sub, ok := b.Subscriptions[spans[i].span.SubscriptionID]
		if !ok || !sub.Enabled {
			continue
		}
		if err := s.db.readSpan(ctx, q, &spans[i], sub, limit); err != nil {
			return err
		}
		b.Spans = append(b.Spans, spans[i].span)
	}
	return nil
}

// claim leases due deliveries into b. On PostgreSQL, SKIP LOCKED lets
// several nodes claim disjoint sets; SQLite's write transaction is
// exclusive.
func claim(ctx context.Context, tx *Tx, c webhook.Claim, b *webhook.Batch) error {
	now, lease := Micros(c.Now), Micros(c.Lease)
	skip, args := "", []any{lease, now, now}
	if len(c.Skip) > 0 {
		skip = ` AND subscription_id NOT IN (` + marks(len(c.Skip)) + `)`
		for _, id := range c.Skip {
			args = append(args, id)
		}
	}
	lock := ""
	if tx.Engine() == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	const cols = ` RETURNING id, event_id, subscription_id, account_id, message_id, attempts, cycle_at, created_at`
	heads, err := claimRows(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE `+claimable+skip+` ORDER BY next_attempt_at, id LIMIT ?`+lock+`)`+cols,
		append(args, c.Limit)...)
	if err != nil {
		return err
	}
	b.Deliveries = heads
	var msgs []any
	for _, d := range heads {
		if d.MessageID != "" {
			msgs = append(msgs, d.MessageID)
		}
	}
	if len(msgs) > 0 {
		rest, err := claimRows(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ?, attempts = attempts + 1
			WHERE message_id IN (`+marks(len(msgs))+`) AND message_id <> '' AND id <> message_id AND status = 'pending'`+cols,
			append([]any{lease}, msgs...)...)
		if err != nil {
			return err
		}
		b.Deliveries = append(b.Deliveries, rest...)
	}
	return nil
}

func claimRows(ctx context.Context, tx *Tx, q string, args ...any) ([]webhook.Claimed, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []webhook.Claimed
	for rows.Next() {
		var d webhook.Claimed
		var cycle, created int64
		if err := rows.Scan(&d.ID, &d.EventID, &d.SubscriptionID, &d.AccountID, &d.MessageID, &d.Attempt, &cycle, &created); err != nil {
			return nil, err
		}
		d.CycleAt, d.CreatedAt = Time(cycle), Time(created)
		out = append(out, d)
	}
	return out, rows.Err()
}

func loadEvents(ctx context.Context, q reader, ds []webhook.Claimed) error {
	ids := map[string]bool{}
	var args []any
	for _, d := range ds {
		if !ids[d.EventID] {
			ids[d.EventID] = true
			args = append(args, d.EventID)
		}
	}
	rows, err := q.Query(ctx, `SELECT id, payload FROM webhook_events WHERE id IN (`+marks(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	payloads := map[string][]byte{}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		payloads[id] = []byte(p)
	}
	for i := range ds {
		ds[i].Event = payloads[ds[i].EventID]
	}
	return rows.Err()
}

func loadSubscriptions(ctx context.Context, q reader, ids map[string]bool) (map[string]webhook.Subscription, error) {
	out := map[string]webhook.Subscription{}
	var args []any
	for id := range ids {
		args = append(args, id)
	}
	rows, err := q.Query(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions WHERE id IN (`+marks(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out[sub.ID] = sub
	}
	return out, rows.Err()
}
