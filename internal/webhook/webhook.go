// Package webhook pushes what happens on a partner's accounts to the
// partner ("Publish Notifications"): subscriptions per program, events
// written in the same transaction as the change that causes them, and a
// delivery worker that POSTs them, signed, with retries on any node.
//
// The rules are pure functions (subscription validation, the retry
// schedule, the acknowledgement rule, signatures, the address guard), so
// they are tested by tables; the store opens transactions and the worker
// moves bytes.
//
// Why not the generic outbox (internal/outbox): it delivers one message
// per handler call, one after another, with exponential backoff. Webhooks
// need per-delivery state the operator can list and replay, one POST for
// the events of one account that are ready together, the publisher's
// schedule (first hour, then hourly for a day), a log of every attempt,
// and concurrency so that one slow receiver never holds up another. The
// webhook tables are an outbox of their own with the same discipline:
// events written in the business transaction, sent from a leased cursor
// per subscription (stream.go), failures kept as delivery rows claimed
// with a lease (SKIP LOCKED on PostgreSQL), completion guarded by the
// claim.
package webhook

import (
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// The event types. adjustmentFinalStatus is not offered: verdant's
// adjustments are decided at once and never pending.
const (
	Transaction     = "transaction"
	AccountUpdated  = "accountUpdated"
	MailTracking    = "mailTracking"
	CardUpdate      = "cardUpdate"
	CustomerUpdated = "customerUpdated"
	CaseUpdated     = "caseUpdated"
)

// EventTypes are every event type a subscription may ask for.
var EventTypes = []string{Transaction, AccountUpdated, MailTracking, CardUpdate, CustomerUpdated, CaseUpdated}

// Mask is the bit set of event types, as the store indexes them: bit i
// is EventTypes[i] (0 for none known).
func Mask(types ...string) int64 {
	var m int64
	for _, t := range types {
		if i := slices.Index(EventTypes, t); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

// Subscription is a partner endpoint that receives a program's events of
// the listed types.
type Subscription struct {
	ID          string
	ProgramCode string
	URL         string
	EventTypes  []string
	Enabled     bool
	// Retries: a failed delivery is retried on the schedule (Next);
	// without, it fails after its first attempt.
	Retries bool
	// DisabledReason says why the platform disabled the subscription (the
	// receiver answered 410, or every delivery failed for too long);
	// empty while enabled or when an operator disabled it.
	DisabledReason string
	DisabledAt     time.Time
	// FailingSince is the first failed attempt since the last success
	// (zero while the last attempt succeeded).
	FailingSince time.Time
	// Secret signs every POST; Previous also signs them until
	// PreviousUntil after a rotation, so receivers can switch over.
	Secret        Sealed
	Previous      Sealed
	PreviousUntil time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Sealed is a signing secret sealed by the vault.
type Sealed struct{ Value, KeyID string }

// Wants reports whether the subscription receives events of type t.
func (s Subscription) Wants(t string) bool { return slices.Contains(s.EventTypes, t) }

// Input is a new subscription as the operator sent it. Nil Enabled and
// Retries mean true.
type Input struct {
	URL        string
	EventTypes []string
	Enabled    *bool
	Retries    *bool
}

// Patch changes a subscription; nil fields stay.
type Patch struct {
	URL        *string
	EventTypes *[]string
	Enabled    *bool
	Retries    *bool
}

// ParseEventTypes validates a list of event types: at least one, each
// known; duplicates are dropped and the order kept.
func ParseEventTypes(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apperr.Field("eventTypes", "eventTypes must list at least one of %s", strings.Join(EventTypes, ", "))
	}
	var out []string
	for _, t := range in {
		if t == "adjustmentFinalStatus" {
			return nil, apperr.Field("eventTypes", "adjustmentFinalStatus is not offered: verdant's adjustments are never pending")
		}
		if !slices.Contains(EventTypes, t) {
			return nil, apperr.Field("eventTypes", "eventTypes: %q is not an event type (one of %s)", t, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// apply is the pure part of a PATCH: it validates and applies p to s.
// The URL's resolution is checked by the service.
func (p Patch) apply(s *Subscription, allowPrivate bool, now time.Time) error {
	if p.URL != nil {
		u, err := ParseURL(*p.URL, allowPrivate)
		if err != nil {
			return err
		}
		s.URL = u.String()
	}
	if p.EventTypes != nil {
		types, err := ParseEventTypes(*p.EventTypes)
		if err != nil {
			return err
		}
		s.EventTypes = types
	}
	if p.Retries != nil {
		s.Retries = *p.Retries
	}
	if p.Enabled != nil && *p.Enabled != s.Enabled {
		s.Enabled = *p.Enabled
		s.DisabledReason, s.DisabledAt, s.FailingSince = "", time.Time{}, time.Time{}
		if !s.Enabled {
			s.DisabledAt = now
		}
	}
	s.UpdatedAt = now
	return nil
}
