package storage

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/verdant-baas/verdant/internal/apperr"
	"strings"
	"time"

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
	rows, err := s.db.Query(ctx, `SELECT 1 FROM webhook_deliveries WHERE `+claimable+` LIMIT 1`, Micros(now), Micros(now))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// Exchange implements webhook.Queue.
func (s *WebhookStore) Exchange(ctx context.Context, outcomes []webhook.Outcome, c webhook.Claim) (_ webhook.Batch, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Exchange()")
	var b webhook.Batch
	err = s.db.Tx(ctx, func(tx *Tx) error {
		b = webhook.Batch{Lease: Time(Micros(c.Lease))}
		if err := record(ctx, tx, outcomes, c); err != nil {
			return err
		}
		if c.Limit <= 0 {
			return nil
		}
		return claim(ctx, tx, c, &b)
	})
	if err != nil || len(b.Deliveries) == 0 {
		return b, err
	}
	// Events and subscriptions are read after the commit: the claim holds
	// the rows, events never change, and on SQLite the single writer is
	// not kept waiting for the reads.
	if err := loadEvents(ctx, s.db, b.Deliveries); err != nil {
		return b, err
	}
	b.Subscriptions, err = loadSubscriptions(ctx, s.db, b.Deliveries)
	return b, err
}

// record stores each outcome on the deliveries its claim still holds,
// appends their attempts, and keeps the subscriptions' failure state.
func record(ctx context.Context, tx *Tx, outcomes []webhook.Outcome, c webhook.Claim) error {
	failing := map[string]int64{} // subscription -> earliest failure in this batch
	ok := map[string]bool{}
	if err := recordDelivered(ctx, tx, outcomes, Micros(c.Now)); err != nil {
		return err
	}
	for _, o := range outcomes {
		if o.Status != webhook.Delivered {
			if err := recordOne(ctx, tx, o); err != nil {
				return err
			}
		}
		if o.Attempt.ErrorClass == "" {
			ok[o.SubscriptionID] = true
		} else if t := Micros(o.Attempt.At); failing[o.SubscriptionID] == 0 || t < failing[o.SubscriptionID] {
			failing[o.SubscriptionID] = t
		}
		if o.Disable != "" {
			if err := disable(ctx, tx, o.SubscriptionID, o.Disable, Micros(o.Attempt.At), ""); err != nil {
				return err
			}
		}
	}
	for sub := range ok {
		if _, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET failing_since = 0 WHERE id = ? AND failing_since <> 0`, sub); err != nil {
			return err
		}
	}
	for sub, since := range failing {
		if ok[sub] {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET failing_since = ? WHERE id = ? AND failing_since = 0`, since, sub); err != nil {
			return err
		}
		reason := "every attempt failed for " + days(c.Now.Sub(c.FailingCutoff))
		if err := disable(ctx, tx, sub, reason, Micros(c.Now), ` AND failing_since > 0 AND failing_since <= `+
			fmt.Sprint(Micros(c.FailingCutoff))); err != nil {
			return err
		}
	}
	return nil
}

// days names a period in days (hours below one day).
func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// recordDelivered records every acknowledged message at once: one
// UPDATE per claim and HTTP status, one INSERT of their attempts, so a
// busy cycle costs a few statements, not two per message.
func recordDelivered(ctx context.Context, tx *Tx, outcomes []webhook.Outcome, now int64) error {
	type key struct {
		lease  int64
		status int
	}
	groups := map[key][]webhook.Outcome{}
	var keys []key
	for _, o := range outcomes {
		if o.Status != webhook.Delivered {
			continue
		}
		k := key{Micros(o.Lease), o.Attempt.HTTPStatus}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], o)
	}
	for _, k := range keys {
		byDelivery := map[string]webhook.Outcome{}
		args := []any{k.status, now, now}
		for _, o := range groups[k] {
			for _, id := range o.DeliveryIDs {
				byDelivery[id] = o
				args = append(args, id)
			}
		}
		args = append(args, k.lease)
		rows, err := tx.Query(ctx, `UPDATE webhook_deliveries SET status = 'delivered', next_attempt_at = 0, lease_until = 0,
			last_status = ?, last_error = '', updated_at = ?, delivered_at = ?
			WHERE id IN (`+marks(len(byDelivery))+`) AND lease_until = ? AND status = 'pending' RETURNING id, attempts`, args...)
		if err != nil {
			return err
		}
		if err := insertAttempts(ctx, tx, rows, func(id string) webhook.Outcome { return byDelivery[id] }); err != nil {
			return err
		}
	}
	return nil
}

// insertAttempts appends the attempt of each delivery rows answers (id,
// attempts), as its outcome says; it closes rows.
func insertAttempts(ctx context.Context, tx *Tx, rows *sql.Rows, outcome func(id string) webhook.Outcome) error {
	var ins []any
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return err
		}
		o := outcome(id)
		a := o.Attempt
		ins = append(ins, id, n, o.MessageID, a.RequestID, Micros(a.At), a.HTTPStatus, a.Latency.Microseconds(),
			a.ErrorClass, a.Error, a.Response)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ins) == 0 {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, message_id, request_id, attempted_at, http_status,
		latency_us, error_class, error, response) VALUES `+placeholders(len(ins)/10, 10), ins...)
	return err
}

func recordOne(ctx context.Context, tx *Tx, o webhook.Outcome) error {
	at := Micros(o.Attempt.At)
	delivered, next := int64(0), int64(0)
	switch o.Status {
	case webhook.Delivered:
		delivered = at
	case webhook.Pending:
		next = Micros(o.Next)
	}
	args := []any{o.Status, next, o.MessageID, o.Attempt.HTTPStatus, o.Attempt.Error, at, delivered}
	for _, id := range o.DeliveryIDs {
		args = append(args, id)
	}
	args = append(args, Micros(o.Lease))
	rows, err := tx.Query(ctx, `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, lease_until = 0, message_id = ?,
		last_status = ?, last_error = ?, updated_at = ?, delivered_at = ?
		WHERE id IN (`+marks(len(o.DeliveryIDs))+`) AND lease_until = ? AND status = 'pending'
		RETURNING id, attempts`, args...)
	if err != nil {
		return err
	}
	return insertAttempts(ctx, tx, rows, func(string) webhook.Outcome { return o })
}

// disable disables an enabled subscription (when cond, a trusted SQL
// fragment, also holds) and fails its pending deliveries.
func disable(ctx context.Context, tx *Tx, sub, reason string, at int64, cond string) error {
	res, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET enabled = FALSE, disabled_reason = ?, disabled_at = ?, updated_at = ?
		WHERE id = ? AND enabled`+cond, reason, at, at, sub)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return failPending(ctx, tx, sub, "subscription disabled: "+reason, at)
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

func loadSubscriptions(ctx context.Context, q reader, ds []webhook.Claimed) (map[string]webhook.Subscription, error) {
	out := map[string]webhook.Subscription{}
	var args []any
	for _, d := range ds {
		if _, ok := out[d.SubscriptionID]; !ok {
			out[d.SubscriptionID] = webhook.Subscription{}
			args = append(args, d.SubscriptionID)
		}
	}
	clear(out)
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

// Prune implements webhook.Queue, one program at a time through its
// index.
func (s *WebhookStore) Prune(ctx context.Context, before time.Time, limit int) (_ int, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Prune()")
	cut := Micros(before)
	subs, err := s.db.Query(ctx, `SELECT DISTINCT program_code FROM webhook_subscriptions`)
	if err != nil {
		return 0, err
	}
	var ids []string
	for subs.Next() {
		var id string
		if err := subs.Scan(&id); err != nil {
			subs.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	subs.Close()
	total := 0
	for _, program := range ids {
		if total >= limit {
			break
		}
		err := s.db.Tx(ctx, func(tx *Tx) error {
			sel := `SELECT id FROM webhook_deliveries WHERE program_code = ? AND created_at < ? AND status = 'delivered'
				AND delivered_at < ? ORDER BY created_at LIMIT ?`
			args := []any{program, cut, cut, limit - total}
			if _, err := tx.Exec(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (`+sel+`)`, args...); err != nil {
				return err
			}
			res, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (`+sel+`)`, args...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += int(n)
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	// Events are UUIDv7: id order is time order, so ids below the
	// cutoff's prefix are the events older than it.
	_, err = s.db.Exec(ctx, `DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.id < ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.program_code = e.program_code
		AND d.created_at = e.created_at AND d.event_id = e.id) LIMIT ?)`, uuidPrefix(before), limit)
	return total, err
}

// uuidPrefix is the start of a UUIDv7 minted at t: ids that sort below it
// were minted before t (to the millisecond).
func uuidPrefix(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

// Backlog implements webhook.Queue.
func (s *WebhookStore) Backlog(ctx context.Context) (_ int, _ time.Time, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Backlog()")
	var n int
	var oldest int64
	err = s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM webhook_deliveries WHERE status = 'pending'`).
		Scan(&n, &oldest)
	return n, optTime(oldest), err
}
