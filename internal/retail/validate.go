package retail

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// The response codes of the page's table.
const (
	CodeSuccess         = 0
	CodeInvalidParam    = 100
	CodeInvalidAccount  = 110
	CodeInvalidMerchant = 130
	CodeUnableToProcess = 600
	CodeLoadLimit       = 700
	CodeInvalidStore    = 800
	CodeStoreBlocked    = 801
	CodeUserNotFound    = 861
	CodeUserNotActive   = 862
	CodeGeneralFailure  = 1000
)

// Descriptions used for the codes whose page text is fixed.
const (
	DescSuccess         = "Success"
	DescAccountNotFound = "Account Not Found."
	DescNotReloadable   = "AccountNotFound"
	DescNoInbound       = "This account is in a restricted state that does not allow inbound or internal transfers."
	DescInvalidMerchant = "InvalidMerchant"
	DescNoFee           = "Unable to process request due to fee split not set and downstream error."
	DescDailyLimit      = "Exceeds account daily load limit"
	DescLoadLimit       = "The transaction amount does not pass load limit verification."
	DescInvalidStore    = "Store was not found"
	DescStoreBlocked    = "The store is blocked"
	DescUserNotFound    = "User is not found."
	DescUserNotActive   = "User is not active."
)

// statusText is the 110 description for each account status that cannot
// be reloaded (the page's messages).
var statusText = map[account.Status]string{
	account.Closed:     "AccountStatus is Closed.",
	account.Pending:    "AccountStatus is Pending.",
	account.Locked:     "AccountStatus is Locked.",
	account.Restricted: "Account Status is Restricted",
}

// Target is an account a reload may go to, with what the rules need.
// Listed says whether the asking partner is among the program's retail
// partners (true for every partner while the program is open to all).
type Target struct {
	Account          account.Account
	ProgramPartnerID string
	Currency         string
	Settings         *Settings  // nil: the program has no reload settings
	Card             *card.Card // set when found by PAN
	Listed           bool

	merchant Merchant
}

// accepts is the retail network's rule: the program's owner may always
// reload its cards (the 110 answers then say why not), another partner
// only while the program's reload is enabled and open to it.
func (t Target) accepts(partnerID string) bool {
	return t.ProgramPartnerID == partnerID || t.Settings != nil && t.Settings.Enabled && t.Listed
}

// Outcome is the answer to a validation. Amounts are minor units; nil is
// answered as null.
type Outcome struct {
	ResponseID       string
	At               time.Time
	Code             int
	Description      string
	AvailableBalance *int64
	ReloadFee        *int64
	MerchantFee      *int64
	MinAllowed       *int64
	MaxAllowed       *int64
	CardType         string
	// RetryAt is when a throttled retailer may ask again (CodeThrottled
	// only; never stored).
	RetryAt time.Time
}

// Validation is an audited request and its outcome (never a full PAN).
type Validation struct {
	Outcome
	MerchantID         string // "" when the request had none usable
	RequestID          string
	PartnerID          string
	StoreID            string
	UserID             string
	RegisterID         string
	AccountID          string
	Last4              string
	Amount             int64
	PaymentProgramType string
	RequestDateTime    string
	Fingerprint        string
	// HoldUntil is when an approved validation's hold on the daily load
	// limit stops counting (zero: it holds nothing).
	HoldUntil time.Time
}

// Indexer computes keyed fingerprints (vault.Vault).
type Indexer interface {
	Index(namespace, value string) string
}

// Service is the retail use cases.
type Service struct {
	Store   Store
	Indexer Indexer
	Policy  Policy // zero fields take DefaultPolicy's
	Now     func() time.Time
}

// ErrDuplicate answers a request id the merchant already used for a
// different request: InvalidParameter (100), HTTP 400 like every other
// validation failure (the page lists no 409).
var ErrDuplicate = &apperr.Error{Kind: apperr.Invalid, Code: CodeInvalidParam,
	Message: "RequestId has already been used for a different request"}

// Validate answers whether req may be reloaded, for the calling partner,
// and records the request and its outcome. The error is only for internal
// failures (answered 1000) and ErrDuplicate; every business answer,
// including InvalidParameter, is an Outcome. A request id the merchant
// already used for the same request answers the first outcome again.
// balances may be nil (no ledger): the balance is then 0.00.
func (s *Service) Validate(ctx context.Context, partnerID string, req Request, balances ledger.BalanceReader) (Outcome, error) {
	v := s.newValidation(partnerID, &req)
	// A repeated request id is found by the audit row's unique key when
	// it is recorded (no read before: most requests are new).
	var decide func(int64) Outcome
	if msg := req.Check(); msg != "" {
		v.Outcome = v.with(CodeInvalidParam, msg)
	} else if o, target, err := s.check(ctx, partnerID, &req, &v); err != nil {
		return s.fail(ctx, v, err)
	} else if o != nil {
		v.Outcome = *o
	} else if v.Outcome, err = s.fees(ctx, &v, target, balances); err != nil {
		return s.fail(ctx, v, err)
	} else if v.Code == CodeSuccess {
		st := *target.Settings
		decide = func(used int64) Outcome { return limits(v.Outcome, st, v.Amount, used) }
	}
	stored, fresh, err := s.Store.RecordValidation(ctx, v, s.window(v.At), decide)
	if err != nil {
		return Outcome{}, err
	}
	if !fresh {
		return replay(stored, v)
	}
	if stored.Code == CodeInvalidAccount {
		s.guard(ctx, partnerID, v.At)
	}
	return stored.Outcome, nil
}

// window is what the daily load limit counts at now.
func (s *Service) window(now time.Time) Window {
	return Window{DayStart: dayStart(now), Now: now, HoldUntil: HoldEnd(now, s.policy().ValidationTTL)}
}

// holdSlices is how many slices a validation's lifetime is cut into for
// its hold: the store totals holds per account, day and slice, so a limit
// check reads at most holdSlices+2 totals however busy the day.
const holdSlices = 15

// HoldEnd answers when the hold of a validation approved at at stops
// counting against the daily load limit: the end of the slice (a
// fifteenth of ttl, counted from the Unix epoch) in which the validation
// expires. That is strictly after at+ttl, so a hold never lapses while its
// validation may still be committed, and at most one slice later (a
// minute at the default 15 minutes).
func HoldEnd(at time.Time, ttl time.Duration) time.Time {
	slice := max((ttl.Microseconds()+holdSlices-1)/holdSlices, 1)
	expires := at.Add(ttl).UnixMicro()
	return time.UnixMicro((expires/slice + 1) * slice).UTC()
}

func (s *Service) newValidation(partnerID string, req *Request) Validation {
	md := req.Metadata
	v := Validation{
		Outcome:   Outcome{ResponseID: uuid.NewString(), At: s.Now().UTC().Truncate(time.Microsecond)}, // as stored
		PartnerID: partnerID, StoreID: clip(md.StoreID, maxStoreID), UserID: clip(md.UserID, maxUserID),
		RegisterID: clip(md.RegisterID, maxRegisterID), PaymentProgramType: clip(req.PaymentProgramType, 20),
		RequestDateTime: clip(md.RequestDateTime, 30), Fingerprint: s.Indexer.Index("retail-request", req.fingerprintText()),
	}
	if len(req.AccountNumber) == 16 && digits(req.AccountNumber) {
		v.Last4 = req.AccountNumber[12:]
	}
	if req.Check() == "" {
		v.Amount = req.Amount()
	}
	return v
}

// replay answers the stored outcome for the same request again, and
// ErrDuplicate for a different request under the same id (or the same id
// of a merchant that has since moved to another partner).
func replay(prev, now Validation) (Outcome, error) {
	if prev.Fingerprint != now.Fingerprint || prev.PartnerID != now.PartnerID {
		return Outcome{}, ErrDuplicate
	}
	return prev.Outcome, nil
}

// fail records an internal failure as a 1000 outcome when it can (best
// effort: the database may be what failed) and answers the error. A
// request whose own context has ended (its client left, or its time is
// up) is not recorded: that record would be a transaction nobody waits
// for, queued behind the very backlog that ended the request, and under
// overload those records were what turned a backlog into a collapse
// (docs/benchmarks/retail.md, issue 18).
func (s *Service) fail(ctx context.Context, v Validation, cause error) (Outcome, error) {
	if ctx.Err() != nil {
		return Outcome{}, apperr.Wrap(cause, "card details")
	}
	v.Outcome = v.with(CodeGeneralFailure, "Service failure.")
	v.MerchantID, v.RequestID = "", "" // a retry under the same id must be processed again
	s.Store.RecordValidation(context.WithoutCancel(ctx), v, Window{}, nil)
	return Outcome{}, apperr.Wrap(cause, "card details")
}

func (v Validation) with(code int, desc string) Outcome {
	o := Outcome{ResponseID: v.ResponseID, At: v.At, Code: code, Description: desc}
	return o
}

// check runs the business rules up to the account: merchant (130), store
// (800, 801), user (861, 862), account (110). A nil outcome means they pass.
func (s *Service) check(ctx context.Context, partnerID string, req *Request, v *Validation) (*Outcome, Target, error) {
	md := req.Metadata
	fail := func(code int, desc string) (*Outcome, Target, error) {
		o := v.with(code, desc)
		return &o, Target{}, nil
	}
	pt, err := s.Store.Point(ctx, md.MerchantID, md.StoreID, md.UserID)
	m := pt.Merchant
	switch {
	case missing(err) || err == nil && (!m.Enabled || m.PartnerID != partnerID):
		return fail(CodeInvalidMerchant, DescInvalidMerchant)
	case err != nil:
		return nil, Target{}, err
	}
	// A throttled retailer learns nothing more, and its request takes no
	// request id: asked again once the throttle ends, it is answered.
	if throttled(pt.ThrottledUntil, v.At) {
		o := v.with(CodeThrottled, DescThrottled)
		o.RetryAt = pt.ThrottledUntil
		return &o, Target{}, nil
	}
	// Only now is the merchant known to be the caller's: from here the
	// request is recorded under the merchant's request id (its replay key).
	// Before, another partner naming this merchant could read or occupy
	// the merchant's ids.
	if req.auditable() {
		v.MerchantID, v.RequestID = md.MerchantID, req.RequestID
	}
	if code, desc := pointFailure(pt); code != 0 {
		return fail(code, desc)
	}
	t, err := s.target(ctx, partnerID, req)
	if missing(err) {
		return fail(CodeInvalidAccount, DescAccountNotFound)
	} else if err != nil {
		return nil, Target{}, err
	}
	if t.accepts(partnerID) { // never record an account the retailer may not see
		v.AccountID = t.Account.ID
		if t.Card != nil {
			v.Last4 = t.Card.Last4
		}
	}
	if desc := reloadable(t, partnerID, v.At); desc != "" {
		return fail(CodeInvalidAccount, desc)
	}
	t.merchant = m
	return nil, t, nil
}

// target resolves the account by PAN and/or identifier; when both are
// given they must designate the same account.
func (s *Service) target(ctx context.Context, partnerID string, req *Request) (Target, error) {
	if req.AccountNumber != "" {
		ts, err := s.Store.TargetsByPAN(ctx, partnerID, req.AccountNumber)
		if err != nil {
			return Target{}, err
		}
		t, ok := pick(ts, partnerID)
		if !ok {
			return t, account.ErrNotFound
		}
		if req.AccountIdentifier != "" {
			if id, _ := account.ParseID(req.AccountIdentifier); id != t.Account.ID {
				return t, account.ErrNotFound
			}
		}
		return t, nil
	}
	id, _ := account.ParseID(req.AccountIdentifier)
	return s.Store.Target(ctx, partnerID, id)
}

// pick chooses among the cards carrying one PAN (newest first) the one a
// retailer reloads: the newest in its own programs, else the newest in a
// program that accepts it. A card in a program closed to the retailer is
// never chosen, so it cannot hide an acceptable one.
func pick(ts []Target, partnerID string) (Target, bool) {
	for _, own := range []bool{true, false} {
		for _, t := range ts {
			if (t.ProgramPartnerID == partnerID) == own && t.accepts(partnerID) {
				return t, true
			}
		}
	}
	return Target{}, false
}

// reloadable answers the 110 description that stops a reload to t, or "".
// An account of a program that does not accept the retailer is answered
// exactly as an account that does not exist.
func reloadable(t Target, partnerID string, now time.Time) string {
	switch {
	case !t.accepts(partnerID):
		return DescAccountNotFound
	case statusText[t.Account.Status] != "":
		return statusText[t.Account.Status]
	case t.Card != nil && (t.Card.Status == card.Blocked || t.Card.Status == card.Closed || t.Card.Expired(now)):
		return DescNoInbound
	case t.Settings == nil || !t.Settings.Enabled:
		return DescNotReloadable
	}
	return ""
}

// fees fills the balance and each configured fee (reloadFee from the
// program, merchantFee from the merchant; null only when not configured):
// 600 when the merchant or the program has no fee configured.
func (s *Service) fees(ctx context.Context, v *Validation, t Target, balances ledger.BalanceReader) (Outcome, error) {
	o := v.with(CodeSuccess, DescSuccess)
	var bal int64
	if balances != nil {
		b, err := balances.Balance(ctx, t.Account.ID)
		if err != nil {
			return o, err
		}
		bal = b.Available
	}
	o.AvailableBalance = &bal
	o.MerchantFee, o.ReloadFee = t.merchant.MerchantFee, t.Settings.ReloadFee
	if o.MerchantFee == nil || o.ReloadFee == nil {
		o.Code, o.Description = CodeUnableToProcess, DescNoFee
		return o, nil
	}
	o.CardType = t.Settings.CardType
	return o, nil
}

// limits settles an otherwise approvable outcome against the per-load
// bounds and the daily load limit (700, with the allowed range filled).
// used is the sum of the account's approved validations today.
func limits(o Outcome, st Settings, amount, used int64) Outcome {
	remaining := max(st.DailyLoadLimit-used, 0)
	switch {
	case amount < st.MinLoadAmount || amount > st.MaxLoadAmount:
		o.Code, o.Description = CodeLoadLimit, DescLoadLimit
	case amount > remaining:
		o.Code, o.Description = CodeLoadLimit, DescDailyLimit
	default:
		return o
	}
	lo, hi := st.MinLoadAmount, min(st.MaxLoadAmount, remaining)
	o.MinAllowed, o.MaxAllowed = &lo, &hi
	return o
}

// dayStart is the start of t's UTC day, the daily load limit's window.
func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func missing(err error) bool { return err != nil && apperr.KindOf(err) == apperr.NotFound }

// clip makes partner text storable in the audit: valid UTF-8 without
// control characters, at most n bytes.
func clip(s string, n int) string {
	if !clean(s) {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == utf8.RuneError {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, ""))
	}
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}
