package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/sandbox"
)

// SandboxStore implements sandbox.ClockStore and sandbox.LoopbackStore:
// the per-program test clocks and loopback answers.
type SandboxStore struct {
	db *DB
}

// NewSandboxStore returns the sandbox store over db.
func NewSandboxStore(db *DB) *SandboxStore { return &SandboxStore{db: db} }

var _ sandbox.ClockStore = (*SandboxStore)(nil)

// ClockOffset implements sandbox.ClockStore.
func (s *SandboxStore) ClockOffset(ctx context.Context, programCode string) (_ time.Duration, err error) {
	defer apperr.Op(&err, "storage.SandboxStore.ClockOffset(%s)", programCode)
	var micros int64
	err = s.db.QueryRow(ctx, `SELECT offset_micros FROM sandbox_clocks WHERE program_code = ?`, programCode).Scan(&micros)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return time.Duration(micros) * time.Microsecond, err
}

// AdvanceClock implements sandbox.ClockStore.
func (s *SandboxStore) AdvanceClock(ctx context.Context, programCode string, by, max time.Duration, now time.Time) (_ time.Duration, err error) {
	defer apperr.Op(&err, "storage.SandboxStore.AdvanceClock(%s)", programCode)
	var off time.Duration
	err = s.db.Tx(ctx, func(tx *Tx) error {
		// The upsert takes the row's lock: two advances add up.
		if _, err := tx.Exec(ctx, `INSERT INTO sandbox_clocks (program_code, offset_micros, updated_at) VALUES (?, 0, ?)
			ON CONFLICT (program_code) DO UPDATE SET updated_at = excluded.updated_at`, programCode, Micros(now)); err != nil {
			return err
		}
		var micros int64
		if err := tx.QueryRow(ctx, `SELECT offset_micros FROM sandbox_clocks WHERE program_code = ?`, programCode).Scan(&micros); err != nil {
			return err
		}
		off = time.Duration(micros)*time.Microsecond + by
		if off > max {
			return apperr.Field("advance", "the test clock would be %s ahead, beyond its limit of 3650 days", off)
		}
		if _, err := tx.Exec(ctx, `UPDATE sandbox_clocks SET offset_micros = ? WHERE program_code = ?`,
			off.Microseconds(), programCode); err != nil {
			return err
		}
		// Retries fall due as if the time had passed.
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = next_attempt_at - ?
			WHERE program_code = ? AND status = 'pending'`, by.Microseconds(), programCode)
		return err
	})
	return off, err
}

// ResetClock implements sandbox.ClockStore.
func (s *SandboxStore) ResetClock(ctx context.Context, programCode string) (err error) {
	defer apperr.Op(&err, "storage.SandboxStore.ResetClock(%s)", programCode)
	_, err = s.db.Exec(ctx, `DELETE FROM sandbox_clocks WHERE program_code = ?`, programCode)
	return err
}

var _ sandbox.LoopbackStore = (*SandboxStore)(nil)

// Loopback implements sandbox.LoopbackStore.
func (s *SandboxStore) Loopback(ctx context.Context, programCode string) (_ sandbox.Loopback, err error) {
	defer apperr.Op(&err, "storage.SandboxStore.Loopback(%s)", programCode)
	var l sandbox.Loopback
	var minMS, maxMS int64
	err = s.db.QueryRow(ctx, `SELECT min_delay_ms, max_delay_ms, http_status, body, content_type
		FROM sandbox_loopbacks WHERE program_code = ?`, programCode).Scan(&minMS, &maxMS, &l.Status, &l.Body, &l.ContentType)
	if errors.Is(err, sql.ErrNoRows) {
		return sandbox.DefaultLoopback, nil
	}
	l.MinDelay, l.MaxDelay = time.Duration(minMS)*time.Millisecond, time.Duration(maxMS)*time.Millisecond
	return l, err
}

// PutLoopback implements sandbox.LoopbackStore.
func (s *SandboxStore) PutLoopback(ctx context.Context, programCode string, l sandbox.Loopback, now time.Time) (err error) {
	defer apperr.Op(&err, "storage.SandboxStore.PutLoopback(%s)", programCode)
	_, err = s.db.Exec(ctx, `INSERT INTO sandbox_loopbacks (program_code, min_delay_ms, max_delay_ms, http_status, body,
		content_type, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (program_code) DO UPDATE SET min_delay_ms = excluded.min_delay_ms, max_delay_ms = excluded.max_delay_ms,
		http_status = excluded.http_status, body = excluded.body, content_type = excluded.content_type,
		updated_at = excluded.updated_at`, programCode, l.MinDelay.Milliseconds(), l.MaxDelay.Milliseconds(), l.Status,
		l.Body, l.ContentType, Micros(now))
	return err
}
