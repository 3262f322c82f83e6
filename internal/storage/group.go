package storage

import (
	"context"
	"sync"
	"time"
)

// GroupTx runs fn in a write transaction that, on SQLite, it may share
// with concurrent callers (group commit). SQLite's single writer pays one
// fsync per commit (milliseconds on ordinary disks), which caps
// one-commit-per-request at a few hundred a second; callers arriving
// while a commit is in flight are committed together in the next one.
// Each keeps its own statements and decisions, run in order inside the
// shared transaction, so correctness still rests on the database: this
// only decides how many commits there are. If any member fails, the
// batch is rolled back and every member runs again alone, so one
// caller's failure never fails another. fn must be safe to run again
// (as for Tx). On PostgreSQL, which groups concurrent commits itself,
// GroupTx is Tx.
func (db *DB) GroupTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Engine != SQLite {
		return db.Tx(ctx, fn)
	}
	return db.group.run(db, ctx, fn)
}

// groupCommit is the SQLite batcher behind GroupTx. There is no
// background goroutine: whoever finds no commit running leads, and hands
// over to a short-lived goroutine while work remains.
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupItem
	running bool
}

type groupItem struct {
	fn   func(tx *Tx) error
	done chan error
}

// maxGroup bounds a batch, so one commit never holds the writer long.
const maxGroup = 128

func (g *groupCommit) run(db *DB, ctx context.Context, fn func(tx *Tx) error) error {
	it := &groupItem{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, it)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		g.commitNext(db)
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitNext commits one batch, then lets a goroutine carry on while
// more callers are waiting (so the leader's own latency is one batch).
func (g *groupCommit) commitNext(db *DB) {
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()
	g.commit(db, batch)
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.running = false
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	go g.commitNext(db)
}

func (g *groupCommit) commit(db *DB, batch []*groupItem) {
	// The batch outlives any one caller: its own deadline, not a caller's.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, it := range batch {
			if err := it.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, it := range batch {
			it.done <- err
		}
		return
	}
	for _, it := range batch {
		it.done <- db.Tx(ctx, it.fn)
	}
}
