package customer

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
)

// Cardholder is what a card number leads to: the card, its account and
// the account holder.
type Cardholder struct {
	Card    card.Card
	Account account.Account
}

// Retailer is the optional store block of a lookup, kept in the audit log.
type Retailer struct {
	StoreNumber, StoreName, StateCode string
	Latitude, Longitude               string // decimal text as sent; "" when absent
}

// LookupRecord is one audited lookup: never the PAN.
type LookupRecord struct {
	ID, PartnerID, Outcome, CardID, Last4 string
	At                                    time.Time
	Retailer                              Retailer
}

// LookupStore finds cardholders and keeps the lookup audit log.
type LookupStore interface {
	// CardholderByPAN answers the newest card with this PAN in one of the
	// partner's programs, NotFound if none.
	CardholderByPAN(ctx context.Context, partnerID, pan string) (Cardholder, error)
	Record(ctx context.Context, r LookupRecord) error
	// Lookups answers a partner's audited lookups, newest first.
	Lookups(ctx context.Context, partnerID string, limit int) ([]LookupRecord, error)
}

// The lookup errors (customer-lookup.txt): errorCode in Reason.
var (
	ErrAccountNotFound = &apperr.Error{Kind: apperr.NotFound, Reason: "ACCOUNT_NOT_FOUND", Message: "The provided account doesn't exist."}
	ErrAccountExpired  = &apperr.Error{Kind: apperr.NotFound, Reason: "ACCOUNT_EXPIRED", Message: "Account expired."}
	ErrAccountBlocked  = &apperr.Error{Kind: apperr.NotFound, Reason: "ACCOUNT_BLOCKED", Message: "Account blocked."}
	ErrGatewayTimeout  = &apperr.Error{Kind: apperr.Unavailable, Reason: "GATEWAY_TIMEOUT", Message: "Gateway timeout."}
)

// DefaultLookupTimeout bounds the cardholder query: the page's SLA is 1 s.
const DefaultLookupTimeout = time.Second

// Lookup is the customer lookup by card number.
type Lookup struct {
	Store LookupStore
	Now   func() time.Time
	// Timeout bounds the cardholder query (default DefaultLookupTimeout);
	// past it the answer is GATEWAY_TIMEOUT.
	Timeout time.Duration
}

// ValidPANFormat checks an accountNumber: 12 to 19 digits.
func ValidPANFormat(pan string) bool { return len(pan) >= 12 && len(pan) <= 19 && digits(pan) }

// Find answers the cardholder of a card number within the partner's
// programs and writes the lookup (outcome, last four, retailer) to the
// audit log. A blocked or closed card, or a locked or closed account, is
// ACCOUNT_BLOCKED; a card past its expiry month is ACCOUNT_EXPIRED; a
// query slower than the timeout is GATEWAY_TIMEOUT.
func (l *Lookup) Find(ctx context.Context, partnerID, pan string, rt Retailer) (Cardholder, error) {
	if !ValidPANFormat(pan) {
		return Cardholder{}, apperr.Field("accountNumber", "accountNumber must be 12 to 19 digits")
	}
	now := l.Now().UTC()
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultLookupTimeout
	}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	ch, err := l.Store.CardholderByPAN(qctx, partnerID, pan)
	if err != nil && qctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		err = ErrGatewayTimeout
	}
	cancel()
	rec := LookupRecord{ID: uuid.Must(uuid.NewV7()).String(), PartnerID: partnerID, At: now, Last4: pan[len(pan)-4:], Retailer: rt}
	switch {
	case err == ErrGatewayTimeout:
	case apperr.KindOf(err) == apperr.NotFound:
		err = ErrAccountNotFound
	case err != nil:
		return Cardholder{}, err
	case ch.Card.Status == card.Blocked || ch.Card.Status == card.Closed ||
		ch.Account.Status == account.Locked || ch.Account.Status == account.Closed:
		err = ErrAccountBlocked
	case ch.Card.Expired(now):
		err = ErrAccountExpired
	}
	rec.Outcome, rec.CardID = "FOUND", ch.Card.ID
	if err != nil {
		rec.Outcome = apperr.As(err).Reason
	}
	if rerr := l.Store.Record(ctx, rec); rerr != nil {
		return Cardholder{}, rerr
	}
	return ch, err
}

// ValidateRetailer checks the optional retailer block.
func ValidateRetailer(rt Retailer, latOK, lonOK bool) error {
	switch {
	case len(rt.StoreNumber) > 50:
		return apperr.Field("retailer.storeNumber", "retailer.storeNumber must be at most 50 characters")
	case len(rt.StoreName) > 100:
		return apperr.Field("retailer.storeName", "retailer.storeName must be at most 100 characters")
	case rt.StateCode != "" && (len(rt.StateCode) != 2 || !allowed(rt.StateCode, true, false, "")):
		return apperr.Field("retailer.stateCode", "retailer.stateCode must be a 2-letter state code")
	case !latOK:
		return apperr.Field("retailer.latitude", "retailer.latitude must be a decimal between -90 and 90")
	case !lonOK:
		return apperr.Field("retailer.longitude", "retailer.longitude must be a decimal between -180 and 180")
	}
	if strings.ContainsAny(rt.StoreNumber+rt.StoreName, "\x00\r\n") {
		return apperr.Field("retailer", "retailer fields may not contain control characters")
	}
	return nil
}
