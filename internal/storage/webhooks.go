package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// WebhookStore implements webhook.Store and webhook.Queue.
type WebhookStore struct{ db *DB }

var (
	_ webhook.Store = (*WebhookStore)(nil)
	_ webhook.Queue = (*WebhookStore)(nil)
)

// NewWebhookStore returns the webhook store over db.
func NewWebhookStore(db *DB) *WebhookStore {
	db.PrepareWrites(context.Background(), qSubscribers, qStreamHead, qInsertStreamEvent)
	return &WebhookStore{db: db}
}

const subscriptionCols = `id, program_code, url, event_types, enabled, retries, secret_sealed, secret_key_id,
	previous_sealed, previous_key_id, previous_until, disabled_reason, disabled_at, failing_since, created_at, updated_at`

func scanSubscription(row interface{ Scan(...any) error }) (webhook.Subscription, error) {
	var s webhook.Subscription
	var types string
	var prevUntil, disabledAt, failing, created, updated int64
	err := row.Scan(&s.ID, &s.ProgramCode, &s.URL, &types, &s.Enabled, &s.Retries, &s.Secret.Value, &s.Secret.KeyID,
		&s.Previous.Value, &s.Previous.KeyID, &prevUntil, &s.DisabledReason, &disabledAt, &failing, &created, &updated)
	s.EventTypes = parseList(types)
	s.PreviousUntil, s.DisabledAt, s.FailingSince = optTime(prevUntil), optTime(disabledAt), optTime(failing)
	s.CreatedAt, s.UpdatedAt = Time(created), Time(updated)
	return s, err
}

// optTime is Time with 0 as the zero time.
func optTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return Time(us)
}

// optMicros is Micros with the zero time as 0.
func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return Micros(t)
}

var errSubscriptionNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "webhook subscription not found"}

func errDuplicateURL() error {
	return &apperr.Error{Kind: apperr.Conflict, Field: "url", Message: "the program already has a webhook subscription with this url"}
}

// CreateSubscription implements webhook.Store.
func (s *WebhookStore) CreateSubscription(ctx context.Context, sub webhook.Subscription, ev webhook.Audit) (err error) {
	defer apperr.Op(&err, "storage.WebhookStore.CreateSubscription(%s)", sub.ID)
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_subscriptions (`+subscriptionCols+`, event_mask)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(subscriptionArgs(sub), webhook.Mask(sub.EventTypes...))...); err != nil {
			return err
		}
		if err := startCursor(ctx, tx, sub); err != nil {
			return err
		}
		return auditSubscription(ctx, tx, ev, sub)
	})
	switch {
	case IsUniqueViolation(err):
		return errDuplicateURL()
	case IsForeignKeyViolation(err):
		return &apperr.Error{Kind: apperr.NotFound, Message: "program not found"}
	}
	return err
}

// auditSubscription records a subscription change under its program
// (what it now is; never a secret).
func auditSubscription(ctx context.Context, tx *Tx, ev webhook.Audit, sub webhook.Subscription) error {
	d := map[string]any{"subscriptionId": sub.ID}
	if ev.Action != webhook.AuditDeleted {
		d["url"], d["eventTypes"], d["enabled"], d["retries"] = sub.URL, sub.EventTypes, sub.Enabled, sub.Retries
	}
	if ev.Action == webhook.AuditRotated {
		d["previousUntil"] = sub.PreviousUntil
	}
	return tx.audit(ctx, Micros(ev.At), ev.Actor, ev.Action, programSubject(sub.ProgramCode), d)
}

func subscriptionArgs(s webhook.Subscription) []any {
	return []any{s.ID, s.ProgramCode, s.URL, jsonList(s.EventTypes), s.Enabled, s.Retries, s.Secret.Value, s.Secret.KeyID,
		s.Previous.Value, s.Previous.KeyID, optMicros(s.PreviousUntil), s.DisabledReason, optMicros(s.DisabledAt),
		optMicros(s.FailingSince), Micros(s.CreatedAt), Micros(s.UpdatedAt)}
}

// Subscription implements webhook.Store.
func (s *WebhookStore) Subscription(ctx context.Context, programCode, id string) (_ webhook.Subscription, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Subscription(%s, %s)", programCode, id)
	sub, err := scanSubscription(s.db.QueryRow(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions
		WHERE id = ? AND program_code = ?`, id, programCode))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, errSubscriptionNotFound
	}
	return sub, err
}

// Subscriptions implements webhook.Store.
func (s *WebhookStore) Subscriptions(ctx context.Context, programCode string) (_ []webhook.Subscription, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Subscriptions(%s)", programCode)
	rows, err := s.db.Query(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions WHERE program_code = ?
		ORDER BY created_at, id`, programCode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []webhook.Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// UpdateSubscription implements webhook.Store.
func (s *WebhookStore) UpdateSubscription(ctx context.Context, programCode, id string, ev webhook.Audit, fn func(*webhook.Subscription) error) (_ webhook.Subscription, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.UpdateSubscription(%s, %s)", programCode, id)
	var sub webhook.Subscription
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var err error
		sub, err = scanSubscription(tx.QueryRow(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions
			WHERE id = ? AND program_code = ?`+tx.ForUpdate(), id, programCode))
		if errors.Is(err, sql.ErrNoRows) {
			return errSubscriptionNotFound
		}
		if err != nil {
			return err
		}
		wasEnabled := sub.Enabled
		if err := fn(&sub); err != nil {
			return err
		}
		a := subscriptionArgs(sub) // id, program_code, then the columns below in order
		_, err = tx.Exec(ctx, `UPDATE webhook_subscriptions SET url = ?, event_types = ?, enabled = ?, retries = ?,
			secret_sealed = ?, secret_key_id = ?, previous_sealed = ?, previous_key_id = ?, previous_until = ?,
			disabled_reason = ?, disabled_at = ?, failing_since = ?, updated_at = ?, event_mask = ? WHERE id = ?`,
			a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[15], webhook.Mask(sub.EventTypes...), sub.ID)
		if IsUniqueViolation(err) {
			return errDuplicateURL()
		}
		if err != nil {
			return err
		}
		if err := auditSubscription(ctx, tx, ev, sub); err != nil {
			return err
		}
		switch {
		case sub.Enabled && !wasEnabled:
			return restartCursor(ctx, tx, sub.ID)
		case !sub.Enabled:
			if err := failPending(ctx, tx, sub.ID, "subscription disabled", Micros(sub.UpdatedAt)); err != nil {
				return err
			}
			return failStream(ctx, tx, sub.ID, "subscription disabled", Micros(sub.UpdatedAt))
		}
		return nil
	})
	s.db.forgetWanted(programCode)
	return sub, err
}

// failPending gives up a subscription's pending deliveries (it was
// disabled); they stay replayable.
func failPending(ctx context.Context, tx *Tx, subscriptionID, reason string, at int64) error {
	_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', lease_until = 0, last_error = ?, updated_at = ?
		WHERE subscription_id = ? AND status = 'pending'`, reason, at, subscriptionID)
	return err
}

// DeleteSubscription implements webhook.Store. Events left with no
// delivery are pruned later.
func (s *WebhookStore) DeleteSubscription(ctx context.Context, programCode, id string, ev webhook.Audit) (err error) {
	defer apperr.Op(&err, "storage.WebhookStore.DeleteSubscription(%s, %s)", programCode, id)
	defer s.db.forgetWanted(programCode)
	return s.db.Tx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM webhook_subscriptions WHERE id = ? AND program_code = ?`+tx.ForUpdate(),
			id, programCode).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return errSubscriptionNotFound
		} else if err != nil {
			return err
		}
		// Lock its cursor and deliveries first: an outcome being recorded
		// meanwhile either committed (what it wrote is deleted below) or
		// waits and then finds nothing to record.
		if _, err := tx.Exec(ctx, `UPDATE webhook_cursors SET lease_until = 0 WHERE subscription_id = ?`, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM webhook_deliveries WHERE program_code = ? AND subscription_id = ?`+
			tx.ForUpdate(), programCode, id)
		if err != nil {
			return err
		}
		for rows.Next() { // every row read is locked
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE program_code = ? AND subscription_id = ?)`,
			`DELETE FROM webhook_deliveries WHERE program_code = ? AND subscription_id = ?`,
			`DELETE FROM webhook_posts WHERE program_code = ? AND subscription_id = ?`,
			`DELETE FROM webhook_cursors WHERE program_code = ? AND subscription_id = ?`,
		} {
			if _, err := tx.Exec(ctx, q, programCode, id); err != nil {
				return err
			}
		}
		if _, err = tx.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id); err != nil {
			return err
		}
		return auditSubscription(ctx, tx, ev, webhook.Subscription{ID: id, ProgramCode: programCode})
	})
}

// qSubscribers finds the subscriptions that want an event (its type's
// bit in event_mask).
const qSubscribers = `SELECT 1 FROM webhook_subscriptions WHERE program_code = ? AND enabled AND (event_mask & ?) <> 0 LIMIT 1`

// Emit writes e if an enabled subscription of its program wants its
// type, when the transaction commits: the partner hears of a change if
// and only if it commits. With no such subscription it writes nothing
// (one indexed read).
func (tx *Tx) Emit(ctx context.Context, e webhook.Event) error {
	return tx.emitFunc(ctx, e.ProgramCode, e.Type, func() (webhook.Event, error) { return e, nil })
}

// subsKey names a subscriber lookup: a program and an event type.
type subsKey struct{ program, eventType string }

// wantedFor is how long a node remembers that a program has a subscriber
// for an event type: meanwhile its transactions write such events without
// asking again (one round trip less per transaction on PostgreSQL). An
// event written for a subscription deleted or disabled on another node
// meanwhile is only a wasted write (no cursor sends it); an answer of none
// is never remembered, so a new subscription hears of the next change.
const wantedFor = time.Second

// wants reports whether an enabled subscription of the program wants
// events of type eventType. The answer is kept for the rest of the
// transaction: what it read cannot change under it (SQLite's write
// transaction is exclusive; on PostgreSQL a subscription created
// meanwhile is one created after this change, which it need not hear of).
func (tx *Tx) wants(ctx context.Context, programCode, eventType string) (bool, error) {
	k := subsKey{programCode, eventType}
	if want, ok := tx.subs[k]; ok {
		return want, nil
	}
	if until, ok := tx.db.wanted.Load(k); ok && time.Now().Before(until.(time.Time)) {
		return true, nil
	}
	var rows *sql.Rows
	var err error
	if s, ok := tx.db.stmts.Load(stmtKey{tx.db.w, qSubscribers}); ok {
		rows, err = tx.tx.StmtContext(ctx, s.(*sql.Stmt)).QueryContext(ctx, programCode, webhook.Mask(eventType))
	} else {
		rows, err = tx.Query(ctx, qSubscribers, programCode, webhook.Mask(eventType))
	}
	if err != nil {
		return false, err
	}
	want := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if tx.subs == nil {
		tx.subs = map[subsKey]bool{}
	}
	tx.subs[k] = want
	if want {
		tx.db.wanted.Store(k, time.Now().Add(wantedFor))
	}
	return want, nil
}

// knowWants keeps what a statement of the transaction read of the
// program's subscribers (qSubscribers), as wants would.
func (tx *Tx) knowWants(programCode, eventType string, want bool) {
	if tx.subs == nil {
		tx.subs = map[subsKey]bool{}
	}
	tx.subs[subsKey{programCode, eventType}] = want
}

// forgetWanted drops what this node remembers of a program's subscribers
// (one of them changed here).
func (db *DB) forgetWanted(programCode string) {
	db.wanted.Range(func(k, _ any) bool {
		if k.(subsKey).program == programCode {
			db.wanted.Delete(k)
		}
		return true
	})
}

// insertTestEvent writes a test event (outside the program's stream) and
// its delivery to one subscription, due now, listed with the stream's
// latest.
func (tx *Tx) insertTestEvent(ctx context.Context, e webhook.Event, subscriptionID string) error {
	payload, err := e.JSON()
	if err != nil {
		return err
	}
	at := Micros(e.At)
	tx.emitted = true
	if _, err := tx.Exec(ctx, `INSERT INTO webhook_events (id, program_code, account_id, event_type, payload, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, e.ID, e.ProgramCode, e.AccountID, e.Type, string(payload), at); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, event_id, subscription_id, program_code, account_id, event_type,
		status, test, cycle_at, next_attempt_at, created_at, updated_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', TRUE, ?, ?, ?, ?, `+headSQL("?")+`)`,
		uuid.Must(uuid.NewV7()).String(), e.ID, subscriptionID, e.ProgramCode, e.AccountID, e.Type, at, at, at, at, e.ProgramCode)
	return err
}
