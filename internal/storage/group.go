package storage

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// GroupTx runs fn in a write transaction that, on SQLite, it may share
// with concurrent callers (group commit). It is the one place where the
// store decides how commits are grouped: ledger postings (lockedGroupTx),
// retail validations and customer lookups all go through it. SQLite's
// single writer pays one fsync per commit (milliseconds on ordinary
// disks), which caps one-commit-per-request at a few hundred a second;
// callers arriving while a commit is in flight are committed together in
// the next one. Each keeps its own statements and decisions, run in order
// inside the shared transaction (each sees the writes of the ones before
// it), so correctness still rests on the database: this only decides how
// many commits there are. If any member fails, the batch is rolled back
// and every member runs again alone, so one caller's failure never fails
// another. fn must be safe to run again (as for Tx). A caller waits for
// its own outcome even if ctx ends first: once queued, its fn is
// committed or not regardless, and the answer says which.
//
// On PostgreSQL GroupTx is Tx: fn may lock rows in any order, and two
// batches that lock rows in different orders could deadlock.
func (db *DB) GroupTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Engine != SQLite {
		return db.Tx(ctx, fn)
	}
	return db.lockedGroupTx(ctx, "", fn)
}

// lockedGroupTx is GroupTx for a fn whose only row lock is the one named
// by lock (an account id). Members of a batch run in lock order (arrival
// order among equal locks), so concurrent batches take their locks in one
// global order and never deadlock; that lets PostgreSQL batch too, with
// several batches in flight. On a machine where the database and its
// clients share the CPU, a batch saves each member a BEGIN and a COMMIT
// round trip and a WAL flush (docs/benchmarks/ledger.md measures batched
// against independent transactions).
func (db *DB) lockedGroupTx(ctx context.Context, lock string, fn func(tx *Tx) error) error {
	return db.group.run(db, &groupItem{lock: lock, fn: fn})
}

// postingGroupTx is lockedGroupTx for a ledger posting: its batch reads
// what every posting in it decides on at once and writes their rows
// together (ledger_batch.go).
func (db *DB) postingGroupTx(ctx context.Context, key postingKey, fn func(tx *Tx) error) error {
	return db.group.run(db, &groupItem{lock: key.account, key: &key, fn: fn})
}

// groupCommit is the batcher behind GroupTx. On PostgreSQL there is no
// background goroutine: a caller that finds fewer than inFlight batches
// running leads one, and hands over to a short-lived goroutine while work
// remains. On SQLite one committer goroutine runs while there is work
// (group_sqlite.go).
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupItem
	running int // PostgreSQL: batches in flight

	// SQLite's committer (group_sqlite.go).
	cond      *sync.Cond // signalled when a caller queues or a flush ends
	committer bool       // the committer goroutine runs
	flushing  bool       // a committed transaction awaits its WAL flush
}

type groupItem struct {
	lock string
	key  *postingKey // a ledger posting's (postingGroupTx), nil for others
	fn   func(tx *Tx) error
	done chan error
}

// maxGroup bounds a batch, so one commit never holds the writer (or its
// row locks) long.
const maxGroup = 128

// inFlight is how many batches may commit at once on PostgreSQL, which
// commits several transactions in parallel.
const inFlight = 2

func (g *groupCommit) run(db *DB, it *groupItem) error {
	it.done = make(chan error, 1)
	g.mu.Lock()
	g.pending = append(g.pending, it)
	if db.Engine == SQLite {
		g.wake(db)
		g.mu.Unlock()
		return <-it.done
	}
	lead := g.running < inFlight
	if lead {
		g.running++
	}
	g.mu.Unlock()
	if lead {
		g.commitNext(db)
	}
	return <-it.done
}

// commitNext commits one batch, then lets a goroutine carry on while
// more callers are waiting (so the leader's own latency is one batch).
func (g *groupCommit) commitNext(db *DB) {
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	if n == 0 { // another leader took this one's work
		g.running--
		g.mu.Unlock()
		return
	}
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()
	g.commit(db, batch)
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.running--
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	go g.commitNext(db)
}

// commit commits one PostgreSQL batch, its members in lock order.
func (g *groupCommit) commit(db *DB, batch []*groupItem) {
	// The batch outlives any one caller: its own deadline, not a caller's.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	slices.SortStableFunc(batch, func(a, b *groupItem) int { return strings.Compare(a.lock, b.lock) })
	emitted, err := db.commitTx(ctx, func(tx *Tx) error { return runBatch(ctx, tx, batch) })
	errs := make([]error, len(batch))
	for i := range errs {
		errs[i] = err
	}
	if err != nil && len(batch) > 1 {
		emitted = alone(ctx, db, batch, errs) || emitted
	}
	settle(db, batch, errs, emitted)
}

// batchTimeout bounds a batch's transaction.
const batchTimeout = 10 * time.Second

// alone commits each member on its own, after their shared transaction
// failed, so one member's failure never fails another; errs gets each
// one's outcome. It answers whether any wrote webhook events.
func alone(ctx context.Context, db *DB, batch []*groupItem, errs []error) (emitted bool) {
	for i, it := range batch {
		var e bool
		e, errs[i] = db.commitTx(ctx, it.fn)
		emitted = emitted || e
	}
	return emitted
}

// settle answers each member once what was committed is durable.
func settle(db *DB, batch []*groupItem, errs []error, emitted bool) {
	derr := db.durable(emitted)
	for i, it := range batch {
		if errs[i] == nil {
			errs[i] = derr
		}
		it.done <- errs[i]
	}
}

// runBatch runs a batch's members in order in tx. The ledger postings
// among them have what they decide on read for all of them at once, and
// their rows written together; a member that is not a posting first has
// the postings before it written, and the postings after it read again,
// so each finds the database as if every member had run alone.
func runBatch(ctx context.Context, tx *Tx, batch []*groupItem) error {
	for i, it := range batch {
		if err := tx.beforeMember(ctx, batch[i:]); err != nil {
			return err
		}
		if err := it.fn(tx); err != nil {
			return err
		}
	}
	return nil
}
