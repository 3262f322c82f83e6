package delivery

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
)

// Store persists fulfilment records and delivery events.
type Store interface {
	// CreateFulfilment records a card's fulfilment; an existing record is kept.
	CreateFulfilment(ctx context.Context, f Fulfilment) error
	// RecordEvent stores e (creating the card's fulfilment record
	// with material pvc if it has none). It answers the stored event and
	// whether it is new; the same (card, status, time) with another
	// tracking number is a Conflict.
	RecordEvent(ctx context.Context, e Event) (Event, bool, error)
	// CardsSharingPAN answers the cards of a program with the same PAN as
	// cardID (itself included), newest first, comparing keyed PAN indexes.
	CardsSharingPAN(ctx context.Context, programCode, cardID string) ([]card.Card, error)
	// Shipments answers the fulfilment records and events of cards.
	Shipments(ctx context.Context, cards []card.Card) ([]Shipment, error)
}

// CardReader finds a card on an account.
type CardReader interface {
	Card(ctx context.Context, accountID, id string) (card.Card, error)
}

// Service is the card delivery use cases.
type Service struct {
	Store    Store
	Cards    CardReader
	Settings Settings
	Now      func() time.Time
	// ProgramNow, when set, is a program's time (a sandbox's test clock):
	// estimates, the 60-day window and event times follow it.
	ProgramNow func(ctx context.Context, programCode string) time.Time
}

// at is a program's time.
func (s *Service) at(ctx context.Context, programCode string) time.Time {
	if s.ProgramNow != nil {
		return s.ProgramNow(ctx, programCode).UTC()
	}
	return s.Now().UTC()
}

// Open creates the fulfilment record of a newly issued physical card.
// Cards issued before this capability, or whose record failed to be
// written, get one (material pvc) with their first delivery event.
func (s *Service) Open(ctx context.Context, c card.Card, material string) error {
	if c.Type != "physical" {
		return nil
	}
	m, err := ParseMaterial(material)
	if err != nil {
		return err
	}
	return s.Store.CreateFulfilment(ctx, Fulfilment{CardID: c.ID, Material: m, CreatedAt: c.IssuedAt})
}

// ParseMaterial validates a card material; empty means pvc.
func ParseMaterial(m string) (string, error) {
	if m == "" {
		return "pvc", nil
	}
	m = strings.ToLower(m)
	if !slices.Contains(Materials, m) {
		return "", apperr.Field("material", "material must be pvc or metal")
	}
	return m, nil
}

// EventInput is a delivery event as the processor feed sends it.
type EventInput struct {
	Status         string
	TrackingNumber string
	OccurredAt     time.Time
}

// maxSkew is how far in the future an event time may be (processor clocks).
const maxSkew = 24 * time.Hour

// Record stores a delivery event for a card; replaying the same event
// answers it again with created false.
func (s *Service) Record(ctx context.Context, accountID, cardID string, in EventInput) (Event, bool, error) {
	st, err := ParseStatus(in.Status)
	if err != nil {
		return Event{}, false, err
	}
	now := s.Now().UTC()
	switch {
	case in.OccurredAt.IsZero():
		return Event{}, false, apperr.Field("occurredAt", "occurredAt is required (RFC 3339 date-time)")
	case len(in.TrackingNumber) > 50 || !printable(in.TrackingNumber):
		return Event{}, false, apperr.Field("trackingNumber", "trackingNumber must be at most 50 printable characters")
	}
	c, err := s.Cards.Card(ctx, accountID, cardID)
	if err != nil {
		return Event{}, false, err
	}
	if in.OccurredAt.After(s.at(ctx, c.ProgramCode).Add(maxSkew)) {
		return Event{}, false, apperr.Field("occurredAt", "occurredAt is in the future")
	}
	if c.Type != "physical" {
		return Event{}, false, &apperr.Error{Kind: apperr.Conflict, Reason: "VIRTUAL_CARD",
			Message: "a virtual card has no delivery"}
	}
	return s.Store.RecordEvent(ctx, Event{CardID: c.ID, Status: st, OccurredAt: in.OccurredAt.UTC(),
		TrackingNumber: in.TrackingNumber, ReceivedAt: now})
}

// History answers a card's fulfilment record and every event received,
// including those Track ignores (for operators).
func (s *Service) History(ctx context.Context, accountID, cardID string) (Shipment, error) {
	c, err := s.Cards.Card(ctx, accountID, cardID)
	if err != nil {
		return Shipment{}, err
	}
	sh, err := s.Store.Shipments(ctx, []card.Card{c})
	if err != nil || len(sh) == 0 {
		return Shipment{Card: c}, err
	}
	return sh[0], nil
}

// Status answers the delivery status for a card on an account (Track
// over every card of the program sharing its PAN).
func (s *Service) Status(ctx context.Context, accountID, cardID string) (Answer, error) {
	c, err := s.Cards.Card(ctx, accountID, cardID)
	if err != nil {
		return Answer{}, err
	}
	cards, err := s.Store.CardsSharingPAN(ctx, c.ProgramCode, c.ID)
	if err != nil {
		return Answer{}, err
	}
	sh, err := s.Store.Shipments(ctx, cards)
	if err != nil {
		return Answer{}, err
	}
	return Track(sh, s.at(ctx, c.ProgramCode), s.Settings)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
