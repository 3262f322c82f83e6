// Package retail is retail cash reload: validation ("Get Card Details",
// card-details.txt), where before a retailer takes cash for a card it asks
// whether the card can be reloaded with the amount and what the fees are,
// and verdant's extension that commits a validated load to the ledger and
// voids it. Validation never moves money; every request and its outcome is
// kept for the retailer's audit. This package also owns the retail network
// the rules check (merchants, their stores and users, which retail partners
// may reload a program's cards), each program's reload settings and the
// guard against card-number enumeration.
package retail

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// Merchant is a retail chain a partner works with. A nil MerchantFee
// means no fee is configured (validation answers 600).
type Merchant struct {
	ID          string
	PartnerID   string
	Name        string
	MerchantFee *int64
	Enabled     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Outlet is one of a merchant's stores.
type Outlet struct {
	MerchantID string
	StoreID    string
	Blocked    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// User is a merchant's retail user (a cashier or a system account).
type User struct {
	MerchantID string
	UserID     string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// The card types of the page's enum (README decision: the enum, not the
// sample's "NormalCard").
const (
	CardNormal         = "Normal"
	CardPointOfBanking = "PointofBanking"
)

// Settings are a program's reload settings, in minor units. A nil
// ReloadFee means no fee is configured (validation answers 600).
// RetailPartners are the partners whose merchants may reload the
// program's cards besides its owner: nil opens the program to every
// retail partner, an empty list to its owner only.
type Settings struct {
	ProgramCode    string
	Enabled        bool
	ReloadFee      *int64
	MinLoadAmount  int64
	MaxLoadAmount  int64
	DailyLoadLimit int64
	CardType       string
	RetailPartners []string
	UpdatedAt      time.Time
}

// MaxRetailPartners bounds a program's list of retail partners.
const MaxRetailPartners = 100

var idRE = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,20}$`)
var userRE = regexp.MustCompile(`^[\x21-\x7e]{1,50}$`)

// ParseFee parses an optional fee: absent or null is nil (no fee configured).
func ParseFee(field string, a money.Amount) (*int64, error) {
	if !a.Present || a.Null {
		return nil, nil
	}
	v, err := a.Minor()
	if err != nil || v < 0 {
		return nil, apperr.Field(field, "%s must be a non-negative amount with at most 2 decimals", field)
	}
	return &v, nil
}

// CheckMerchant validates a merchant's fields.
func CheckMerchant(m Merchant) error {
	switch {
	case !idRE.MatchString(m.ID):
		return apperr.Field("merchantId", "merchantId must be 1 to 20 letters, digits or . _ @ -")
	case m.PartnerID == "" || len(m.PartnerID) > 100 || !clean(m.PartnerID):
		return apperr.Field("partnerId", "partnerId is required (a partner's id)")
	case strings.TrimSpace(m.Name) == "" || len(m.Name) > 100 || !clean(m.Name):
		return apperr.Field("name", "name is required (1 to 100 characters)")
	}
	return nil
}

// CheckOutlet validates a store id.
func CheckOutlet(o Outlet) error {
	if !idRE.MatchString(o.StoreID) {
		return apperr.Field("storeId", "storeId must be 1 to 20 letters, digits or . _ @ -")
	}
	return nil
}

// CheckUser validates a retail user id.
func CheckUser(u User) error {
	if !userRE.MatchString(u.UserID) {
		return apperr.Field("userId", "userId must be 1 to 50 printable characters without spaces")
	}
	return nil
}

// CheckSettings validates reload settings and fills the default card type.
func CheckSettings(s *Settings) error {
	if s.CardType == "" {
		s.CardType = CardNormal
	}
	switch {
	case s.CardType != CardNormal && s.CardType != CardPointOfBanking:
		return apperr.Field("reload.cardType", "reload.cardType must be Normal or PointofBanking")
	case s.MinLoadAmount <= 0:
		return apperr.Field("reload.minLoadAmount", "reload.minLoadAmount must be greater than zero")
	case s.MaxLoadAmount < s.MinLoadAmount:
		return apperr.Field("reload.maxLoadAmount", "reload.maxLoadAmount must be at least minLoadAmount")
	case s.DailyLoadLimit < s.MaxLoadAmount:
		return apperr.Field("reload.dailyLoadLimit", "reload.dailyLoadLimit must be at least maxLoadAmount")
	case len(s.RetailPartners) > MaxRetailPartners:
		return apperr.Field("reload.retailPartners", "reload.retailPartners may list at most %d partners", MaxRetailPartners)
	}
	if s.RetailPartners != nil {
		seen := make([]string, 0, len(s.RetailPartners))
		for _, id := range s.RetailPartners {
			if id == "" || len(id) > 100 || !clean(id) {
				return apperr.Field("reload.retailPartners", "reload.retailPartners entries must be partner ids")
			}
			if !slices.Contains(seen, id) {
				seen = append(seen, id)
			}
		}
		slices.Sort(seen)
		s.RetailPartners = seen
	}
	return nil
}

// Point is a merchant with one of its stores and users, as a request
// names them; nil when the merchant has no such store or user.
// ThrottledUntil is when the merchant's partner's throttle ends (zero
// when it was never throttled).
type Point struct {
	Merchant       Merchant
	Store          *Outlet
	User           *User
	ThrottledUntil time.Time
}

// Window is what the daily load limit counts for an account at Now: on
// Now's UTC day (from DayStart), its posted loads and the holds still in
// force of its approved validations that no load has committed. HoldUntil
// is when the hold of a validation approved at Now stops counting
// (HoldEnd).
type Window struct {
	DayStart  time.Time
	Now       time.Time
	HoldUntil time.Time
}

// Store persists the retail network, reload settings, validations, loads
// and throttles.
type Store interface {
	CreateMerchant(ctx context.Context, m Merchant) error
	UpdateMerchant(ctx context.Context, m Merchant) error
	// Merchant answers NotFound for an unknown id.
	Merchant(ctx context.Context, id string) (Merchant, error)
	CreateOutlet(ctx context.Context, o Outlet) error
	UpdateOutlet(ctx context.Context, o Outlet) error
	Outlet(ctx context.Context, merchantID, storeID string) (Outlet, error)
	CreateUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	User(ctx context.Context, merchantID, userID string) (User, error)
	// Settings answers NotFound when a program has none.
	Settings(ctx context.Context, programCode string) (Settings, error)
	// PutSettings stores s and records an AuditReloadUpdated event by
	// actor in the same transaction.
	PutSettings(ctx context.Context, s Settings, actor string) error
	// MissingPartner answers the first of ids that is no partner's ("" when all are).
	MissingPartner(ctx context.Context, ids []string) (string, error)

	// Point answers a merchant with whether it has the store and the
	// user, and its partner's throttle (one read for the checks);
	// NotFound for an unknown merchant.
	Point(ctx context.Context, merchantID, storeID, userID string) (Point, error)
	// Target answers an account with its program's partner and reload
	// settings, and whether partnerID is among the program's retail
	// partners (NotFound for an unknown account).
	Target(ctx context.Context, partnerID, accountID string) (Target, error)
	// TargetsByPAN answers the cards with this PAN, newest first, each
	// with its target as Target answers it for partnerID.
	TargetsByPAN(ctx context.Context, partnerID, pan string) ([]Target, error)
	// RecordValidation stores v. When decide is set (an approvable
	// request), it first locks v's account row, totals what the daily
	// limit counts in w and lets decide settle the outcome with that
	// total; an approved outcome then holds its amount until w.HoldUntil
	// (stored as the validation's HoldUntil). A request id the merchant
	// already used answers the stored validation and false.
	RecordValidation(ctx context.Context, v Validation, w Window, decide func(usedToday int64) Outcome) (Validation, bool, error)
	// Throttle counts partnerID's validations answered 110 since since,
	// or since its last throttle ended (or was lifted) if that is later;
	// when trips says so it throttles the partner until t.EndsAt and,
	// if it was not throttled already, records an audit event in the
	// same transaction and answers true.
	Throttle(ctx context.Context, partnerID string, since time.Time, trips func(misses int) bool, t Throttle) (bool, error)
	// Throttles answers the throttles in force at now (EndsAt after
	// now), in partner id order after after, at most limit, with each
	// partner's name.
	Throttles(ctx context.Context, now time.Time, after string, limit int) ([]Throttle, error)
	// LiftThrottle ends partnerID's throttle in force at now (it ends at
	// now, from which Throttle counts again, and is never in force
	// again), records AuditThrottleLifted by actor in the same
	// transaction and answers the throttle as it stood; ErrNotThrottled
	// when none is in force, or it was lifted already.
	LiftThrottle(ctx context.Context, partnerID string, now time.Time, actor string) (Throttle, error)
	// CommitLoad records a load: a load the merchant already recorded under
	// l.RequestID is answered as stored, with false. Otherwise it reads the
	// LoadState (Used and Committed under the lock of the validation's
	// account) and lets decide settle the load, posting to the ledger
	// through tx in the same transaction; the load is stored as decide
	// answers it. A posted load counts on its day from then on and
	// releases its validation's hold.
	CommitLoad(ctx context.Context, l Load, w Window, decide func(ctx context.Context, st LoadState, tx ledger.Tx) (Load, error)) (Load, bool, error)
	// VoidLoad is CommitLoad for a void: the VoidState is read under the
	// lock of the load's account, and a posted void marks its load voided
	// (which no longer counts against the daily limit).
	VoidLoad(ctx context.Context, l Load, decide func(ctx context.Context, st VoidState, tx ledger.Tx) (Load, error)) (Load, bool, error)
	// LoadRecord answers the load (kind load) whose responseId is id;
	// NotFound when none.
	LoadRecord(ctx context.Context, id string) (Load, error)
}
