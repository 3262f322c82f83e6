package webhook

import (
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// The samples are built by the payload builders from fixed inputs: the
// documentation shows them (a test checks docs/webhooks.md against them)
// and an operator's test event sends them.

const (
	sampleProgram = "SAMPLE"
	sampleAccount = "23b3c1e7-5b4e-4c6a-9d1e-6f0d2a8b7c31"
	sampleCard    = "6a1f8c2e-0b7d-4e59-8f3a-2c4d6e8f0a1b"
)

var sampleAt = time.Date(2025, 6, 24, 11, 27, 39, 187_000_000, time.UTC)

// sampleIDs are fixed event identifiers, one per type.
var sampleIDs = map[string]string{
	Transaction:     "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a01",
	AccountUpdated:  "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a02",
	MailTracking:    "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a03",
	CardUpdate:      "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a04",
	CustomerUpdated: "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a05",
	CaseUpdated:     "0197a1b2-3c4d-7e5f-8a6b-1c2d3e4f5a06",
}

func sampleCardOf() card.Card {
	return card.Card{ID: sampleCard, AccountID: sampleAccount, ProgramCode: sampleProgram, Last4: "1234", BIN: "499998",
		Type: "physical", Status: card.Activated, DeliveryMethod: "reg", IssuedAt: sampleAt.Add(-10 * 24 * time.Hour)}
}

var sampleHolder = account.Holder{FirstName: "Jack", LastName: "White", ZipCode: "91107", CustomerID: "cust-0042"}

// Sample answers the sample event of type t (the zero Event for an
// unknown type).
func Sample(t string) Event {
	var e Event
	switch t {
	case Transaction:
		e = TransactionEvent(ledger.Adjustment{Request: ledger.Request{ProgramCode: sampleProgram, AccountID: sampleAccount,
			AdjustmentID: "9d2f6a54-8c1e-4b7a-a3d5-0e6f7a8b9c10", Type: "disbursement", Amount: 1286, Currency: "USD",
			Description: "Refund for order 1138"}, ID: "0197a1b2-3c4d-7e5f-8a6b-000000000001", Status: ledger.StatusCompleted,
			CreatedAt: sampleAt}, 5286, 5286)
	case AccountUpdated:
		p := customer.Profile{ID: "cust-0042", FirstName: "Jack", LastName: "White", LastFour: "7784",
			Status: customer.Verified, Active: true}
		e = AccountEvent(AccountState{Account: account.Account{ID: sampleAccount, ProgramCode: sampleProgram,
			Status: account.Normal, Holder: sampleHolder, UpdatedAt: sampleAt.Add(-3 * time.Second)},
			Profile: &p, Cards: []card.Card{sampleCardOf()}, Features: []string{"NB100"}}, ChangeStatus, sampleAt)
	case MailTracking:
		shipped := time.Date(2025, 6, 20, 14, 2, 11, 0, time.UTC)
		eta := time.Date(2025, 7, 2, 14, 2, 11, 0, time.UTC)
		c := sampleCardOf()
		c.Status = card.NotActivated
		e = MailTrackingEvent(delivery.Answer{Card: c, TrackingNumber: "9400111899223197428490", Status: delivery.InTransit,
			ShippedAt: &shipped, EstimatedArrival: &eta, Material: "pvc"}, sampleHolder, sampleAt)
	case CardUpdate:
		e = CardEvent(sampleCardOf(), card.NotActivated, sampleAt)
	case CustomerUpdated:
		e = CustomerEvent(customer.Profile{ID: "cust-0042", FirstName: "Jack", LastName: "White", LastFour: "7784",
			Status: customer.Verified, Active: true, UpdatedAt: sampleAt}, sampleProgram, sampleAccount, sampleAt)
	case CaseUpdated:
		c := care.Case{Number: "CASE00412345", ProgramCode: sampleProgram, AccountID: sampleAccount, Status: care.Resolved,
			Tier: care.Tier1, CreatedAt: sampleAt.Add(-26 * time.Hour), UpdatedAt: sampleAt}
		e = CaseEvent(c, care.Change{At: sampleAt, FromStatus: care.InProgress, ToStatus: care.Resolved})
	default:
		return Event{}
	}
	e.ID = sampleIDs[t]
	return e
}
