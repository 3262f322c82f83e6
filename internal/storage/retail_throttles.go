package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/retail"
)

// Throttle implements retail.Store. Two nodes that trip together both
// set the same throttle; only the one that started it records the event.
// Misses are counted from the end of the partner's last throttle when
// that is later than since, so the misses that tripped a throttle an
// operator lifted do not trip the next at once.
func (s *RetailStore) Throttle(ctx context.Context, partnerID string, since time.Time, trips func(misses int) bool,
	t retail.Throttle) (_ bool, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Throttle(%s)", partnerID)
	var misses int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM retail_validations WHERE partner_id = ? AND response_code = ? AND created_at >= ?
		AND created_at >= COALESCE((SELECT ends_at FROM retail_throttles WHERE partner_id = ?), 0)`,
		partnerID, retail.CodeInvalidAccount, Micros(since), partnerID).Scan(&misses); err != nil || !trips(misses) {
		return false, err
	}
	var started bool
	err = s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO retail_throttles (partner_id, started_at, ends_at, misses) VALUES (?, ?, ?, ?)
			ON CONFLICT (partner_id) DO UPDATE SET started_at = excluded.started_at, ends_at = excluded.ends_at,
			misses = excluded.misses WHERE retail_throttles.ends_at <= excluded.started_at`,
			partnerID, Micros(t.StartedAt), Micros(t.EndsAt), misses)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if started = n == 1; err != nil || !started {
			return err
		}
		return tx.audit(ctx, Micros(t.StartedAt), retail.AuditActor, retail.AuditThrottled, "partner:"+partnerID,
			map[string]any{"misses": misses, "since": since.UTC(), "endsAt": t.EndsAt.UTC()})
	})
	return started, err
}

// Throttles implements retail.Store.
func (s *RetailStore) Throttles(ctx context.Context, now time.Time, after string, limit int) (_ []retail.Throttle, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Throttles(%s)", after)
	rows, err := s.db.Query(ctx, `SELECT th.partner_id, p.name, th.started_at, th.ends_at, th.misses
		FROM retail_throttles th JOIN partners p ON p.id = th.partner_id
		WHERE th.ends_at > ? AND th.ends_at > th.started_at AND th.partner_id > ? ORDER BY th.partner_id LIMIT ?`, Micros(now), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retail.Throttle
	for rows.Next() {
		var t retail.Throttle
		var started, ends int64
		if err := rows.Scan(&t.PartnerID, &t.PartnerName, &started, &ends, &t.Misses); err != nil {
			return nil, err
		}
		t.StartedAt, t.EndsAt = Time(started), Time(ends)
		out = append(out, t)
	}
	return out, rows.Err()
}

// LiftThrottle implements retail.Store. A lifted throttle is kept as an
// empty one (started and ended at the lift), which the guard counts from
// and which is never in force again, whatever the clocks of the nodes
// lifting: the row is locked and re-read, so of two operators lifting at
// once one lifts and the other is answered ErrNotThrottled.
func (s *RetailStore) LiftThrottle(ctx context.Context, partnerID string, now time.Time, actor string) (_ retail.Throttle, err error) {
	defer apperr.Op(&err, "storage.RetailStore.LiftThrottle(%s)", partnerID)
	var t retail.Throttle
	err = s.db.Tx(ctx, func(tx *Tx) error {
		t = retail.Throttle{PartnerID: partnerID}
		var started, ends int64
		err := tx.QueryRow(ctx, `SELECT started_at, ends_at, misses FROM retail_throttles
			WHERE partner_id = ? AND ends_at > ? AND ends_at > started_at`+
			tx.ForUpdate(), partnerID, Micros(now)).Scan(&started, &ends, &t.Misses)
		if err != nil {
			return notFoundAs(err, retail.ErrNotThrottled)
		}
		t.StartedAt, t.EndsAt = Time(started), Time(ends)
		if err := tx.QueryRow(ctx, `SELECT name FROM partners WHERE id = ?`, partnerID).Scan(&t.PartnerName); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE retail_throttles SET started_at = ?, ends_at = ? WHERE partner_id = ?`,
			Micros(now), Micros(now), partnerID); err != nil {
			return err
		}
		return tx.audit(ctx, Micros(now), actor, retail.AuditThrottleLifted, "partner:"+partnerID,
			map[string]any{"misses": t.Misses, "since": t.StartedAt, "endsAt": t.EndsAt})
	})
	return t, err
}
