package retail

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// ErrNotThrottled answers a lift for a partner that has no throttle in
// force: an unknown partner, one never throttled, or one whose throttle
// has ended or was lifted already. Nothing changes.
var ErrNotThrottled = &apperr.Error{Kind: apperr.NotFound, Field: "partnerId",
	Message: "this partner is not throttled (unknown partner, or no throttle in force)"}

// Throttles answers the retailers throttled now, in partner id order
// after after, at most limit of them: the operator's view of the guard.
func (s *Service) Throttles(ctx context.Context, after string, limit int) ([]Throttle, error) {
	return s.Store.Throttles(ctx, s.Now().UTC().Truncate(time.Microsecond), after, limit)
}

// LiftThrottle ends partnerID's throttle now, on the operator's word
// (audited as AuditThrottleLifted by the operator acting under ctx), and
// answers it as it stood with LiftedAt. Its next validation is answered
// normally, and the guard counts its misses afresh from the lift: the
// ones that tripped the throttle no longer count towards the next.
func (s *Service) LiftThrottle(ctx context.Context, partnerID string) (Throttle, error) {
	if err := usable(partnerID); err != nil || partnerID == "" {
		return Throttle{}, ErrNotThrottled
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	t, err := s.Store.LiftThrottle(ctx, partnerID, now, operator.ActorOf(ctx))
	if err != nil {
		return Throttle{}, err
	}
	t.LiftedAt = now
	return t, nil
}
