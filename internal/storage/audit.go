package storage

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
)

// AuditEvent is one row of the audit trail.
type AuditEvent struct {
	ID      string
	At      int64 // microseconds
	Actor   string
	Action  string
	Subject string
	Detail  json.RawMessage
}

// AuditFilter selects audit events. Empty fields do not filter. Events are
// answered newest first ((at, id) descending); Before, if set, answers only
// events strictly older than that position (keyset paging).
type AuditFilter struct {
	Subject string
	Actor   string
	// From and To bound at (microseconds): From <= at < To; zero: unbounded.
	From, To int64
	// ActionPrefixes keeps events whose action starts with any of them.
	ActionPrefixes []string
	Before         *AuditPosition
	Limit          int
}

// AuditPosition is an event's place in the (at, id) order.
type AuditPosition struct {
	At int64
	ID string
}

// audit writes an audit event with a fresh UUIDv7 id.
func (tx *Tx) audit(ctx context.Context, at int64, actor, action, subject string, detail any) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	return tx.Audit(ctx, id.String(), at, actor, action, subject, detail)
}

// escapeLike escapes LIKE wildcards in s (escape character '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AuditEvents answers the audit events f selects, newest first.
func (db *DB) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	var where []string
	var args []any
	if f.Subject != "" {
		where = append(where, "subject = ?")
		args = append(args, f.Subject)
	}
	if f.Actor != "" {
		where = append(where, "actor = ?")
		args = append(args, f.Actor)
	}
	if f.From != 0 {
		where = append(where, "at >= ?")
		args = append(args, f.From)
	}
	if f.To != 0 {
		where = append(where, "at < ?")
		args = append(args, f.To)
	}
	if len(f.ActionPrefixes) > 0 {
		var or []string
		for _, p := range f.ActionPrefixes {
			or = append(or, `action LIKE ? ESCAPE '\'`)
			args = append(args, escapeLike(p)+"%")
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if f.Before != nil {
		where = append(where, "(at < ? OR (at = ? AND id < ?))")
		args = append(args, f.Before.At, f.Before.At, f.Before.ID)
	}
	q := `SELECT id, at, actor, action, subject, detail FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEvent{}
	for rows.Next() {
		var e AuditEvent
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &detail); err != nil {
			return nil, err
		}
		e.Detail = json.RawMessage(detail)
		out = append(out, e)
	}
	return out, rows.Err()
}
