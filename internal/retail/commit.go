package retail

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// Load commits a validated cash load: the amount is credited to the
// account in the ledger, with the validation's reload fee and merchant fee
// as the posting's fee, in the same transaction as the load's record, so a
// load posts exactly once however often it is retried. Like Validate, the
// error is only for internal failures (1000) and ErrDuplicate; every
// business answer is the Load's outcome. A request id the merchant already
// used for the same request answers the first answer again.
func (s *Service) Load(ctx context.Context, partnerID string, req LoadRequest) (Load, error) {
	req.Kind = KindLoad
	l, pre, err := s.prepareLoad(ctx, partnerID, &req)
	if err != nil || !l.recorded() {
		return l, err
	}
	stored, fresh, err := s.Store.CommitLoad(ctx, l, s.window(l.At), func(ctx context.Context, st LoadState, tx ledger.Tx) (Load, error) {
		if pre != nil {
			return l.rejected(pre.Code, pre.Description), nil
		}
		return s.decideLoad(ctx, l, st, tx)
	})
	return answerLoad(stored, l, fresh, err)
}

// Void reverses a posted load, once and only on the UTC day it was made:
// a posting that takes the amount back and refunds the fees (the exact
// opposite of the load's entries). Errors as Load.
func (s *Service) Void(ctx context.Context, partnerID string, req LoadRequest) (Load, error) {
	req.Kind = KindVoid
	l, pre, err := s.prepareLoad(ctx, partnerID, &req)
	if err != nil || !l.recorded() {
		return l, err
	}
	stored, fresh, err := s.Store.VoidLoad(ctx, l, func(ctx context.Context, st VoidState, tx ledger.Tx) (Load, error) {
		if pre != nil {
			return l.rejected(pre.Code, pre.Description), nil
		}
		return decideVoid(ctx, l, st, tx)
	})
	return answerLoad(stored, l, fresh, err)
}

// LoadRecord answers a recorded load by its responseId (NotFound when
// there is none, or for a void's).
func (s *Service) LoadRecord(ctx context.Context, id string) (Load, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return Load{}, errUnknown
	}
	return s.Store.LoadRecord(ctx, u.String())
}

// prepareLoad runs what needs no lock: basic checks (100) and the
// merchant (130), answered without a record; then the store and user
// (800 to 862), whose failure pre carries into the recorded decision, so
// that a replay of the request id still answers the first answer.
func (s *Service) prepareLoad(ctx context.Context, partnerID string, req *LoadRequest) (Load, *Outcome, error) {
	l := s.newLoad(partnerID, req)
	if msg := req.Check(); msg != "" {
		return l.rejected(CodeInvalidParam, msg), nil, nil
	}
	md := req.Metadata
	pt, err := s.Store.Point(ctx, md.MerchantID, md.StoreID, md.UserID)
	switch {
	case missing(err) || err == nil && (!pt.Merchant.Enabled || pt.Merchant.PartnerID != partnerID):
		return l.rejected(CodeInvalidMerchant, DescInvalidMerchant), nil, nil
	case err != nil:
		return l, nil, apperr.Wrap(err, "card load")
	}
	l.MerchantID, l.RequestID = md.MerchantID, req.RequestID
	var pre *Outcome
	if code, desc := pointFailure(pt); code != 0 {
		pre = &Outcome{Code: code, Description: desc}
	}
	return l, pre, nil
}

// pointFailure answers the store and user checks' code and description
// (800, 801, 861, 862), or 0.
func pointFailure(pt Point) (int, string) {
	switch {
	case pt.Store == nil:
		return CodeInvalidStore, DescInvalidStore
	case pt.Store.Blocked:
		return CodeStoreBlocked, DescStoreBlocked
	case pt.User == nil:
		return CodeUserNotFound, DescUserNotFound
	case !pt.User.Active:
		return CodeUserNotActive, DescUserNotActive
	}
	return 0, ""
}

// answerLoad ends Load and Void: a replay answers the stored load, or
// ErrDuplicate for a different request under the same id (or the same id
// of a merchant that has since moved to another partner).
func answerLoad(stored, asked Load, fresh bool, err error) (Load, error) {
	switch {
	case err != nil:
		return Load{}, apperr.Wrap(err, "card load")
	case fresh:
		return stored, nil
	case stored.Fingerprint != asked.Fingerprint || stored.PartnerID != asked.PartnerID:
		return Load{}, ErrDuplicate
	}
	return stored, nil
}

// decideLoad is a load's rules, under the account lock: the validation
// (100), the account and the program's acceptance of the retailer again
// (110), the daily load limit with what was posted and held since the
// validation (700), then the posting.
func (s *Service) decideLoad(ctx context.Context, l Load, st LoadState, tx ledger.Tx) (Load, error) {
	v := st.Validation
	switch {
	case v == nil || v.PartnerID != l.PartnerID || v.MerchantID != l.MerchantID:
		return l.rejected(CodeInvalidParam, DescNoValidation), nil
	case v.Code != CodeSuccess:
		return l.rejected(CodeInvalidParam, DescNotApproved), nil
	case l.At.Sub(v.At) > s.policy().ValidationTTL:
		return l.rejected(CodeInvalidParam, DescExpired), nil
	case v.Amount != l.Amount:
		return l.rejected(CodeInvalidParam, DescAmountMismatch), nil
	case st.Committed:
		return l.rejected(CodeInvalidParam, DescCommitted), nil
	case st.Target == nil:
		return l.rejected(CodeInvalidAccount, DescAccountNotFound), nil
	}
	t := *st.Target
	if desc := reloadable(t, l.PartnerID, l.At); desc != "" {
		return l.rejected(CodeInvalidAccount, desc), nil
	}
	l.AccountID, l.ReloadFee, l.MerchantFee = t.Account.ID, v.ReloadFee, v.MerchantFee
	l.Outcome = limits(l.Outcome, *t.Settings, l.Amount, st.Used)
	if l.MinAllowed != nil {
		return l.rejected(l.Code, l.Description), nil
	}
	return post(ctx, tx, l, ledger.Request{ProgramCode: t.Account.ProgramCode, AccountID: t.Account.ID,
		AdjustmentID: l.ResponseID, Type: ledger.TypeRetailLoad, Amount: l.Amount, Fee: l.fees(), Currency: t.Currency,
		Description: describe("Retail cash load", l)})
}

// decideVoid is a void's rules, under the account lock: the load (100),
// then the reversing posting. The program's acceptance is not asked
// again: a retailer may always take back its own load the same day.
func decideVoid(ctx context.Context, l Load, st VoidState, tx ledger.Tx) (Load, error) {
	ld := st.Load
	switch {
	case ld == nil || ld.Kind != KindLoad || ld.Status == StatusRejected || ld.PartnerID != l.PartnerID ||
		ld.MerchantID != l.MerchantID:
		return l.rejected(CodeInvalidParam, DescNoLoad), nil
	case ld.Status == StatusVoided || st.Voided:
		return l.rejected(CodeInvalidParam, DescVoided), nil
	case !dayStart(ld.At).Equal(dayStart(l.At)):
		return l.rejected(CodeInvalidParam, DescVoidDay), nil
	case ld.Amount != l.Amount:
		return l.rejected(CodeInvalidParam, DescVoidAmount), nil
	case st.Target == nil:
		return l.rejected(CodeInvalidAccount, DescAccountNotFound), nil
	}
	t := *st.Target
	l.AccountID, l.ReloadFee, l.MerchantFee = ld.AccountID, ld.ReloadFee, ld.MerchantFee
	// A negative fee refunds it: the entries are exactly the load's, negated.
	return post(ctx, tx, l, ledger.Request{ProgramCode: t.Account.ProgramCode, AccountID: ld.AccountID,
		AdjustmentID: l.ResponseID, Type: ledger.TypeRetailLoadVoid, Amount: ld.Amount, Fee: -ld.fees(),
		Currency: t.Currency, Description: describe("Void of retail cash load "+ld.ResponseID, *ld)})
}

// post applies r through the ledger's posting (ledger.Apply) in the
// store's transaction and settles l on its outcome. A business refusal
// posted nothing; an internal error abandons the transaction.
func post(ctx context.Context, tx ledger.Tx, l Load, r ledger.Request) (Load, error) {
	a, err := ledger.Apply(ctx, tx, r, l.At)
	if err == nil {
		if a.Status != ledger.StatusCompleted {
			return l.rejected(CodeUnableToProcess, DescPostingDeclined), nil
		}
		l.Code, l.Description, l.Status, l.PostingID = CodeSuccess, DescSuccess, StatusPosted, a.ID
		return l, nil
	}
	switch e := apperr.As(err); e.Kind {
	case apperr.Internal:
		return l, err
	case apperr.Declined: // the account's status takes no postings
		return l.rejected(CodeInvalidAccount, DescNoInbound), nil
	case apperr.NotFound:
		return l.rejected(CodeInvalidAccount, DescAccountNotFound), nil
	case apperr.Invalid: // the balance would pass the ledger's ceiling
		return l.rejected(CodeLoadLimit, DescLoadLimit), nil
	}
	return l.rejected(CodeUnableToProcess, DescPostingDeclined), nil
}

// describe is the posting's description: where the cash was taken and
// the fees, as the ledger's transaction list shows it.
func describe(what string, l Load) string {
	d := fmt.Sprintf("%s at merchant %s store %s", what, l.MerchantID, l.StoreID)
	if f := l.fees(); f != 0 {
		d += fmt.Sprintf(" (reload fee %s, merchant fee %s)", amountOr0(l.ReloadFee), amountOr0(l.MerchantFee))
	}
	return clip(d, ledger.MaxDescription)
}

func amountOr0(v *int64) string {
	if v == nil {
		return "0.00"
	}
	return money.Format(*v)
}
