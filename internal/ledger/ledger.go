package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
)

// Request is a validated adjustment request (see ParseRequest).
type Request struct {
	ProgramCode     string
	AccountID       string
	AdjustmentID    string // the partner's adjustmentIdentifier: the idempotency key, per account
	Type            string
	Amount          int64 // minor units, > 0
	Fee             int64 // minor units, >= 0
	Currency        string
	Description     string
	DebitToNegative bool
	// ProgramVersion is the version of the program's settings the request
	// was checked against (its type enabled, its currency), when that was
	// a copy kept in memory: the posting then happens only if the program
	// is still at that version (ErrProgramChanged). 0: checked on a fresh
	// read, nothing to compare. Not part of the request's identity (Hash).
	ProgramVersion int64
}

// Hash is the fingerprint of everything the partner sent, so a replay of
// the same identifier with a different body is told apart (Conflict).
func (r Request) Hash() string {
	s := strings.Join([]string{r.ProgramCode, r.AccountID, r.AdjustmentID, r.Type,
		strconv.FormatInt(r.Amount, 10), strconv.FormatInt(r.Fee, 10), r.Currency, r.Description,
		strconv.FormatBool(r.DebitToNegative)}, "\x00")
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// Adjustment is a recorded adjustment: completed (posted) or declined
// (recorded so a replay answers the same, but nothing posted).
type Adjustment struct {
	Request
	ID        string // internal posting id (UUIDv7); the transactionIdentifier of a posted one
	Status    string
	Reason    string
	Hash      string
	CreatedAt time.Time
}

// Direction is the adjustment's direction for the customer.
func (a Adjustment) Direction() Direction { d, _ := DirectionOf(a.Type); return d }

// PostingState is what a posting decides on, read inside its transaction
// after the account row is locked.
type PostingState struct {
	Posted    int64 // the account's posted balance
	Available int64 // posted less holds
	NB100     bool  // enrolled in the NB100 feature
	// TermsEnforced are the terms identifiers the account's program
	// enforces; NB100TermsAccepted says whether the account accepted
	// NB100's terms (NB100Terms).
	TermsEnforced      []string
	NB100TermsAccepted bool
	Prior              *Adjustment
	// ProgramVersion is the version of the account's program's settings.
	ProgramVersion int64
	// Funding and Fees are the balances of the program's own accounts
	// (FundingAccount, FeeAccount), postings earlier in the same
	// transaction included. They are not locked: their bound
	// (MaxProgramBalance) leaves room for what commits meanwhile.
	Funding, Fees int64
}

// NB100Usable is the terms rule of the account-features page: NB100
// lowers the floor only while the account may use it, that is while its
// program does not enforce NB100's terms or the account accepted them.
// An account enrolled before enforcement that has not accepted them keeps
// the zero floor until the program's backfill records its acceptance.
func (st PostingState) NB100Usable() bool {
	enforced := slices.ContainsFunc(st.TermsEnforced, func(t string) bool { return strings.EqualFold(t, NB100Terms) })
	return st.NB100 && (!enforced || st.NB100TermsAccepted)
}

// Tx is the locked view of the ledger the store gives a posting inside one
// database transaction.
type Tx interface {
	// LockAccount locks the account row (the per-account mutex) and
	// answers its status; NotFound if it is not in the program.
	LockAccount(ctx context.Context, programCode, accountID string) (status string, err error)
	// PostingState reads the balance, the NB100 enrolment, any earlier
	// adjustment with the same identifier and the program accounts'
	// balances; call it after LockAccount.
	PostingState(ctx context.Context, programCode, accountID, adjustmentID string) (PostingState, error)
	// Record stores the adjustment, appends its entries (none when it was
	// declined) and sets the customer's posted balance to newPosted.
	Record(ctx context.Context, a Adjustment, entries []Entry, newPosted int64) error
}

// PostedEntry is a stored entry.
type PostedEntry struct {
	ID           string
	PostingID    string
	AdjustmentID string
	Account      string
	Currency     string
	Amount       int64
	PostedAt     time.Time
}

// TransactionQuery selects an account's posted transactions, newest first.
type TransactionQuery struct {
	AccountID string
	From, To  time.Time // [From, To); zero means unbounded
	// Before is the cursor: answer only transactions strictly older than
	// (BeforeAt, BeforeID).
	BeforeAt time.Time
	BeforeID string
	Limit    int
}

// Store persists the ledger.
type Store interface {
	// Tx runs fn, the posting of r (to r.AccountID, the one account it
	// locks), in a write transaction, which the store may share with
	// concurrent callers (group commit: one durable commit for many
	// postings; the store may read what each posting decides on for all of
	// them at once). fn may run more than once (retries on conflict, and
	// alone again when another member of its group failed), so it must
	// only touch the database through tx. An error from fn abandons its
	// writes.
	Tx(ctx context.Context, r Request, fn func(Tx) error) error
	// Adjustment answers NotFound for an unknown identifier.
	Adjustment(ctx context.Context, accountID, adjustmentID string) (Adjustment, error)
	Balance(ctx context.Context, accountID string) (Balance, error)
	Transactions(ctx context.Context, q TransactionQuery) ([]Adjustment, error)
	RecentEntries(ctx context.Context, accountID string, limit int) ([]PostedEntry, error)
	// Day reads a program's day [from, to) from one consistent snapshot
	// of the ledger, row by row: each adjustment created in it, then each
	// ledger account with entries in it and its balances at from and at
	// to (DayVisitor). It answers the sum of every program ledger
	// account's balance at to, those that did not move included. Its cost
	// follows the entries posted since from, not the program's history.
	Day(ctx context.Context, programCode string, from, to time.Time, v DayVisitor) (ledgerClosing money.Sum, err error)
	// Verify answers every inconsistency found (empty: all good).
	Verify(ctx context.Context) ([]string, error)
}

// Service is the ledger use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

var _ BalanceReader = (*Service)(nil)

// Balance implements BalanceReader.
func (s *Service) Balance(ctx context.Context, accountID string) (Balance, error) {
	return s.Store.Balance(ctx, accountID)
}

// Post applies an adjustment and answers it as recorded: completed,
// declined (insufficientFunds), or the first answer of an earlier request
// with the same identifier. It answers an error for an unknown account, an
// account that takes no adjustments, or an identifier reused with a
// different body (Conflict); nothing is posted then.
func (s *Service) Post(ctx context.Context, r Request) (Adjustment, error) {
	if err := ctx.Err(); err != nil {
		return Adjustment{}, &apperr.Error{Kind: apperr.Unavailable, Message: "request ended before the adjustment was queued; nothing was posted", Err: err}
	}
	// Once begun, the posting is committed or not regardless of the
	// caller (it may share its transaction with others): waiting out the
	// commit keeps the answer truthful.
	ctx = context.WithoutCancel(ctx)
	var out Adjustment
	var answer error
	err := s.Store.Tx(ctx, r, func(tx Tx) error {
		var err error
		out, err = Apply(ctx, tx, r, s.Now().UTC())
		answer = nil
		if err != nil && apperr.KindOf(err) != apperr.Internal {
			// A business answer wrote nothing: let the transaction (and
			// whatever else it carries) commit.
			answer = err
			return nil
		}
		return err
	})
	if err != nil {
		return out, err
	}
	return out, answer
}

// ErrNotFound is answered for an unknown adjustmentIdentifier (BaaS 10/0).
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Code: 10, Message: "Adjustment not found."}

// ErrProgramChanged is answered, with nothing posted, when the program's
// settings moved past the Request's ProgramVersion: the caller decides
// again on a fresh read of the program.
var ErrProgramChanged = &apperr.Error{Kind: apperr.Unavailable,
	Message: "the program's settings changed while the adjustment was checked; retry"}

// ErrConflict is answered when an adjustmentIdentifier is reused with a
// different body.
var ErrConflict = &apperr.Error{Kind: apperr.Conflict, Code: 409,
	Message: "adjustmentIdentifier was already used with a different request"}

// Apply is one posting inside tx: lock the account, answer a replay, check
// the account status and the overdraft rule, record. It returns an
// *apperr.Error that is not Internal for a business outcome; any other
// error means the transaction must be abandoned.
func Apply(ctx context.Context, tx Tx, r Request, now time.Time) (Adjustment, error) {
	status, err := tx.LockAccount(ctx, r.ProgramCode, r.AccountID)
	if err != nil {
		return Adjustment{}, err
	}
	st, err := tx.PostingState(ctx, r.ProgramCode, r.AccountID, r.AdjustmentID)
	if err != nil {
		return Adjustment{}, err
	}
	if r.ProgramVersion != 0 && st.ProgramVersion != r.ProgramVersion {
		return Adjustment{}, ErrProgramChanged
	}
	hash := r.Hash()
	if st.Prior != nil {
		if st.Prior.Hash != hash {
			return Adjustment{}, ErrConflict
		}
		return *st.Prior, nil
	}
	if !TakesAdjustments(status) {
		return Adjustment{}, ErrAccountStatus(status)
	}
	dir, ok := DirectionOf(r.Type)
	if !ok {
		return Adjustment{}, apperr.Field("adjustmentType", "adjustmentType %q is unknown", r.Type)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Adjustment{}, err
	}
	a := Adjustment{Request: r, ID: id.String(), Hash: hash, CreatedAt: now}
	delta := Delta(dir, r.Amount, r.Fee)
	if Overdraft(st.Available, delta, Floor(r.DebitToNegative, st.NB100Usable())) {
		a.Status, a.Reason = StatusDeclined, ReasonInsufficientFunds
		return a, tx.Record(ctx, a, nil, st.Posted)
	}
	if AboveCeiling(st.Posted, delta) {
		return Adjustment{}, apperr.Field("amount", "amount would take the balance above %s", money.Format(MaxBalance)).
			WithCode(CodeInvalid, 0)
	}
	if err := programBound(st, dir, r.Amount, r.Fee); err != nil {
		return Adjustment{}, err
	}
	a.Status, a.Reason = StatusCompleted, ReasonSuccess
	return a, tx.Record(ctx, a, Legs(r.ProgramCode, r.AccountID, dir, r.Amount, r.Fee), st.Posted+delta)
}

// programBound refuses a posting that would take the program's funding or
// fee account beyond MaxProgramBalance, naming the field that moves it.
func programBound(st PostingState, dir Direction, amount, fee int64) error {
	if BeyondProgramBound(st.Funding, -int64(dir)*amount) {
		return apperr.Field("amount", "amount would take the program's funding account beyond ±%s",
			money.Format(MaxProgramBalance)).WithCode(CodeInvalid, 0)
	}
	if BeyondProgramBound(st.Fees, fee) {
		return apperr.Field("fee", "fee would take the program's fee account beyond %s",
			money.Format(MaxProgramBalance)).WithCode(CodeInvalid, 0)
	}
	return nil
}

// Get answers an adjustment by its identifier.
func (s *Service) Get(ctx context.Context, accountID, adjustmentID string) (Adjustment, error) {
	return s.Store.Adjustment(ctx, accountID, adjustmentID)
}

// Transactions answers an account's posted transactions, newest first.
func (s *Service) Transactions(ctx context.Context, q TransactionQuery) ([]Adjustment, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 100
	}
	return s.Store.Transactions(ctx, q)
}

// RecentEntries answers an account's latest entries, newest first.
func (s *Service) RecentEntries(ctx context.Context, accountID string, limit int) ([]PostedEntry, error) {
	return s.Store.RecentEntries(ctx, accountID, limit)
}

// Verify checks that every balance equals the sum of its entries, that
// every posting balances and that the ledger sums to zero per currency.
func (s *Service) Verify(ctx context.Context) ([]string, error) {
	return s.Store.Verify(ctx)
}
