package ledger

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Committer group-commits postings: requests that arrive while a
// transaction is committing are gathered into the next transaction, where
// each is applied in turn (each sees the effects of the ones before it)
// and all are acknowledged only after the commit. A durable commit (one
// fsync on SQLite, one WAL flush on PostgreSQL) is then shared by many
// adjustments.
//
// Batching never decides correctness: every rule is checked inside the
// database transaction under the account row lock, exactly as for a single
// posting. If a batch transaction fails, its members are retried one by
// one, so one bad member cannot fail the others.
type Committer struct {
	Store Store
	Now   func() time.Time
	// Workers is how many batches may commit at once (1 for SQLite, whose
	// writes are serialised anyway; a few for PostgreSQL).
	Workers int
	// MaxBatch bounds the members of one transaction.
	MaxBatch int

	closeOnce sync.Once
	once      sync.Once
	in        chan *pending
	quit      chan struct{}
	wg        sync.WaitGroup
}

type pending struct {
	req  Request
	out  Adjustment
	err  error
	done chan struct{}
}

func (c *Committer) start() {
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.MaxBatch < 1 {
		c.MaxBatch = 64
	}
	c.in = make(chan *pending, 4096)
	c.quit = make(chan struct{})
	for i := 0; i < c.Workers; i++ {
		c.wg.Add(1)
		go c.loop()
	}
}

// Post queues a posting and waits for its commit.
func (c *Committer) Post(ctx context.Context, r Request) (Adjustment, error) {
	c.once.Do(c.start)
	p := &pending{req: r, done: make(chan struct{})}
	select {
	case c.in <- p:
	case <-c.quit:
		return Adjustment{}, apperr.E(apperr.Unavailable, "the ledger is shutting down")
	case <-ctx.Done():
		return Adjustment{}, &apperr.Error{Kind: apperr.Unavailable, Message: "request ended before the adjustment was queued; nothing was posted", Err: ctx.Err()}
	}
	// Once queued the posting is committed or not regardless of the
	// caller; waiting out the commit keeps the answer truthful.
	<-p.done
	return p.out, p.err
}

// Close stops the workers after the queued postings are done.
func (c *Committer) Close() {
	c.once.Do(c.start)
	c.closeOnce.Do(func() { close(c.quit) })
	c.wg.Wait()
}

func (c *Committer) loop() {
	defer c.wg.Done()
	for {
		var first *pending
		select {
		case first = <-c.in:
		case <-c.quit:
			c.drain()
			return
		}
		batch := []*pending{first}
	gather:
		for len(batch) < c.MaxBatch {
			select {
			case p := <-c.in:
				batch = append(batch, p)
			default:
				break gather
			}
		}
		c.commit(batch)
	}
}

// drain finishes whatever is still queued at shutdown.
func (c *Committer) drain() {
	for {
		select {
		case p := <-c.in:
			c.commit([]*pending{p})
		default:
			return
		}
	}
}

func (c *Committer) commit(batch []*pending) {
	ctx := context.Background() // one caller's cancellation must not fail the others
	// Lock accounts in one global order so concurrent batches on
	// PostgreSQL never deadlock; the sort is stable, so postings to one
	// account keep their arrival order.
	slices.SortStableFunc(batch, func(a, b *pending) int {
		switch {
		case a.req.AccountID < b.req.AccountID:
			return -1
		case a.req.AccountID > b.req.AccountID:
			return 1
		}
		return 0
	})
	if len(batch) > 1 {
		err := c.Store.Tx(ctx, func(tx Tx) error {
			now := c.Now().UTC()
			for _, p := range batch {
				p.out, p.err = Apply(ctx, tx, p.req, now)
				if p.err != nil && apperr.KindOf(p.err) == apperr.Internal {
					return p.err
				}
			}
			return nil
		})
		if err == nil {
			for _, p := range batch {
				close(p.done)
			}
			return
		}
	}
	for _, p := range batch { // alone: its own transaction, its own answer
		var business error
		err := c.Store.Tx(ctx, func(tx Tx) error {
			var err error
			p.out, err = Apply(ctx, tx, p.req, c.Now().UTC())
			business = nil
			if err != nil && apperr.KindOf(err) != apperr.Internal {
				business = err
				return nil // a business answer: nothing was written
			}
			return err
		})
		p.err = err
		if err == nil {
			p.err = business
		}
		close(p.done)
	}
}
