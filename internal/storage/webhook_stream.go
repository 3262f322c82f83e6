package storage

import (
	"context"
	"slices"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// A program's webhook events form a stream (webhook/stream.go) that the
// subscriptions' cursors read. A cursor must never pass an event that
// becomes visible after it has read past the event's position, so
// positions follow the order in which events become visible. On SQLite,
// write transactions are serialised: a transaction's events take the
// stream's highest position plus one just before it commits (flush, like
// the program balances of ledger_program.go; no counter row to rewrite in
// every commit), and a rollback takes its positions with it. On
// PostgreSQL a transaction stages its events and a sequencer gives the
// committed ones their positions afterwards, in a transaction of its own
// (webhook_staged.go). Either way positions have no gaps, and a reader
// that sees position n sees every position below it.

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

// flushProgram writes evs at the next positions of the program's stream
// with prepared statements on SQLite; on PostgreSQL it stages them, and
// they get their positions once committed (webhook_staged.go).
func flushProgram(ctx context.Context, tx *Tx, program string, evs []streamEvent) error {
	if tx.Engine() == Postgres {
		return stageEvents(ctx, tx, program, evs)
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
