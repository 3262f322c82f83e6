package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// Recording what became of the messages of delivery rows, and of the
// subscriptions' failure state (webhook_queue.go claims them).

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
