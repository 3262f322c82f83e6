package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// notFound maps sql.ErrNoRows to a NotFound error with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Kind: apperr.NotFound, Message: msg}
	}
	return err
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseList(s string) []string {
	out := []string{}
	json.Unmarshal([]byte(s), &out)
	return out
}

// Audit appends an event to the audit trail inside tx.
func (tx *Tx) Audit(ctx context.Context, id string, at int64, actor, action, subject string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (id, at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		id, at, actor, action, subject, string(b))
	return err
}
