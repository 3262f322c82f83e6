// Package sandbox holds the rules of verdant's --sandbox mode
// (docs/sandbox.md): the simulations' transitions, the per-program test
// clock and the webhook test hooks. Simulations call the same domain
// services as the real path, so they answer and notify as it does; this
// package only decides what a simulation may do.
package sandbox

import (
	"slices"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
)

// ShipmentStatuses are the statuses a shipment simulation may set, in
// lifecycle order (delivered and returned both end it).
var ShipmentStatuses = []delivery.Status{delivery.Ordered, delivery.Printing, delivery.Shipped,
	delivery.Delivered, delivery.Returned}

// stage is a status's place in the lifecycle; delivered and returned
// share the last one.
func stage(s delivery.Status) int {
	switch s {
	case delivery.Ordered:
		return 1
	case delivery.Printing:
		return 2
	case delivery.Shipped, delivery.InTransit:
		return 3
	case delivery.Delivered, delivery.Returned:
		return 4
	}
	return 0 // no event yet
}

// ParseShipmentStatus validates a shipment simulation's status.
func ParseShipmentStatus(s string) (delivery.Status, error) {
	if st := delivery.Status(s); slices.Contains(ShipmentStatuses, st) {
		return st, nil
	}
	return "", apperr.Field("status", "status %q is unknown: it must be one of ordered, printing, shipped, delivered, returned", s)
}

// CheckShipment is the rule of a shipment move: the card must be a
// physical card that is not closed, a move only goes forward, and a card
// is delivered or returned only once it has shipped. current is the
// card's latest delivery status ("" when it has none).
func CheckShipment(c card.Card, current, next delivery.Status) error {
	switch {
	case c.Type != "physical":
		return conflict("VIRTUAL_CARD", "payment instrument %s is a virtual card: it is never shipped", c.ID)
	case c.Status == card.Closed:
		return conflict("CARD_CLOSED", "payment instrument %s is closed: it cannot be shipped", c.ID)
	case stage(current) == 4:
		return conflict("SHIPMENT_ENDED", "payment instrument %s is already %s: its shipment has ended", c.ID, current)
	case stage(next) == 4 && stage(current) < 3:
		return conflict("NOT_SHIPPED", "payment instrument %s cannot be %s: it has not shipped (its status is %s)",
			c.ID, next, orNone(current))
	case stage(next) <= stage(current):
		return conflict("SHIPMENT_BACKWARDS", "payment instrument %s is already %s: it cannot move back to %s",
			c.ID, current, next)
	}
	return nil
}

// CheckActivation is the rule of an activation: only a card that is not
// activated yet may be activated (not a closed or blocked one).
func CheckActivation(c card.Card) error {
	switch c.Status {
	case card.NotActivated:
		return nil
	case card.Activated:
		return conflict("CARD_ACTIVE", "payment instrument %s is already activated", c.ID)
	}
	return conflict("CARD_"+string(c.Status), "payment instrument %s is %s: it cannot be activated", c.ID, c.Status)
}

func orNone(s delivery.Status) string {
	if s == "" {
		return "none"
	}
	return string(s)
}

func conflict(reason, format string, args ...any) *apperr.Error {
	e := apperr.E(apperr.Conflict, format, args...)
	e.Reason = reason
	return e
}
