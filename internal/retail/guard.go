package retail

import (
	"context"
	"time"
)

// Policy is the installation's retail rules that are not a program's.
type Policy struct {
	// ValidationTTL is how long an approved validation may be committed,
	// and holds its amount against the account's daily load limit.
	ValidationTTL time.Duration
	// MissLimit is how many validations answered 110 a retailer (a
	// partner, across its merchants) may receive within MissWindow; the
	// one that reaches it throttles the retailer for MissWindow.
	MissLimit  int
	MissWindow time.Duration
}

// DefaultPolicy is the policy of an installation that sets none.
func DefaultPolicy() Policy {
	return Policy{ValidationTTL: 15 * time.Minute, MissLimit: 50, MissWindow: 5 * time.Minute}
}

// WithDefaults fills the policy's unset (zero) fields from DefaultPolicy.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy()
	if p.ValidationTTL <= 0 {
		p.ValidationTTL = d.ValidationTTL
	}
	if p.MissLimit <= 0 {
		p.MissLimit = d.MissLimit
	}
	if p.MissWindow <= 0 {
		p.MissWindow = d.MissWindow
	}
	return p
}

// CodeThrottled is the retail responseCode of a throttled retailer (HTTP
// 429): a code added to the page's table, as 401 is.
const CodeThrottled = 429

// DescThrottled is the description of a throttled answer.
const DescThrottled = "Too many requests for accounts that were not found; retry later."

// Throttle is a retailer throttled by the enumeration guard: from
// StartedAt until EndsAt, after Misses validations answered 110.
// PartnerName is filled where an operator reads it; LiftedAt only on the
// answer to a lift.
type Throttle struct {
	PartnerID   string
	PartnerName string
	StartedAt   time.Time
	EndsAt      time.Time
	Misses      int
	LiftedAt    time.Time
}

// AuditThrottled is the audit action of a throttle starting, recorded
// with AuditActor (the platform itself decided it) on subject
// "partner:<id>". AuditThrottleLifted is an operator ending one early
// (same subject, detail the throttle as it stood).
const (
	AuditThrottled      = "retail.throttled"
	AuditThrottleLifted = "retail.throttleLifted"
	AuditActor          = "system"
)

// trips is the guard's rule: the retailer's misses in the window reached
// the limit.
func (p Policy) trips(misses int) bool { return misses >= p.MissLimit }

// throttled reports whether a retailer whose throttle ends at until is
// throttled at now.
func throttled(until, now time.Time) bool { return now.Before(until) }

// guard runs after a fresh 110 answer to partnerID: when its misses in the
// window reach the limit, the partner is throttled for one window. The
// answer already given stands whatever the guard's outcome: a failure to
// count is the next miss's to catch, never a reason to fail this one.
func (s *Service) guard(ctx context.Context, partnerID string, now time.Time) {
	p := s.policy()
	t := Throttle{PartnerID: partnerID, StartedAt: now, EndsAt: now.Add(p.MissWindow)}
	s.Store.Throttle(context.WithoutCancel(ctx), partnerID, now.Add(-p.MissWindow), p.trips, t)
}

func (s *Service) policy() Policy { return s.Policy.WithDefaults() }
