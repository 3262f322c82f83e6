package storage

import (
	"context"
	"sync"
)

// SQLite's group commit overlaps the flush of one commit with the work of
// the next. Its single writer commits a transaction without flushing the
// WAL (walsync.go); while that flush runs, the committer begins the next
// transaction and applies, in waves, every caller that queues meanwhile;
// it commits when the flush ends (or the batch is full), and its callers
// hear once their own commit is flushed. So the disk's flush time is
// spent applying the next batch instead of waiting, and the batch is as
// large as the callers who arrived during one flush: one commit (and one
// write of each page a batch touches) per flush, however fast callers
// arrive. A lone caller waits for nothing: with no flush running its
// commit is made at once.
//
// A member that fails, or a commit that fails, rolls the transaction
// back; its members then each run alone, as on PostgreSQL (alone).

// wake starts the committer, or wakes it, after a caller queued (g.mu
// held).
func (g *groupCommit) wake(db *DB) {
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	if g.committer {
		g.cond.Broadcast()
		return
	}
	g.committer = true
	go g.commitLoop(db)
}

// commitLoop commits transactions while callers are queued, then ends.
func (g *groupCommit) commitLoop(db *DB) {
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.committer = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.commitWaves(db)
	}
}

// next answers the next wave for a transaction holding held members:
// whatever is queued, up to room, while the last commit is being flushed;
// nothing once the flush ended (the transaction commits what it holds)
// or, when it holds nothing, if nothing is queued.
func (g *groupCommit) next(held, room int) []*groupItem {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		if held > 0 && !g.flushing || room == 0 {
			return nil
		}
		if n := min(len(g.pending), room); n > 0 {
			wave := g.pending[:n:n]
			g.pending = g.pending[n:]
			return wave
		}
		if held == 0 {
			return nil
		}
		g.cond.Wait()
	}
}

// commitWaves runs one transaction: waves of members until the previous
// commit is flushed, then the commit, whose flush and answers follow on
// another goroutine.
func (g *groupCommit) commitWaves(db *DB) {
	// The transaction outlives any one caller: its own deadline.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	var held []*groupItem
	tx, err := db.begin(ctx)
	for err == nil {
		wave := g.next(len(held), maxGroup-len(held))
		if len(wave) == 0 {
			break
		}
		held = append(held, wave...)
		if err = runBatch(ctx, tx, wave); err == nil {
			err = tx.writePostings(ctx) // the next wave reads what this one wrote
		}
	}
	if tx != nil && len(held) == 0 {
		tx.rollback()
		return
	}
	var emitted bool
	if err == nil {
		emitted, err = tx.commit(ctx)
	}
	errs := make([]error, len(held))
	if err != nil {
		if tx != nil {
			tx.rollback()
		}
		emitted = alone(ctx, db, held, errs)
	}
	g.mu.Lock()
	g.flushing = true
	g.mu.Unlock()
	go func() {
		settle(db, held, errs, emitted)
		g.mu.Lock()
		g.flushing = false
		g.cond.Broadcast()
		g.mu.Unlock()
	}()
}
