// Package delivery tracks physical cards from the order to the cardholder
// ("Track My Mail", optional-api-add-ons.txt): each physical card has a
// fulfilment record (delivery method, emboss type, material, tracking
// number) and a history of status events fed by the card processor. The
// rules that turn that history into the partner's answer are pure
// functions (Track), so they are tested by tables.
package delivery

import (
	"slices"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
)

// Status is a delivery status code.
type Status string

// The delivery statuses, in lifecycle order. Activated is never stored as
// an event: it is answered when the card itself is activated.
const (
	Ordered   Status = "ordered"
	Printing  Status = "printing"
	Shipped   Status = "shipped"
	InTransit Status = "inTransit"
	Delivered Status = "delivered"
	Returned  Status = "returned"
	Activated Status = "activated"
)

// EventStatuses are the statuses the processor feed may send.
var EventStatuses = []Status{Ordered, Printing, Shipped, InTransit, Delivered, Returned}

var statusText = map[Status]string{
	Ordered: "Card Ordered", Printing: "Card In Production", Shipped: "Card Shipped",
	InTransit: "Card In Transit", Delivered: "Card Delivered", Returned: "Card Returned",
	Activated: "Card Received and Activated",
}

// Text is the partner-facing description of a status.
func (s Status) Text() string { return statusText[s] }

// rank orders statuses that carry the same time: the later stage wins.
func (s Status) rank() int { return slices.Index(EventStatuses, s) }

// ParseStatus validates a status sent by the processor feed.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); slices.Contains(EventStatuses, st) {
		return st, nil
	}
	return "", apperr.Field("deliveryStatusCode",
		"deliveryStatusCode must be one of ordered, printing, shipped, inTransit, delivered, returned")
}

// MethodText names a delivery method code.
func MethodText(code string) string {
	switch code {
	case "reg":
		return "Regular"
	case "exp":
		return "Expedited"
	}
	return ""
}

// Materials are the card materials.
var Materials = []string{"pvc", "metal"}

// Event is one delivery status event of a card. Events are unique by
// (card, status, time): the feed may resend and reorder them.
type Event struct {
	CardID         string
	Status         Status
	OccurredAt     time.Time
	TrackingNumber string
	ReceivedAt     time.Time
}

// Fulfilment is a physical card's fulfilment record. Delivery method and
// emboss type are the card's own (set when it was issued).
type Fulfilment struct {
	CardID    string
	Material  string
	CreatedAt time.Time
}

// Settings are the configurable delivery rules.
type Settings struct {
	// BusinessDays is the transit time per delivery method code.
	BusinessDays map[string]int
	Calendar     Calendar
	// Window is how long after a card went to fulfilment its delivery is answered.
	Window time.Duration
}

// DefaultSettings are 8 business days Regular (the page's sample: shipped
// Tuesday 3 December 2019, arriving Friday 13 December), 3 Expedited,
// US federal holidays skipped, and the page's 60-day window.
func DefaultSettings() Settings {
	return Settings{BusinessDays: map[string]int{"reg": 8, "exp": 3}, Calendar: Calendar{SkipHolidays: true},
		Window: 60 * 24 * time.Hour}
}

// Shipment is one card with its fulfilment record and events, the input of Track.
type Shipment struct {
	Card       card.Card
	Fulfilment Fulfilment // zero when none was recorded
	Events     []Event
}

// Answer is the delivery status of the card Track picked.
type Answer struct {
	Card             card.Card
	TrackingNumber   string
	Status           Status
	ShippedAt        *time.Time
	EstimatedArrival *time.Time
	Material         string
}

// ErrNotAvailable is the page's 11/1200 business answer.
var ErrNotAvailable = &apperr.Error{Kind: apperr.Declined, Code: 11, SubCode: 1200,
	Message: "Delivery status not available yet"}

// Track answers the delivery status of the most recently shipped physical
// card among shipments (the cards sharing one PAN). The rules:
//   - events dated before their card's issue date are ignored (compared
//     at whole seconds: an event in the second counts);
//   - a card's current status is its latest event by time (a tie goes to
//     the later lifecycle stage), whatever order the events arrived in;
//   - the card picked is the one that went out most recently: its latest
//     "shipped" time, or its issue time while it has not shipped, so a
//     replacement ordered after the old card shipped is the one answered;
//     cards with no events (and not activated) are not candidates;
//   - nothing is answered more than Window after the card went to
//     fulfilment (its issue time): ErrNotAvailable;
//   - an activated card answers "activated" with no estimated arrival;
//   - the estimated arrival is the ship date plus the method's business
//     days, answered while the card is shipped or in transit.
func Track(shipments []Shipment, now time.Time, s Settings) (Answer, error) {
	var best *Shipment
	var bestKey time.Time
	for i := range shipments {
		sh := &shipments[i]
		if sh.Card.Type != "physical" {
			continue
		}
		sh.Events = valid(sh.Card, sh.Events)
		if len(sh.Events) == 0 && sh.Card.Status != card.Activated {
			continue
		}
		key := sh.Card.IssuedAt
		if t := lastOf(sh.Events, Shipped); t != nil && t.After(key) {
			key = *t
		}
		if best == nil || key.After(bestKey) || key.Equal(bestKey) && sh.Card.IssuedAt.After(best.Card.IssuedAt) {
			best, bestKey = sh, key
		}
	}
	if best == nil || now.Sub(best.Card.IssuedAt) > s.Window {
		return Answer{}, ErrNotAvailable
	}
	return answer(*best, s), nil
}

func answer(sh Shipment, s Settings) Answer {
	a := Answer{Card: sh.Card, Material: sh.Fulfilment.Material, ShippedAt: lastOf(sh.Events, Shipped)}
	if a.Material == "" {
		a.Material = "pvc"
	}
	for _, e := range sh.Events { // sorted by time: the last one carrying a number wins
		if e.TrackingNumber != "" {
			a.TrackingNumber = e.TrackingNumber
		}
	}
	if sh.Card.Status == card.Activated {
		a.Status = Activated
		return a
	}
	a.Status = sh.Events[len(sh.Events)-1].Status
	if a.ShippedAt != nil && (a.Status == Shipped || a.Status == InTransit) {
		eta := s.Calendar.AddBusinessDays(*a.ShippedAt, s.BusinessDays[sh.Card.DeliveryMethod])
		a.EstimatedArrival = &eta
	}
	return a
}

// valid drops events before the card's issue date and sorts the rest by
// time, then lifecycle stage. The issue time keeps sub-seconds while a feed
// sends whole seconds, so the comparison is at whole-second precision: an
// event at or after the second counts.
func valid(c card.Card, events []Event) []Event {
	issued := c.IssuedAt.Truncate(time.Second)
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if !e.OccurredAt.Truncate(time.Second).Before(issued) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
			return c
		}
		return a.Status.rank() - b.Status.rank()
	})
	return out
}

// lastOf answers the time of the latest event with status st (events sorted).
func lastOf(events []Event, st Status) *time.Time {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Status == st {
			t := events[i].OccurredAt
			return &t
		}
	}
	return nil
}
