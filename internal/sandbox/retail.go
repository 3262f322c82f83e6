package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

// The built-in sandbox merchant's store and user: a simulated cash load
// is made there, through the retail loads service, so its validation,
// fees, daily limit, posting and webhook are the real ones.
const (
	RetailStore = "SANDBOX"
	RetailUser  = "sandbox"
	// RetailMerchantName names the sandbox merchants in the operator's lists.
	RetailMerchantName = "Sandbox cash loads (simulations)"
)

// RetailMerchantFee is the sandbox merchant's fee: none, so a simulated
// load costs exactly the program's reload fee.
var RetailMerchantFee int64

// RetailMerchantID is a partner's sandbox merchant: derived from the
// partner id, so every node names the same merchant without asking
// (merchant ids are at most 20 characters).
func RetailMerchantID(partnerID string) string {
	h := sha256.Sum256([]byte("sandbox-merchant\x00" + partnerID))
	return "sbx-" + hex.EncodeToString(h[:8])
}

// RetailLoads simulates a customer loading cash at the partner's sandbox
// merchant: a validation then a load, as a retailer's point of sale does.
type RetailLoads struct {
	Retail   *retail.Service
	Balances ledger.BalanceReader // nil: balances answered 0.00
}

// EnsureMerchant creates the partner's sandbox merchant, store and user
// when missing. Concurrent callers (on any node) race on the primary
// keys: the loser's duplicate is the winner's row, which is what it wanted.
func (s *RetailLoads) EnsureMerchant(ctx context.Context, partnerID string) (string, error) {
	id := RetailMerchantID(partnerID)
	m, err := s.Retail.Merchant(ctx, id)
	if missing(err) {
		fee := RetailMerchantFee
		_, err = s.Retail.CreateMerchant(ctx, retail.Merchant{ID: id, PartnerID: partnerID, Name: RetailMerchantName,
			MerchantFee: &fee, Enabled: true})
		if taken(err) {
			err = nil
		}
		m.PartnerID = partnerID
	}
	if err != nil {
		return "", err
	}
	if m.PartnerID != partnerID {
		return "", apperr.E(apperr.Internal, "sandbox merchant %s belongs to another partner", id)
	}
	if _, err := s.Retail.Outlet(ctx, id, RetailStore); missing(err) {
		if _, err := s.Retail.CreateOutlet(ctx, retail.Outlet{MerchantID: id, StoreID: RetailStore}); err != nil && !taken(err) {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	if _, err := s.Retail.User(ctx, id, RetailUser); missing(err) {
		if _, err := s.Retail.CreateUser(ctx, retail.User{MerchantID: id, UserID: RetailUser, Active: true}); err != nil && !taken(err) {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	return id, nil
}

// Load validates and commits a cash load of amount (minor units) to
// accountID, which the caller has found in the partner's program. A
// refusal is an error naming why; nothing is posted then.
func (s *RetailLoads) Load(ctx context.Context, partnerID, accountID string, amount int64) (retail.Load, error) {
	merchant, err := s.EnsureMerchant(ctx, partnerID)
	if err != nil {
		return retail.Load{}, err
	}
	md := metadata(merchant)
	amt := money.Amount{Raw: money.Format(amount), Present: true}
	o, err := s.Retail.Validate(ctx, partnerID, retail.Request{RequestID: requestID(), AccountIdentifier: accountID,
		PaymentProgramType: retail.Regular, TransactionAmount: amt, Metadata: md}, s.Balances)
	if err != nil {
		return retail.Load{}, err
	}
	if o.Code != retail.CodeSuccess {
		return retail.Load{}, refusal(accountID, amount, o)
	}
	l, err := s.Retail.Load(ctx, partnerID, retail.LoadRequest{RequestID: requestID(), Ref: o.ResponseID,
		TransactionAmount: amt, Metadata: md})
	if err != nil {
		return retail.Load{}, err
	}
	if l.Code != retail.CodeSuccess {
		return retail.Load{}, refusal(accountID, amount, l.Outcome)
	}
	return l, nil
}

// Void reverses a load of the partner's sandbox merchant, once and on the
// day it was made. ld is the load, as LoadRecord answers it.
func (s *RetailLoads) Void(ctx context.Context, partnerID string, ld retail.Load) (retail.Load, error) {
	if ld.MerchantID != RetailMerchantID(partnerID) || ld.Status == retail.StatusRejected {
		return retail.Load{}, apperr.E(apperr.NotFound, "retail load %s not found", ld.ResponseID)
	}
	if ld.Status == retail.StatusVoided {
		return retail.Load{}, conflict("LOAD_VOIDED", "retail load %s has already been voided", ld.ResponseID)
	}
	v, err := s.Retail.Void(ctx, partnerID, retail.LoadRequest{RequestID: requestID(), Ref: ld.ResponseID,
		TransactionAmount: money.Amount{Raw: money.Format(ld.Amount), Present: true}, Metadata: metadata(ld.MerchantID)})
	if err != nil {
		return retail.Load{}, err
	}
	switch {
	case v.Code == retail.CodeSuccess:
		return v, nil
	case v.Description == retail.DescVoided:
		return retail.Load{}, conflict("LOAD_VOIDED", "retail load %s has already been voided", ld.ResponseID)
	case v.Description == retail.DescVoidDay:
		return retail.Load{}, conflict("VOID_TOO_LATE", "retail load %s cannot be voided: a load can only be voided on the UTC day it was made", ld.ResponseID)
	case v.Description == retail.DescNoLoad:
		return retail.Load{}, apperr.E(apperr.NotFound, "retail load %s not found", ld.ResponseID)
	case v.Code == retail.CodeUnableToProcess:
		return retail.Load{}, conflict("FUNDS_SPENT", "retail load %s cannot be voided: the account no longer holds its amount", ld.ResponseID)
	}
	return retail.Load{}, conflict("VOID_REFUSED", "retail load %s cannot be voided: %s", ld.ResponseID, v.Description)
}

// refusal is the error naming why the retail service refused a load.
func refusal(accountID string, amount int64, o retail.Outcome) error {
	amt := money.Format(amount)
	switch {
	case o.Code == retail.CodeInvalidAccount && o.Description == retail.DescNotReloadable:
		return conflict("NOT_RELOADABLE", "account %s cannot be loaded: its program takes no retail loads (reload settings missing or disabled)", accountID)
	case o.Code == retail.CodeInvalidAccount:
		return conflict("ACCOUNT_NOT_LOADABLE", "account %s cannot be loaded: %s", accountID, o.Description)
	case o.Code == retail.CodeUnableToProcess && o.ReloadFee == nil:
		return conflict("NO_RELOAD_FEE", "account %s cannot be loaded: its program has no reload fee configured", accountID)
	case o.Code == retail.CodeUnableToProcess:
		return conflict("POSTING_DECLINED", "the load of %s to account %s was declined by the ledger", amt, accountID)
	case o.Code == retail.CodeLoadLimit && o.Description == retail.DescDailyLimit:
		e := conflict("DAILY_LIMIT", "amount %s exceeds what is left of account %s's daily load limit (%s)", amt, accountID, orZero(o.MaxAllowed))
		e.Field = "amount"
		return e
	case o.Code == retail.CodeLoadLimit:
		return apperr.Field("amount", "amount %s is outside the program's load bounds: %s to %s may be loaded now", amt, orZero(o.MinAllowed), orZero(o.MaxAllowed))
	case o.Code == retail.CodeThrottled:
		return apperr.E(apperr.RateLimited, "retail loads are throttled for this partner: retry later")
	}
	return conflict("LOAD_REFUSED", "the sandbox merchant refused the load: %s (code %d)", o.Description, o.Code)
}

func metadata(merchantID string) retail.Metadata {
	return retail.Metadata{MerchantID: merchantID, StoreID: RetailStore, UserID: RetailUser,
		RequestDateTime: time.Now().UTC().Format(retail.RequestDateTimeLayout), RegisterID: "sandbox"}
}

// requestID is a fresh retail request id: each simulation is a new
// request (a void twice is refused as already voided, not replayed).
func requestID() string { return "sbx-" + uuid.NewString() }

func orZero(v *int64) string {
	if v == nil {
		return "0.00"
	}
	return money.Format(*v)
}

func missing(err error) bool { return err != nil && apperr.KindOf(err) == apperr.NotFound }
func taken(err error) bool   { return err != nil && apperr.KindOf(err) == apperr.Conflict }
