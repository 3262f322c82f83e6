package storage

import (
	"context"
	"database/sql"
	"fmt"
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

// attemptNote is what the subscription's failure state learns from an
// attempt.
type attemptNote struct {
	sub     string
	failed  bool
	at      int64
	disable string
}

// record stores each outcome on the deliveries its claim still holds,
// appends their attempts, and keeps the subscriptions' failure state
// (from those and the spans' POSTs).
func record(ctx context.Context, tx *Tx, outcomes []webhook.Outcome, spans []webhook.Progress, c webhook.Claim) error {
	if err := recordDelivered(ctx, tx, outcomes, Micros(c.Now)); err != nil {
		return err
	}
	var notes []attemptNote
	for _, o := range outcomes {
		if o.Status != webhook.Delivered {
			if err := recordOne(ctx, tx, o); err != nil {
				return err
			}
		}
		notes = append(notes, attemptNote{o.SubscriptionID, o.Attempt.ErrorClass != "", Micros(o.Attempt.At), o.Disable})
	}
	for _, p := range spans {
		for _, st := range p.Sent {
			notes = append(notes, attemptNote{p.SubscriptionID, st.Attempt.ErrorClass != "", Micros(st.Attempt.At), st.Disable})
		}
	}
	return noteAttempts(ctx, tx, notes, c)
}

// noteAttempts keeps the subscriptions' failure state: a success clears
// failing_since, a failure sets it if unset, and a subscription failing
// since before the cutoff (or answered 410) is disabled.
func noteAttempts(ctx context.Context, tx *Tx, notes []attemptNote, c webhook.Claim) error {
	failing := map[string]int64{} // subscription -> earliest failure in this batch
	ok := map[string]bool{}
	for _, n := range notes {
		if !n.failed {
			ok[n.sub] = true
		} else if failing[n.sub] == 0 || n.at < failing[n.sub] {
			failing[n.sub] = n.at
		}
		if n.disable != "" {
			if err := disable(ctx, tx, n.sub, n.disable, n.at, ""); err != nil {
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
	if err := failPending(ctx, tx, sub, "subscription disabled: "+reason, at); err != nil {
		return err
	}
	return failStream(ctx, tx, sub, "subscription disabled: "+reason, at)
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
