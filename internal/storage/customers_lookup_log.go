package storage

import (
	"context"
	"sync"
)

// lookupLog writes the audit rows of concurrent lookups on PostgreSQL
// together: one INSERT of every row waiting, in a transaction of its own,
// so many lookups share one round trip and one commit (one WAL flush)
// instead of taking a pooled connection and a commit each; at 1,000
// lookups a second it gave the lower p99 in three runs of four (issue 18,
// docs/benchmarks/customers.md). A caller that finds fewer than inFlight
// inserts running leads one; while rows keep arriving a short-lived
// goroutine carries on, so a leader waits for one insert, not for the
// others' (as groupCommit does).
type lookupLog struct {
	mu      sync.Mutex
	pending []*lookupRow
	running int // inserts in flight
}

type lookupRow struct {
	args []any // qRecordLookup's
	done chan error
}

// qRecordLookups writes rows given as one array per column.
const qRecordLookups = `INSERT INTO customer_lookups (id, at, partner_id, outcome, card_id, last4,
	store_number, store_name, state_code, latitude, longitude)
	SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`

// record writes one row (qRecordLookup's args) and returns once it is
// committed, or failed. Once queued, the row is written or not whatever
// ctx does, and the answer says which.
func (l *lookupLog) record(db *DB, args []any) error {
	r := &lookupRow{args: args, done: make(chan error, 1)}
	l.mu.Lock()
	l.pending = append(l.pending, r)
	lead := l.running < inFlight
	if lead {
		l.running++
	}
	l.mu.Unlock()
	if lead && l.insertNext(db) {
		go l.carryOn(db)
	}
	return <-r.done
}

// carryOn inserts while rows are waiting.
func (l *lookupLog) carryOn(db *DB) {
	for l.insertNext(db) {
	}
}

// insertNext inserts the rows waiting (at most maxGroup) and answers
// whether there were any; when there were none, the insert in flight
// ends.
func (l *lookupLog) insertNext(db *DB) bool {
	l.mu.Lock()
	n := min(len(l.pending), maxGroup)
	if n == 0 {
		l.running--
		l.mu.Unlock()
		return false
	}
	batch := l.pending[:n:n]
	l.pending = l.pending[n:]
	l.mu.Unlock()
	insertLookups(db, batch)
	return true
}

// insertLookups writes batch in one statement and answers each row; if
// that fails, each row is written alone, so one row's failure never fails
// another's.
func insertLookups(db *DB, batch []*lookupRow) {
	// The insert outlives any one caller: its own deadline.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	if len(batch) > 1 {
		cols := make([]any, len(batch[0].args))
		for c := range cols {
			cols[c] = column(batch, c)
		}
		if _, err := db.Exec(ctx, qRecordLookups, cols...); err == nil {
			for _, r := range batch {
				r.done <- nil
			}
			return
		}
	}
	for _, r := range batch {
		_, err := db.Exec(ctx, qRecordLookup, r.args...)
		r.done <- err
	}
}

// column is the c-th argument of every row of batch, as an array: text
// ([]string) or, for the timestamp, bigint ([]int64).
func column(batch []*lookupRow, c int) any {
	if _, ok := batch[0].args[c].(int64); ok {
		out := make([]int64, len(batch))
		for i, r := range batch {
			out[i] = r.args[c].(int64)
		}
		return out
	}
	out := make([]string, len(batch))
	for i, r := range batch {
		out[i] = r.args[c].(string)
	}
	return out
}
