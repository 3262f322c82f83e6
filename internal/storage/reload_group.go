package storage

import (
	"context"
	"sync"
	"time"
)

// groupCommit batches short write transactions into one on SQLite, whose
// single writer pays one fsync per commit (about 2.5 ms on ordinary
// disks, which caps one-commit-per-request at a few hundred a second).
// Callers that arrive while a commit is in flight are committed together
// in the next one; each keeps its own statements and decisions, run in
// order inside the shared transaction, so correctness still rests on the
// database (this only decides how many commits there are). There is no
// background goroutine: whoever finds no commit running leads, and hands
// over to a short-lived goroutine while work remains.
type groupCommit struct {
	db      *DB
	mu      sync.Mutex
	pending []*groupItem
	running bool
}

type groupItem struct {
	fn   func(tx *Tx) error
	done chan error
}

// groups holds one groupCommit per SQLite database.
var groups sync.Map // *DB -> *groupCommit

func (db *DB) group() *groupCommit {
	if g, ok := groups.Load(db); ok {
		return g.(*groupCommit)
	}
	g, _ := groups.LoadOrStore(db, &groupCommit{db: db})
	return g.(*groupCommit)
}

// maxGroup bounds a batch, so one commit never holds the writer long.
const maxGroup = 128

// run runs fn in a write transaction shared with concurrent callers.
func (g *groupCommit) run(ctx context.Context, fn func(tx *Tx) error) error {
	it := &groupItem{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, it)
	if !g.running {
		g.running = true
		g.mu.Unlock()
		g.commitNext()
	} else {
		g.mu.Unlock()
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
func (g *groupCommit) commitNext() {
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()
	g.commit(batch)
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.running = false
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	go g.commitNext()
}

func (g *groupCommit) commit(batch []*groupItem) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := g.db.Tx(ctx, func(tx *Tx) error {
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
	// One caller's failure must not fail the others: commit each alone.
	for _, it := range batch {
		it.done <- g.db.Tx(ctx, it.fn)
	}
}
