package partner

import (
	"context"
	"sync"
	"time"
)

// StandingTTL is how long a node trusts what it last read of a partner's
// standing (status and token epoch) before reading it again. It bounds
// how long a token outlives a rotation or a disable made on another node;
// the node that made the change forgets at once.
const StandingTTL = 2 * time.Second

// standing is what decides whether a partner's tokens still count.
type standing struct {
	status string
	epoch  int
	read   time.Time
}

// standings caches standings per partner id for StandingTTL. It never
// decides on its own: a miss or an expired entry reads the database, once
// per partner however many requests find it expired together; the others
// wait for that read (under load, every request of the moment reading the
// same row queued thousands of reads for the pool, issue 18).
type standings struct {
	mu      sync.RWMutex
	m       map[string]standing
	loading map[string]*standingLoad
}

// standingLoad is a read of one partner's standing in flight.
type standingLoad struct {
	done chan struct{}
	st   standing
	err  error
}

// get answers the partner's standing, read through load when the cached
// one is older than StandingTTL or older than the token's epoch (epochs
// only grow, so a token issued since the last read proves it stale).
func (c *standings) get(ctx context.Context, id string, epoch int, now time.Time,
	load func(context.Context, string) (Partner, error)) (standing, error) {
	c.mu.RLock()
	st, ok := c.m[id]
	c.mu.RUnlock()
	if ok && now.Sub(st.read) < StandingTTL && !now.Before(st.read) && epoch <= st.epoch {
		return st, nil
	}
	for {
		l, lead := c.join(id)
		if lead {
			go c.read(ctx, id, now, l, load)
		}
		select {
		case <-l.done:
		case <-ctx.Done():
			return standing{}, ctx.Err()
		}
		// A read that began before a newer token was issued may not
		// know its epoch: read again rather than revoke it.
		if l.err != nil || epoch <= l.st.epoch || lead {
			return l.st, l.err
		}
	}
}

// join answers the read in flight for id, or starts one (lead: the
// caller must run it).
func (c *standings) join(id string) (l *standingLoad, lead bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.loading[id]; ok {
		return l, false
	}
	if c.loading == nil {
		c.loading = map[string]*standingLoad{}
	}
	l = &standingLoad{done: make(chan struct{})}
	c.loading[id] = l
	return l, true
}

// standingReadTimeout bounds a read of a standing, which outlives the
// request that started it.
const standingReadTimeout = 5 * time.Second

// read runs load for the callers waiting on l and caches what it read,
// unless forget dropped the read meanwhile (it may predate the change).
// It runs on a goroutine of its own: a caller that stops waiting (the one
// that started it included) does not stop it, the others wait on it.
func (c *standings) read(ctx context.Context, id string, now time.Time, l *standingLoad,
	load func(context.Context, string) (Partner, error)) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), standingReadTimeout)
	p, err := load(rctx, id)
	cancel()
	l.st, l.err = standing{status: p.Status, epoch: p.TokenEpoch, read: now}, err
	c.mu.Lock()
	if err == nil && c.loading[id] == l {
		if c.m == nil {
			c.m = map[string]standing{}
		}
		c.m[id] = l.st
	}
	if c.loading[id] == l {
		delete(c.loading, id)
	}
	c.mu.Unlock()
	close(l.done)
}

// forget drops a partner's cached standing (after this node changed it).
func (c *standings) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	delete(c.loading, id) // a read in flight may predate the change: not cached
	c.mu.Unlock()
}
