package storage

import (
	"context"
	"slices"
	"strings"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// A program's webhook events form a stream (webhook/stream.go) that the
// subscriptions' cursors read. A cursor must never pass an event that
// commits after it has read past the event's position, so positions
// follow commit order: a transaction's events get theirs just before it
// commits (flush, like the program balances of ledger_program.go). On
// PostgreSQL they come from the program's webhook_streams row, whose
// lock the transaction then holds until it commits: a later transaction
// waits for that lock, so it takes higher positions and commits after,
// and a reader that sees position n sees every position below it (the
// transaction that took n-1 had committed before n was handed out).
// Concurrent transactions that commit out of order therefore cannot
// leave a hole behind a cursor. On SQLite, write transactions are
// serialised, so the next position is the stream's highest plus one (no
// counter row to rewrite in every commit). Either way positions have no
// gaps: a transaction that rolls back takes its positions with it.

// streamEvent is an event the transaction emits, with its payload.
type streamEvent struct {
	e       webhook.Event
	payload string
}

// streamEvents are a transaction's events, in the order it emitted them.
type streamEvents []streamEvent

// stream adds e to the events written when the transaction commits.
func (tx *Tx) stream(e webhook.Event) error {
	payload, err := e.JSON()
	if err != nil {
		return err
	}
	tx.events = append(tx.events, streamEvent{e: e, payload: string(payload)})
	return nil
}

// The statements of flush (prepared once on SQLite).
const (
	qStreamHead        = `SELECT COALESCE(MAX(seq), 0) FROM webhook_stream WHERE program_code = ?`
	qInsertStreamEvent = `INSERT INTO webhook_stream (program_code, seq, id, account_id, event_type, payload, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// headSQL is the last position of the stream of the program in the SQL
// expression program.
func headSQL(program string) string {
	return `(SELECT COALESCE(MAX(hs.seq), 0) FROM webhook_stream hs WHERE hs.program_code = ` + program + `)`
}

// flush writes the events with their positions, program by program in
// program order (after every other lock the transaction takes, so
// concurrent transactions never deadlock on the stream rows).
func (s streamEvents) flush(ctx context.Context, tx *Tx) error {
	if len(s) == 0 {
		return nil
	}
	byProgram := map[string][]streamEvent{}
	var programs []string
	for _, e := range s {
		p := e.e.ProgramCode
		if byProgram[p] == nil {
			programs = append(programs, p)
		}
		byProgram[p] = append(byProgram[p], e)
	}
	slices.Sort(programs)
	for _, p := range programs {
		if err := flushProgram(ctx, tx, p, byProgram[p]); err != nil {
			return err
		}
	}
	tx.emitted = true
	return nil
}

// flushProgram writes evs at the next positions of the program's stream:
// one statement on PostgreSQL, where round trips are the cost; prepared
// statements on SQLite.
func flushProgram(ctx context.Context, tx *Tx, program string, evs []streamEvent) error {
	n := int64(len(evs))
	if tx.Engine() == Postgres {
		args := []any{program, n, program, n}
		for i, e := range evs {
			args = append(args, e.e.ID, e.e.AccountID, e.e.Type, e.payload, Micros(e.e.At), i+1)
		}
		_, err := tx.Exec(ctx, `WITH s AS (INSERT INTO webhook_streams (program_code, last_seq) VALUES (?, ?)
				ON CONFLICT (program_code) DO UPDATE SET last_seq = webhook_streams.last_seq + excluded.last_seq RETURNING last_seq)
			INSERT INTO webhook_stream (program_code, seq, id, account_id, event_type, payload, created_at)
			SELECT ?, s.last_seq - ? + v.n, v.id, v.account_id, v.event_type, v.payload, v.created_at
			FROM s, (VALUES `+strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT)), `, len(evs)), ", ")+
			`) AS v (id, account_id, event_type, payload, created_at, n)`, args...)
		return err
	}
	var last int64
	if err := tx.queryRowCached(ctx, qStreamHead, program).Scan(&last); err != nil {
		return err
	}
	for i, e := range evs {
		if _, err := tx.execCached(ctx, qInsertStreamEvent, program, last+int64(i)+1, e.e.ID, e.e.AccountID, e.e.Type,
			e.payload, Micros(e.e.At)); err != nil {
			return err
		}
	}
	return nil
}
