package storage

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
)

// AuditStore implements audit.Store: reads of the audit trail every other
// store appends to in its own transactions.
type AuditStore struct {
	db *DB
}

// NewAuditStore returns the audit store over db.
func NewAuditStore(db *DB) *AuditStore { return &AuditStore{db: db} }

var _ audit.Store = (*AuditStore)(nil)

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

// Events implements audit.Store.
func (s *AuditStore) Events(ctx context.Context, f audit.Filter) (_ []audit.Event, err error) {
	defer apperr.Op(&err, "storage.AuditStore.Events(%s)", f.Subject)
	return auditEvents(ctx, s.db, f)
}

// auditEvents answers the audit events f selects, newest first; the
// account feature history reads the same query.
func auditEvents(ctx context.Context, db *DB, f audit.Filter) ([]audit.Event, error) {
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
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, Micros(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, Micros(f.To))
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
		at := Micros(f.Before.At)
		args = append(args, at, at, f.Before.ID)
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
	out := []audit.Event{}
	for rows.Next() {
		var e audit.Event
		var at int64
		var detail string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &detail); err != nil {
			return nil, err
		}
		e.At, e.Detail = Time(at), json.RawMessage(detail)
		out = append(out, e)
	}
	return out, rows.Err()
}
