package webhook

import (
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// The payload builders are pure: each turns a domain value into its
// event, so a test can build every event type from fixed inputs (the
// samples of docs/webhooks.md are built this way). None of them takes a
// PAN, an expiry or an SSN: cards appear by last four and BIN, people by
// the last four of their identity.

// Balances is an account's balances after a posting.
type Balances struct {
	Currency         string `json:"currency"`
	AvailableBalance string `json:"availableBalance"`
	PostedBalance    string `json:"postedBalance"`
}

// TransactionData is the payload of a transaction event.
type TransactionData struct {
	Transaction ledger.Transaction `json:"transaction"`
	Balances    Balances           `json:"balances"`
}

// TransactionEvent is the event of a completed posting: the transaction in
// the shape of GET .../transactions and the balances it left.
func TransactionEvent(a ledger.Adjustment, posted, available int64) Event {
	return NewEvent(Transaction, a.ProgramCode, a.AccountID, a.CreatedAt, TransactionData{
		Transaction: ledger.TransactionOf(a),
		Balances:    Balances{Currency: a.Currency, AvailableBalance: money.Format(available), PostedBalance: money.Format(posted)},
	})
}

// The changes an accountUpdated event reports.
const (
	ChangeStatus   = "statusChanged"
	ChangeFeatures = "featuresChanged"
	ChangeTerms    = "termsChanged"
	ChangeOFAC     = "ofacReviewed"
)

// AccountData is the payload of an accountUpdated event: a full account
// snapshot, as the publisher's sample has it, and what changed.
type AccountData struct {
	Account Snapshot `json:"account"`
	Change  string   `json:"change"`
}

// Snapshot is an account with its holder, cards and features.
type Snapshot struct {
	AccountIdentifier            string   `json:"accountIdentifier"`
	Status                       string   `json:"status"`
	AccountStatusChangedDateTime string   `json:"accountStatusChangedDateTime"`
	StatusReasons                []string `json:"statusReasons"`
	AccountHolders               []Holder `json:"accountHolders"`
	Features                     []string `json:"features"`
}

// Holder is an account holder and the cards they hold.
type Holder struct {
	User               User         `json:"user"`
	PaymentInstruments []Instrument `json:"paymentInstruments"`
}

// User is an account holder: the last four digits of the identity only.
type User struct {
	FirstName              string `json:"firstName"`
	LastName               string `json:"lastName"`
	Last4Identity          string `json:"last4Identity"`
	IdentityType           string `json:"identityType"`
	UserIdentifier         string `json:"userIdentifier"`
	IsPrimaryAccountHolder bool   `json:"isPrimaryAccountHolder"`
	Status                 string `json:"status"`
	KYCStateData           KYC    `json:"kycStateData"`
}

// KYC is a holder's screening state.
type KYC struct {
	OFACStatus string `json:"ofacStatus"`
	KYCStatus  string `json:"kycStatus"`
}

// Instrument is a card by its last four digits and BIN.
type Instrument struct {
	PaymentInstrumentIdentifier string `json:"paymentInstrumentIdentifier"`
	PaymentInstrumentType       string `json:"paymentInstrumentType"`
	Status                      string `json:"status"`
	Last4Pan                    string `json:"last4Pan"`
	BIN                         string `json:"bin"`
	EmbossType                  string `json:"embossType,omitempty"`
}

// AccountState is everything an account snapshot is built from, read in
// the transaction of the change. Profile is nil when the holder has no
// customer profile.
type AccountState struct {
	Account  account.Account
	Profile  *customer.Profile
	Cards    []card.Card
	Features []string
}

// AccountEvent is the accountUpdated event of a change to an account.
func AccountEvent(st AccountState, change string, at time.Time) Event {
	a := st.Account
	reason := string(a.Status)
	if a.Status == account.Normal {
		reason = "healthy"
	}
	snap := Snapshot{AccountIdentifier: a.ID, Status: string(a.Status), AccountStatusChangedDateTime: FormatTime(a.UpdatedAt),
		StatusReasons: []string{reason}, Features: st.Features}
	if snap.Features == nil {
		snap.Features = []string{}
	}
	u := User{FirstName: a.Holder.FirstName, LastName: a.Holder.LastName, UserIdentifier: a.Holder.CustomerID,
		IsPrimaryAccountHolder: true, Status: "active", KYCStateData: KYC{OFACStatus: "notScreened", KYCStatus: "notVerified"}}
	if p := st.Profile; p != nil {
		u.KYCStateData = kycOf(p.Status)
		if p.LastFour != "" {
			u.Last4Identity, u.IdentityType = p.LastFour, "ssn"
		}
		if !p.Active {
			u.Status = "inactive"
		}
	}
	h := Holder{User: u, PaymentInstruments: []Instrument{}}
	for _, c := range st.Cards {
		h.PaymentInstruments = append(h.PaymentInstruments, instrumentOf(c))
	}
	snap.AccountHolders = []Holder{h}
	return NewEvent(AccountUpdated, a.ProgramCode, a.ID, at, AccountData{Account: snap, Change: change})
}

func instrumentOf(c card.Card) Instrument {
	return Instrument{PaymentInstrumentIdentifier: c.ID, PaymentInstrumentType: c.Type, Status: string(c.Status),
		Last4Pan: c.Last4, BIN: c.BIN, EmbossType: c.EmbossType}
}

// kycOf maps a customer profile's verification status onto the
// publisher's kycStateData.
func kycOf(s customer.Status) KYC {
	switch s {
	case customer.Verified:
		return KYC{OFACStatus: "passed", KYCStatus: "passed"}
	case customer.Failed:
		return KYC{OFACStatus: "passed", KYCStatus: "failed"}
	case customer.OFACPending:
		return KYC{OFACStatus: "pending", KYCStatus: "pending"}
	case customer.OFACConfirmed:
		return KYC{OFACStatus: "failed", KYCStatus: "failed"}
	}
	return KYC{OFACStatus: "passed", KYCStatus: "pending"}
}

// MailTrackingData is the payload of a mailTracking event: the fields of
// the card delivery status answer.
type MailTrackingData struct {
	MailTracking MailTrackingJSON `json:"mailTracking"`
}

// MailTrackingJSON is a card's delivery status.
type MailTrackingJSON struct {
	PaymentInstrumentIdentifier string  `json:"paymentInstrumentIdentifier"`
	TrackingNumber              *string `json:"trackingNumber"`
	DeliveryMethodCode          string  `json:"deliveryMethodCode"`
	DeliveryMethod              string  `json:"deliveryMethod"`
	DeliveryStatusCode          string  `json:"deliveryStatusCode"`
	DeliveryStatus              string  `json:"deliveryStatus"`
	ShippedDate                 *string `json:"shippedDate"`
	EstimatedArrivalDate        *string `json:"estimatedArrivalDate"`
	Last4Pan                    string  `json:"last4Pan"`
	BIN                         string  `json:"bin"`
	CardHolderName              string  `json:"cardHolderName"`
	ProductMaterialType         string  `json:"productMaterialType"`
	EmbossType                  string  `json:"embossType,omitempty"`
}

// MailTrackingEvent is the mailTracking event of a delivery status change.
func MailTrackingEvent(ans delivery.Answer, holder account.Holder, at time.Time) Event {
	c := ans.Card
	m := MailTrackingJSON{PaymentInstrumentIdentifier: c.ID, DeliveryMethodCode: c.DeliveryMethod,
		DeliveryMethod: delivery.MethodText(c.DeliveryMethod), DeliveryStatusCode: string(ans.Status),
		DeliveryStatus: ans.Status.Text(), ShippedDate: deliveryTime(ans.ShippedAt),
		EstimatedArrivalDate: deliveryTime(ans.EstimatedArrival), Last4Pan: c.Last4, BIN: c.BIN,
		CardHolderName: holder.FirstName + " " + holder.LastName, ProductMaterialType: ans.Material, EmbossType: c.EmbossType}
	if ans.TrackingNumber != "" {
		m.TrackingNumber = &ans.TrackingNumber
	}
	return NewEvent(MailTracking, c.ProgramCode, c.AccountID, at, MailTrackingData{MailTracking: m})
}

// deliveryTime formats a delivery date-time as the delivery status
// answer does.
func deliveryTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// The changes a cardUpdate event reports.
const (
	CardIssued        = "issued"
	CardReplaced      = "replaced"
	CardStatusChanged = "statusChanged"
)

// CardData is the payload of a cardUpdate event.
type CardData struct {
	PaymentInstrument Instrument `json:"paymentInstrument"`
	Change            string     `json:"change"`
	PreviousStatus    string     `json:"previousStatus,omitempty"`
}

// CardEvent is the cardUpdate event of a card issued (a replacement when
// it carries an emboss type) or whose status changed from previous.
func CardEvent(c card.Card, previous card.Status, at time.Time) Event {
	d := CardData{PaymentInstrument: instrumentOf(c), Change: CardIssued}
	switch {
	case previous != "":
		d.Change, d.PreviousStatus = CardStatusChanged, string(previous)
	case c.EmbossType != "":
		d.Change = CardReplaced
	}
	return NewEvent(CardUpdate, c.ProgramCode, c.AccountID, at, d)
}

// CustomerData is the payload of a customerUpdated event.
type CustomerData struct {
	Customer CustomerJSON `json:"customer"`
}

// CustomerJSON is a customer profile's verification state.
type CustomerJSON struct {
	CustomerIdentifier string `json:"customerIdentifier"`
	FirstName          string `json:"firstName"`
	LastName           string `json:"lastName"`
	Last4Identity      string `json:"last4Identity,omitempty"`
	Status             string `json:"status"`
	KYCStateData       KYC    `json:"kycStateData"`
	UpdatedDateTime    string `json:"updatedDateTime"`
}

// CustomerEvent is the customerUpdated event of a profile whose status
// changed (an OFAC review's outcome), sent under the holder's account in
// programCode ("" when the customer holds no account there).
func CustomerEvent(p customer.Profile, programCode, accountID string, at time.Time) Event {
	return NewEvent(CustomerUpdated, programCode, accountID, at, CustomerData{Customer: CustomerJSON{
		CustomerIdentifier: p.ID, FirstName: p.FirstName, LastName: p.LastName, Last4Identity: p.LastFour,
		Status: string(p.Status), KYCStateData: kycOf(p.Status), UpdatedDateTime: FormatTime(p.UpdatedAt)}})
}

// CaseData is the payload of a caseUpdated event. It carries the case's
// workflow state only: never the customer's contact details or an
// agent's notes.
type CaseData struct {
	Case CaseJSON `json:"case"`
}

// CaseJSON is a care case's state after an agent's change.
type CaseJSON struct {
	CaseNumber      string `json:"caseNumber"`
	Status          string `json:"status"`
	PreviousStatus  string `json:"previousStatus,omitempty"`
	Tier            int    `json:"tier"`
	CreatedDateTime string `json:"createdDateTime"`
	UpdatedDateTime string `json:"updatedDateTime"`
}

// CaseEvent is the caseUpdated event of an agent's change to a case.
func CaseEvent(c care.Case, ch care.Change) Event {
	return NewEvent(CaseUpdated, c.ProgramCode, c.AccountID, ch.At, CaseData{Case: CaseJSON{CaseNumber: c.Number,
		Status: string(c.Status), PreviousStatus: string(ch.FromStatus), Tier: c.Tier,
		CreatedDateTime: FormatTime(c.CreatedAt), UpdatedDateTime: FormatTime(c.UpdatedAt)}})
}
