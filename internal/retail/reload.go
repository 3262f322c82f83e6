// Package retail is retail cash-reload validation ("Get Card Details",
// card-details.txt): before a retailer takes cash for a card, it asks
// whether the card can be reloaded with the amount and what the fees
// are. Validation never moves money; every request and its outcome is
// kept for the retailer's audit. This package also owns the retail
// network the rules check (merchants, their stores and users) and each
// program's reload settings.
package retail

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
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
type Settings struct {
	ProgramCode    string
	Enabled        bool
	ReloadFee      *int64
	MinLoadAmount  int64
	MaxLoadAmount  int64
	DailyLoadLimit int64
	CardType       string
	UpdatedAt      time.Time
}

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
	}
	return nil
}

// Point is a merchant with one of its stores and users, as a request
// names them; nil when the merchant has no such store or user.
type Point struct {
	Merchant Merchant
	Store    *Outlet
	User     *User
}

// Store persists the retail network, reload settings and validations.
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
	// PutSettings stores s with an audit event by actor in the same
	// transaction.
	PutSettings(ctx context.Context, s Settings, actor string) error

	// Point answers a merchant with whether it has the store and the
	// user (one read for the three checks); NotFound for an unknown merchant.
	Point(ctx context.Context, merchantID, storeID, userID string) (Point, error)
	// Target answers an account with its program's partner and
	// reload settings (NotFound for an unknown account).
	Target(ctx context.Context, accountID string) (Target, error)
	// TargetByPAN answers the newest card with this PAN in the partner's
	// programs, and its target.
	TargetByPAN(ctx context.Context, partnerID, pan string) (Target, error)
	// RecordValidation stores v. When decide is set (an approvable
	// request), it first locks v's account row, sums the account's
	// approved validations since dayStart and lets decide settle the
	// outcome with that sum. A request id the merchant already used
	// answers the stored validation and false.
	RecordValidation(ctx context.Context, v Validation, dayStart time.Time, decide func(usedToday int64) Outcome) (Validation, bool, error)
}
