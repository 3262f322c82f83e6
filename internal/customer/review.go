package customer

import (
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// ReviewOutcome is what an operator's decision writes: the decided review
// and the customer's new status.
type ReviewOutcome struct {
	Review     Review // Status, DecidedAt, DecidedBy and Note set
	Status     Status // the customer's status
	DetailCode int
	Detail     string
	Active     bool
}

// reviewStatus is the review status each decision leaves.
var reviewStatus = map[string]string{"confirm": "confirmed", "clear": "cleared"}

// DecideReview is the rule of an operator's decision on a customer's
// pending reviews (oldest first, locked by the store): none is NotFound;
// reviews of two partners under one customer id need d.PartnerID
// (Conflict); otherwise the oldest is decided. Confirm blocks the customer
// (OFACMatch-Confirmed, inactive), clear verifies it. It is pure, so the
// store may run it again when it retries its transaction.
func DecideReview(d Decision, pending []Review, now time.Time) (ReviewOutcome, error) {
	status, ok := reviewStatus[d.Decision]
	switch {
	case !ok:
		return ReviewOutcome{}, apperr.Field("decision", `decision must be "confirm" or "clear"`)
	case len(pending) == 0:
		return ReviewOutcome{}, apperr.E(apperr.NotFound, "no pending sanctions review for customer %s", d.CustomerID)
	case len(pending) > 1 && pending[0].PartnerID != pending[1].PartnerID:
		return ReviewOutcome{}, apperr.E(apperr.Conflict, "customer id %s is used by several partners: give partnerId", d.CustomerID)
	}
	r := pending[0]
	r.Status, r.DecidedAt, r.DecidedBy, r.Note = status, now, d.Actor, d.Note
	if d.Decision == "confirm" {
		return ReviewOutcome{Review: r, Status: OFACConfirmed, DetailCode: DetailOFACConfirmed,
			Detail: "OFAC match confirmed", Active: false}, nil
	}
	return ReviewOutcome{Review: r, Status: Verified, DetailCode: DetailSuccess, Detail: "Success", Active: true}, nil
}
