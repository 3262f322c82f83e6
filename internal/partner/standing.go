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
// decides on its own: a miss or an expired entry reads the database.
type standings struct {
	mu sync.RWMutex
	m  map[string]standing
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
	p, err := load(ctx, id)
	if err != nil {
		return standing{}, err
	}
	st = standing{status: p.Status, epoch: p.TokenEpoch, read: now}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]standing{}
	}
	c.m[id] = st
	c.mu.Unlock()
	return st, nil
}

// forget drops a partner's cached standing (after this node changed it).
func (c *standings) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
