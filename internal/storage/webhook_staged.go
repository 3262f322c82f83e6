package storage

import (
	"context"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Staged events (PostgreSQL). A cursor may never pass an event that
// becomes visible later, so stream positions must follow the order in
// which events become visible. Handing them out inside the writing
// transaction (as SQLite's single writer does) needs the program's
// webhook_streams row lock until COMMIT, which makes the emitting
// transactions of one program commit one at a time, each with a WAL
// flush of its own. Instead a transaction stages its events with no lock
// (stageEvents), and the sequencer (sequenceStaged, run by every
// reader of the stream: the delivery worker's cycle, the delivery log)
// moves the committed ones into the stream under one advisory lock, in a
// transaction of its own: the events it moves become visible together
// with their positions, and later ones get higher positions.
//
// Order: two transactions that write events of one account hold its row
// lock in turn, so the later one stages after the earlier one committed;
// staged_at, the server's statement time, is then later too (one clock
// for every node), and the sequencer numbers by (staged_at, n).

// stagedLockID is the advisory lock that makes one sequencer run at a
// time across nodes ("vrdnstg").
const stagedLockID = 0x7672646e737467

// stageEvents writes evs of program into webhook_staged, in one
// statement.
func stageEvents(ctx context.Context, tx *Tx, program string, evs []streamEvent) error {
	args := make([]any, 0, 7*len(evs))
	for i, e := range evs {
		args = append(args, e.e.ID, program, e.e.AccountID, e.e.Type, e.payload, Micros(e.e.At), i+1)
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_staged (id, program_code, account_id, event_type, payload, created_at, n, staged_at)
		SELECT v.id, v.program_code, v.account_id, v.event_type, v.payload, v.created_at, v.n,
			CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000000 AS BIGINT)
		FROM (VALUES `+strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT)), `, len(evs)), ", ")+`)
		AS v (id, program_code, account_id, event_type, payload, created_at, n)`, args...)
	return err
}

// qSequence moves every committed staged event into its program's stream
// at the next positions (webhook_streams keeps each program's last).
const qSequence = `WITH moved AS (DELETE FROM webhook_staged
		RETURNING id, program_code, account_id, event_type, payload, created_at, staged_at, n),
	counts AS (SELECT program_code, COUNT(*) AS k FROM moved GROUP BY program_code),
	heads AS (INSERT INTO webhook_streams (program_code, last_seq) SELECT program_code, k FROM counts
		ON CONFLICT (program_code) DO UPDATE SET last_seq = webhook_streams.last_seq + excluded.last_seq
		RETURNING program_code, last_seq)
	INSERT INTO webhook_stream (program_code, seq, id, account_id, event_type, payload, created_at)
	SELECT m.program_code, h.last_seq - c.k + ROW_NUMBER() OVER (PARTITION BY m.program_code ORDER BY m.staged_at, m.n, m.id),
		m.id, m.account_id, m.event_type, m.payload, m.created_at
	FROM moved m JOIN counts c ON c.program_code = m.program_code JOIN heads h ON h.program_code = m.program_code`

// sequenceStaged gives the committed staged events their stream positions
// (nothing to do on SQLite, or when none are staged: one indexed read).
func (db *DB) sequenceStaged(ctx context.Context) (err error) {
	if db.Engine != Postgres {
		return nil
	}
	defer apperr.Op(&err, "storage.DB.sequenceStaged()")
	var staged bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_staged)`).Scan(&staged); err != nil || !staged {
		return err
	}
	return db.Tx(ctx, func(tx *Tx) error {
		// The DELETE's snapshot is taken after the lock is held, so it
		// sees every event a previous sequencer left.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(stagedLockID)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, qSequence)
		return err
	})
}
