package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Prune implements webhook.Queue, one program at a time through its
// indexes.
func (s *WebhookStore) Prune(ctx context.Context, before time.Time, limit int) (_ int, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Prune()")
	cut := Micros(before)
	programs, err := s.programsWithStreams(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, program := range programs {
		if total >= limit {
			break
		}
		n, err := s.pruneDelivered(ctx, program, cut, limit-total)
		total += n
		if err != nil {
			return total, err
		}
	}
	n, err := s.prunePosts(ctx, before, limit)
	total += n
	if err != nil {
		return total, err
	}
	for _, program := range programs {
		if err := s.pruneStream(ctx, program, cut, limit); err != nil {
			return total, err
		}
	}
	// The events of delivery rows go with their last row. Their ids are
	// UUIDv7: id order is time order, so ids below the cutoff's prefix
	// are the events older than it.
	_, err = s.db.Exec(ctx, `DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.id < ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.program_code = e.program_code
		AND d.created_at = e.created_at AND d.event_id = e.id) LIMIT ?)`, uuidPrefix(before), limit)
	return total, err
}

// programsWithStreams answers the programs (each may have a stream and
// delivery rows).
func (s *WebhookStore) programsWithStreams(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT code FROM programs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pruneDelivered deletes up to limit delivered delivery rows of the
// program made before cut, with their attempts.
func (s *WebhookStore) pruneDelivered(ctx context.Context, program string, cut int64, limit int) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *Tx) error {
		sel := `SELECT id FROM webhook_deliveries WHERE program_code = ? AND created_at < ? AND status = 'delivered'
			AND delivered_at < ? ORDER BY created_at LIMIT ?`
		args := []any{program, cut, cut, limit}
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (`+sel+`)`, args...); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (`+sel+`)`, args...)
		if err != nil {
			return err
		}
		affected, _ := res.RowsAffected()
		n = int(affected)
		return nil
	})
	return n, err
}

// prunePosts deletes up to limit acknowledged POSTs sent before before
// (their request ids are UUIDv7) and answers how many events they
// delivered.
func (s *WebhookStore) prunePosts(ctx context.Context, before time.Time, limit int) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *Tx) error {
		sel := `SELECT request_id FROM webhook_posts WHERE request_id < ? ORDER BY request_id LIMIT ?`
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(events), 0) FROM webhook_posts WHERE request_id IN (`+sel+`)`,
			uuidPrefix(before), limit).Scan(&n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM webhook_posts WHERE request_id IN (`+sel+`)`, uuidPrefix(before), limit)
		return err
	})
	return n, err
}

// pruneStream deletes up to limit events of the program's stream made
// before cut that every enabled subscription's cursor has passed (a
// disabled one starts again from the head), keeping the last one: on
// SQLite the next position is the last one plus one, so the last must
// stay for positions never to be handed out twice. An event with a
// delivery row has its copy in webhook_events.
func (s *WebhookStore) pruneStream(ctx context.Context, program string, cut int64, limit int) error {
	_, err := s.db.Exec(ctx, `DELETE FROM webhook_stream WHERE program_code = ? AND seq IN (
		SELECT e.seq FROM webhook_stream e WHERE e.program_code = ? AND e.created_at < ?
		AND e.seq < `+headSQL("?")+` AND e.seq <= COALESCE((SELECT MIN(c.position) FROM webhook_cursors c
		JOIN webhook_subscriptions w ON w.id = c.subscription_id WHERE c.program_code = ? AND w.enabled), e.seq)
		ORDER BY e.seq LIMIT ?)`, program, program, cut, program, program, limit)
	return err
}

// uuidPrefix is the start of a UUIDv7 minted at t: ids that sort below it
// were minted before t (to the millisecond).
func uuidPrefix(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

// Backlog implements webhook.Queue: pending rows, and the events after
// enabled subscriptions' cursors that they want.
func (s *WebhookStore) Backlog(ctx context.Context) (_ int, _ time.Time, err error) {
	defer apperr.Op(&err, "storage.WebhookStore.Backlog()")
	var n, m int
	var oldest, first int64
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM webhook_deliveries WHERE status = 'pending'`).
		Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, err
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(e.created_at), 0) FROM webhook_cursors c
		JOIN webhook_subscriptions w ON w.id = c.subscription_id
		JOIN webhook_stream e ON e.program_code = c.program_code AND e.seq > c.position
		WHERE w.enabled AND (w.event_mask & `+eventBitSQL("e.event_type")+`) <> 0`).Scan(&m, &first); err != nil {
		return 0, time.Time{}, err
	}
	if first != 0 && (oldest == 0 || first < oldest) {
		oldest = first
	}
	return n + m, optTime(oldest), nil
}
