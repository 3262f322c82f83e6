package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// Subscription cursors over the program streams (webhook_stream.go): a
// worker leases a cursor (lease_until, which also identifies the claim),
// reads the span after it once the claim commits, and records the span's
// POSTs and, when all have ended, the cursor's new position, guarded by
// the lease: a holder whose lease lapsed (and was taken) or whose
// subscription was disabled records nothing.

// deliveryIDSQL is webhook.DeliveryID in SQL, from an expression of the
// subscription identifier's first 24 characters and one of the position.
func (db *DB) deliveryIDSQL(prefix, seq string) string {
	if db.Engine == Postgres {
		return "(" + prefix + " || lpad(to_hex(" + seq + "), 12, '0'))"
	}
	return "(" + prefix + " || printf('%012x', " + seq + "))"
}

// eventBitSQL is webhook.Mask of the event type in column col.
func eventBitSQL(col string) string {
	var b strings.Builder
	b.WriteString("(CASE " + col)
	for _, t := range webhook.EventTypes {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", t, webhook.Mask(t))
	}
	b.WriteString(" ELSE 0 END)")
	return b.String()
}

// postOfSQL is the request_id of the acknowledged POST that delivered an
// event (the SQL expressions of its account, position and type) to the
// subscription whose id is the expression sub (NULL if none): the one
// range of the subscription and account that can hold the position
// (ranges never overlap).
func postOfSQL(sub, account, seq, typ string) string {
	return `(SELECT CASE WHEN p.first_seq <= ` + seq + ` AND (p.event_mask & ` + eventBitSQL(typ) + `) <> 0
		THEN p.request_id END FROM webhook_posts p WHERE p.subscription_id = ` + sub + `
		AND p.account_id = ` + account + ` AND p.last_seq >= ` + seq + ` ORDER BY p.last_seq LIMIT 1)`
}

// postOfEvent is postOfSQL for the stream event e.
func postOfEvent(sub string) string { return postOfSQL(sub, "e.account_id", "e.seq", "e.event_type") }

// unhandledSQL holds for a stream event e that the subscription (sub
// expressions: its id, and its first 24 characters) has neither a
// delivery row for nor delivered in a POST.
func (db *DB) unhandledSQL(sub, prefix string) string {
	return `NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = ` + db.deliveryIDSQL(prefix, "e.seq") + `)
		AND ` + postOfEvent(sub) + ` IS NULL`
}

// copyEvents copies stream events that get delivery rows into
// webhook_events, which the rows refer to (from is the FROM clause,
// with args, that selects them as e).
func copyEvents(ctx context.Context, tx *Tx, from string, args ...any) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhook_events (id, program_code, account_id, event_type, payload, created_at)
		SELECT e.id, e.program_code, e.account_id, e.event_type, e.payload, e.created_at`+from+` ON CONFLICT (id) DO NOTHING`,
		args...)
	return err
}

// cursorClaim is a cursor leased by claimSpans.
type cursorClaim struct {
	span     webhook.Span
	windowTo int64
}

// claimSpans leases up to c.Spans free cursors of enabled subscriptions
// with events after them. On PostgreSQL, SKIP LOCKED lets several nodes
// claim disjoint ones; SQLite's write transaction is exclusive.
func claimSpans(ctx context.Context, tx *Tx, c webhook.Claim) ([]cursorClaim, error) {
	lock := ""
	if tx.Engine() == Postgres {
		lock = " FOR UPDATE OF c SKIP LOCKED"
	}
	lease := Micros(c.Lease)
	rows, err := tx.Query(ctx, `UPDATE webhook_cursors SET lease_until = ? WHERE subscription_id IN (
		SELECT c.subscription_id FROM webhook_cursors c JOIN webhook_subscriptions w ON w.id = c.subscription_id
		WHERE w.enabled AND c.lease_until <= ? AND `+headSQL("c.program_code")+` > c.position
		ORDER BY c.lease_until LIMIT ?`+lock+`)
		RETURNING subscription_id, program_code, position, window_to`, lease, Micros(c.Now), c.Spans)
	if err != nil {
		return nil, err
	}
	var out []cursorClaim
	for rows.Next() {
		cc := cursorClaim{span: webhook.Span{Lease: Time(lease)}}
		if err := rows.Scan(&cc.span.SubscriptionID, &cc.span.ProgramCode, &cc.span.From, &cc.windowTo); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, cc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The head each span may read up to: committed, so every event below
	// it is visible to the read that follows the commit.
	for i := range out {
		if err := tx.QueryRow(ctx, qStreamHead, out[i].span.ProgramCode).Scan(&out[i].span.To); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readSpan reads the events of a claimed span that sub wants, at most
// limit; when it reads fewer, the span ends at the head, else at the last
// one read. Events up to the cursor's window_to that an earlier holder
// already handled are left out, and the rest there are sent alone.
func (db *DB) readSpan(ctx context.Context, q reader, cc *cursorClaim, sub webhook.Subscription, limit int) error {
	sp := &cc.span
	types := make([]any, len(sub.EventTypes))
	for i, t := range sub.EventTypes {
		types[i] = t
	}
	args := append([]any{sp.ProgramCode, sp.From, sp.To}, types...)
	args = append(args, cc.windowTo, sub.ID[:24], sub.ID, limit)
	rows, err := q.Query(ctx, `SELECT e.seq, e.id, e.account_id, e.event_type, e.payload, e.created_at FROM webhook_stream e
		WHERE e.program_code = ? AND e.seq > ? AND e.seq <= ? AND e.event_type IN (`+marks(len(types))+`)
		AND (e.seq > ? OR (`+db.unhandledSQL("CAST(? AS TEXT)", "CAST(? AS TEXT)")+`))
		ORDER BY e.seq LIMIT ?`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	sp.Events = nil
	for rows.Next() {
		var e webhook.StreamEvent
		var payload string
		var at int64
		if err := rows.Scan(&e.Seq, &e.ID, &e.AccountID, &e.Type, &payload, &at); err != nil {
			return err
		}
		e.Event, e.CreatedAt, e.Alone = []byte(payload), Time(at), e.Seq <= cc.windowTo
		sp.Events = append(sp.Events, e)
	}
	if len(sp.Events) == limit {
		sp.To = sp.Events[limit-1].Seq
	}
	return rows.Err()
}

// recordProgress records how far each held cursor got (its position, and
// the reach of what is recorded beyond it), renewing its lease until lease
// or ending it (Release), where the lease still holds; it answers the
// progress it may record, and the cursors whose lease no longer holds.
func recordProgress(ctx context.Context, tx *Tx, ps []webhook.Progress, lease int64) (valid []webhook.Progress, lost []string, err error) {
	const reach = `(CASE WHEN window_to > ? THEN window_to ELSE ? END)`
	for _, p := range ps {
		next := lease
		if p.Release {
			next = 0
		}
		res, err := tx.Exec(ctx, `UPDATE webhook_cursors SET position = CASE WHEN ? > position THEN ? ELSE position END,
			window_to = CASE WHEN `+reach+` > ? THEN `+reach+` ELSE 0 END, lease_until = ?
			WHERE subscription_id = ? AND lease_until = ?`, p.Position, p.Position, p.Reach, p.Reach, p.Position,
			p.Reach, p.Reach, next, p.SubscriptionID, Micros(p.Lease))
		if err != nil {
			return nil, nil, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			valid = append(valid, p)
		} else {
			lost = append(lost, p.SubscriptionID)
		}
	}
	return valid, lost, nil
}

// extendSpans reads the next span of each cursor whose lease (renewed by
// recordProgress) still holds, when its stream has events after From.
func extendSpans(ctx context.Context, tx *Tx, es []webhook.Extend, lease int64) ([]cursorClaim, error) {
	var out []cursorClaim
	for _, e := range es {
		cc := cursorClaim{span: webhook.Span{SubscriptionID: e.SubscriptionID, ProgramCode: e.ProgramCode, Lease: Time(lease),
			From: e.From}}
		err := tx.QueryRow(ctx, `SELECT window_to, `+headSQL("program_code")+` FROM webhook_cursors
			WHERE subscription_id = ? AND lease_until = ?`, e.SubscriptionID, lease).Scan(&cc.windowTo, &cc.span.To)
		if errors.Is(err, sql.ErrNoRows) {
			continue // lost, or let go
		}
		if err != nil {
			return nil, err
		}
		if cc.span.To > e.From {
			out = append(out, cc)
		}
	}
	return out, nil
}

// recordSent stores the POSTs of spans: a row per acknowledged one, and a
// delivery row (with its first attempt) per event of a failed one.
func recordSent(ctx context.Context, tx *Tx, ps []webhook.Progress, now int64) error {
	var posts, rows, attempts []any
	for _, p := range ps {
		var failed []any
		for _, s := range p.Sent {
			a := s.Attempt
			if s.Status == webhook.Delivered {
				posts = append(posts, a.RequestID, p.SubscriptionID, p.ProgramCode, s.AccountID, s.Events[0].Seq,
					s.Events[len(s.Events)-1].Seq, s.Mask, len(s.Events), s.MessageID, Micros(a.At), a.HTTPStatus,
					a.Latency.Microseconds(), a.Response)
				continue
			}
			next := int64(0)
			if s.Status == webhook.Pending {
				next = Micros(s.Next)
			}
			for _, e := range s.Events {
				id := webhook.DeliveryID(p.SubscriptionID, e.Seq)
				at := Micros(e.CreatedAt)
				failed = append(failed, e.Seq)
				rows = append(rows, id, e.ID, p.SubscriptionID, p.ProgramCode, s.AccountID, e.Type, s.Status, at, next,
					s.MessageID, a.HTTPStatus, a.Error, at, now, e.Seq)
				attempts = append(attempts, id, 1, s.MessageID, a.RequestID, Micros(a.At), a.HTTPStatus,
					a.Latency.Microseconds(), a.ErrorClass, a.Error, a.Response)
			}
		}
		for len(failed) > 0 {
			n := min(len(failed), 500)
			if err := copyEvents(ctx, tx, ` FROM webhook_stream e WHERE e.program_code = ? AND e.seq IN (`+marks(n)+`)`,
				append([]any{p.ProgramCode}, failed[:n]...)...); err != nil {
				return err
			}
			failed = failed[n:]
		}
	}
	if err := insertMany(ctx, tx, `INSERT INTO webhook_posts (request_id, subscription_id, program_code, account_id, first_seq,
		last_seq, event_mask, events, message_id, attempted_at, http_status, latency_us, response) VALUES `,
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 13, posts, ` ON CONFLICT (request_id) DO NOTHING`); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, `INSERT INTO webhook_deliveries (id, event_id, subscription_id, program_code, account_id,
		event_type, status, attempts, cycle_at, next_attempt_at, message_id, last_status, last_error, created_at, updated_at, seq)
		VALUES `, "(?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)", 15, rows, ` ON CONFLICT (id) DO NOTHING`); err != nil {
		return err
	}
	return insertMany(ctx, tx, `INSERT INTO webhook_attempts (delivery_id, attempt, message_id, request_id, attempted_at,
		http_status, latency_us, error_class, error, response) VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 10, attempts,
		` ON CONFLICT (delivery_id, attempt) DO NOTHING`)
}

// insertMany runs head + row (of cols values) once per row of args +
// tail, in statements of at most 500 rows (within both engines' limits
// on parameters).
func insertMany(ctx context.Context, tx *Tx, head, row string, cols int, args []any, tail string) error {
	for len(args) > 0 {
		n := min(len(args)/cols, 500)
		if _, err := tx.Exec(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")+tail, args[:n*cols]...); err != nil {
			return err
		}
		args = args[n*cols:]
	}
	return nil
}

// failStream gives up, as failed delivery rows (replayable), the events
// after a subscription's cursor that it wants and has not handled, and
// moves its cursor to the head, ending any lease: it was disabled.
func failStream(ctx context.Context, tx *Tx, sub, reason string, at int64) error {
	var program string
	var position int64
	if err := tx.QueryRow(ctx, `SELECT program_code, position FROM webhook_cursors WHERE subscription_id = ?`+tx.ForUpdate(),
		sub).Scan(&program, &position); err != nil {
		return err
	}
	var head int64
	if err := tx.QueryRow(ctx, qStreamHead, program).Scan(&head); err != nil {
		return err
	}
	if head > position {
		from := ` FROM webhook_stream e JOIN webhook_subscriptions w ON w.id = ?
			WHERE e.program_code = ? AND e.seq > ? AND e.seq <= ? AND (w.event_mask & ` + eventBitSQL("e.event_type") + `) <> 0
			AND ` + tx.db.unhandledSQL("w.id", "substr(w.id, 1, 24)")
		if err := copyEvents(ctx, tx, from, sub, program, position, head); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, event_id, subscription_id, program_code, account_id,
			event_type, status, attempts, cycle_at, next_attempt_at, last_error, created_at, updated_at, seq)
			SELECT `+tx.db.deliveryIDSQL("substr(w.id, 1, 24)", "e.seq")+`, e.id, w.id, e.program_code, e.account_id,
			e.event_type, 'failed', 0, e.created_at, 0, ?, e.created_at, ?, e.seq`+from, reason, at, sub, program, position, head); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE webhook_cursors SET position = ?, window_to = 0, lease_until = 0 WHERE subscription_id = ?`,
		max(head, position), sub)
	return err
}

// restartCursor moves a subscription's cursor to its program's head: it
// was enabled again, and hears of what happens from now on.
func restartCursor(ctx context.Context, tx *Tx, sub string) error {
	_, err := tx.Exec(ctx, `UPDATE webhook_cursors SET position = `+headSQL("webhook_cursors.program_code")+`,
		window_to = 0, lease_until = 0 WHERE subscription_id = ?`, sub)
	return err
}

// startCursor gives a new subscription its cursor, at its program's head.
func startCursor(ctx context.Context, tx *Tx, sub webhook.Subscription) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhook_cursors (subscription_id, program_code, position) VALUES (?, ?, `+
		headSQL("?")+`)`, sub.ID, sub.ProgramCode, sub.ProgramCode)
	return err
}
