// Package throttle limits failed authentication attempts per client: the
// operator token per client address, partner client credentials per
// client id. The count is kept in the database, so the limit holds across
// every node; the rule is a pure function (Limit.Blocked).
package throttle

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// The scopes a count is kept under.
const (
	Operator = "operator" // operator token failures, per client address
	Client   = "client"   // POST /authentication failures, per client id
)

// Limit is a failure budget: at most Max failures in a Window that
// starts at a client's first failure (a fixed window, restarted by the
// first failure after it ends).
type Limit struct {
	Max    int
	Window time.Duration
}

// Count is a client's failures in its current window.
type Count struct {
	Failures    int
	WindowStart time.Time
}

// Blocked reports whether a client with count c may not try again at
// now, and how long until it may: Max failures in a window block the
// client until the window ends.
func (l Limit) Blocked(c Count, now time.Time) (retryAfter time.Duration, blocked bool) {
	end := c.WindowStart.Add(l.Window)
	if c.Failures < l.Max || !now.Before(end) {
		return 0, false
	}
	return end.Sub(now), true
}

// Store keeps the counts.
type Store interface {
	// Count answers a client's count (zero when it has none).
	Count(ctx context.Context, scope, client string) (Count, error)
	// Fail adds a failure: to the client's window, or as the first of a
	// new one starting at now when the window began at or before
	// expiredBefore. It answers the new count.
	Fail(ctx context.Context, scope, client string, now, expiredBefore time.Time) (Count, error)
	// Clear forgets a client's count.
	Clear(ctx context.Context, scope, client string) error
}

// Guard applies a Limit to one scope.
type Guard struct {
	Store Store
	Limit Limit
	Scope string
	Now   func() time.Time
}

// ErrThrottled is the answer to a client over its budget: 429 with
// Retry-After in the family's envelope.
func ErrThrottled(retryAfter time.Duration) *apperr.Error {
	return &apperr.Error{Kind: apperr.RateLimited, RetryAfter: retryAfter,
		Message: "too many failed authentication attempts; retry later"}
}

// Check answers ErrThrottled when the client is over its budget, and
// the client's count (so a success can Clear only when there is one).
func (g *Guard) Check(ctx context.Context, client string) (Count, error) {
	c, err := g.Store.Count(ctx, g.Scope, client)
	if err != nil {
		return c, err
	}
	if wait, blocked := g.Limit.Blocked(c, g.Now()); blocked {
		return c, ErrThrottled(wait)
	}
	return c, nil
}

// Fail records a failed attempt and answers the client's new count.
func (g *Guard) Fail(ctx context.Context, client string) (Count, error) {
	now := g.Now().UTC()
	return g.Store.Fail(ctx, g.Scope, client, now, now.Add(-g.Limit.Window))
}

// Succeeded forgets the failures of a client that had some (c from
// Check), so an operator's typo does not count against a later one.
func (g *Guard) Succeeded(ctx context.Context, client string, c Count) error {
	if c.Failures == 0 {
		return nil
	}
	return g.Store.Clear(ctx, g.Scope, client)
}
