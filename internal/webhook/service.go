package webhook

import (
	"context"
	"net"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// Sealer seals signing secrets at rest (the vault does).
type Sealer interface {
	Seal(plaintext, context string) (sealed, keyID string)
	Open(sealed, keyID, context string) (string, error)
}

// secretContext binds a sealed secret to its subscription.
func secretContext(subscriptionID string) string { return "webhook-secret:" + subscriptionID }

// Overlap is how long the previous secret keeps signing after a rotation.
const Overlap = 24 * time.Hour

// Service is the operator's webhook use cases.
type Service struct {
	Store Store
	Vault Sealer
	// Resolver checks where a URL points when it is saved (nil: the
	// system resolver).
	Resolver Resolver
	// AllowPrivate accepts http URLs and private addresses (sandbox, or
	// VERDANT_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	Now          func() time.Time
	// Wake, if set, asks the local worker to look for due deliveries now
	// (a latency hint only).
	Wake func()
}

func (s *Service) resolver() Resolver {
	if s.Resolver != nil {
		return s.Resolver
	}
	return net.DefaultResolver
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Create validates and stores a new subscription; it answers it with its
// secret, which is shown only here and on rotation.
func (s *Service) Create(ctx context.Context, programCode string, in Input) (Subscription, string, error) {
	u, err := ParseURL(in.URL, s.AllowPrivate)
	if err != nil {
		return Subscription{}, "", err
	}
	types, err := ParseEventTypes(in.EventTypes)
	if err != nil {
		return Subscription{}, "", err
	}
	if err := CheckHost(ctx, s.resolver(), u, s.AllowPrivate); err != nil {
		return Subscription{}, "", err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	sub := Subscription{ID: uuid.NewString(), ProgramCode: programCode, URL: u.String(), EventTypes: types,
		Enabled: in.Enabled == nil || *in.Enabled, Retries: in.Retries == nil || *in.Retries, CreatedAt: now, UpdatedAt: now}
	if !sub.Enabled {
		sub.DisabledAt = now
	}
	secret := NewSecret()
	sub.Secret.Value, sub.Secret.KeyID = s.Vault.Seal(secret, secretContext(sub.ID))
	if err := s.Store.CreateSubscription(ctx, sub, Audit{Actor: operator.ActorOf(ctx), Action: AuditCreated, At: now}); err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// Get answers a subscription of the program.
func (s *Service) Get(ctx context.Context, programCode, id string) (Subscription, error) {
	return s.Store.Subscription(ctx, programCode, id)
}

// List answers a program's subscriptions, oldest first.
func (s *Service) List(ctx context.Context, programCode string) ([]Subscription, error) {
	return s.Store.Subscriptions(ctx, programCode)
}

// Update applies an operator's change. Disabling fails the pending
// deliveries; re-enabling leaves failed ones replayable.
func (s *Service) Update(ctx context.Context, programCode, id string, p Patch) (Subscription, error) {
	if p.URL != nil {
		u, err := ParseURL(*p.URL, s.AllowPrivate)
		if err != nil {
			return Subscription{}, err
		}
		if err := CheckHost(ctx, s.resolver(), u, s.AllowPrivate); err != nil {
			return Subscription{}, err
		}
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Audit{Actor: operator.ActorOf(ctx), Action: AuditChanged, At: now}
	return s.Store.UpdateSubscription(ctx, programCode, id, ev, func(sub *Subscription) error {
		return p.apply(sub, s.AllowPrivate, now)
	})
}

// Delete removes a subscription with its delivery log.
func (s *Service) Delete(ctx context.Context, programCode, id string) error {
	ev := Audit{Actor: operator.ActorOf(ctx), Action: AuditDeleted, At: s.Now().UTC().Truncate(time.Microsecond)}
	return s.Store.DeleteSubscription(ctx, programCode, id, ev)
}

// Rotate gives a subscription a new secret; the previous one keeps
// signing (a second webhook-signature) for Overlap. It answers the new
// secret, shown only here.
func (s *Service) Rotate(ctx context.Context, programCode, id string) (Subscription, string, error) {
	secret := NewSecret()
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Audit{Actor: operator.ActorOf(ctx), Action: AuditRotated, At: now}
	sub, err := s.Store.UpdateSubscription(ctx, programCode, id, ev, func(sub *Subscription) error {
		sub.Previous, sub.PreviousUntil = sub.Secret, now.Add(Overlap)
		sub.Secret.Value, sub.Secret.KeyID = s.Vault.Seal(secret, secretContext(sub.ID))
		sub.UpdatedAt = now
		return nil
	})
	if err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// Deliveries answers a page of a program's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, f Filter) ([]Delivery, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	return s.Store.Deliveries(ctx, f)
}

// Delivery answers one delivery with its event as sent and its attempts.
func (s *Service) Delivery(ctx context.Context, programCode, id string) (Delivery, []byte, []Attempt, error) {
	return s.Store.Delivery(ctx, programCode, id)
}

// Redeliver sends a delivery again now (with a fresh retry schedule).
func (s *Service) Redeliver(ctx context.Context, programCode, id string) (Delivery, error) {
	d, err := s.Store.Redeliver(ctx, programCode, id, s.Now().UTC())
	if err == nil {
		s.wake()
	}
	return d, err
}

// Replay sends again every delivery of a subscription that r selects.
func (s *Service) Replay(ctx context.Context, r Replay) (int, error) {
	if !r.FailedOnly && (r.From.IsZero() || r.To.IsZero()) {
		return 0, apperr.Field("from", "give from and to (a time range), or status failed")
	}
	if !r.FailedOnly && !r.From.Before(r.To) {
		return 0, apperr.Field("to", "to must be after from")
	}
	if _, err := s.Store.Subscription(ctx, r.ProgramCode, r.SubscriptionID); err != nil {
		return 0, err
	}
	n, err := s.Store.Replay(ctx, r, s.Now().UTC())
	if err == nil && n > 0 {
		s.wake()
	}
	return n, err
}

// Test sends a subscription a sample event of type t (its first event
// type when t is empty), marked as a test delivery.
func (s *Service) Test(ctx context.Context, programCode, id, t string) (Delivery, error) {
	sub, err := s.Store.Subscription(ctx, programCode, id)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Enabled {
		return Delivery{}, &apperr.Error{Kind: apperr.Conflict, Field: "enabled", Message: "the subscription is disabled: enable it first"}
	}
	if t == "" {
		t = sub.EventTypes[0]
	}
	if _, err := ParseEventTypes([]string{t}); err != nil {
		return Delivery{}, apperr.Field("eventType", "%s", apperr.As(err).Message)
	}
	e := Sample(t)
	e.ID, e.ProgramCode, e.At = NewEvent(t, "", "", time.Time{}, nil).ID, programCode, s.Now().UTC()
	d, err := s.Store.Enqueue(ctx, sub.ID, e)
	if err == nil {
		s.wake()
	}
	return d, err
}

// VerifyProgram reports whether sig is the x-gd-signature of body under
// the signing secret (or the previous one, within its overlap) of any of
// the program's subscriptions (the sandbox's receive-and-validate hook).
func (s *Service) VerifyProgram(ctx context.Context, programCode string, body []byte, sig string) (bool, error) {
	subs, err := s.Store.Subscriptions(ctx, programCode)
	if err != nil {
		return false, err
	}
	now := s.Now().UTC()
	for _, sub := range subs {
		for _, sealed := range []Sealed{sub.Secret, sub.Previous} {
			if sealed.Value == "" || (sealed == sub.Previous && !now.Before(sub.PreviousUntil)) {
				continue
			}
			plain, err := s.Vault.Open(sealed.Value, sealed.KeyID, secretContext(sub.ID))
			if err != nil {
				return false, err
			}
			if VerifyGD(plain, body, sig) {
				return true, nil
			}
		}
	}
	return false, nil
}
