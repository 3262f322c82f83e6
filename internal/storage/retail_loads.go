package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/retail"
)

const loadCols = `id, kind, merchant_id, request_id, partner_id, store_id, user_id, register_id, request_date_time, ref_id,
	account_id, amount, status, posting_id, response_code, response_description, response_body, fingerprint, created_at,
	updated_at`

// The load path's statements (prepared once on SQLite: PrepareWrites,
// stmt.go).
const (
	qLoadByRequest  = `SELECT ` + loadCols + ` FROM retail_loads WHERE merchant_id = ? AND request_id = ?`
	qValidationByID = `SELECT ` + validationCols + ` FROM retail_validations WHERE id = ?`
	qLoadByID       = `SELECT ` + loadCols + ` FROM retail_loads WHERE id = ? AND kind = 'load'`
	qReferenced     = `SELECT COUNT(*) FROM retail_loads WHERE kind = ? AND ref_id = ? AND status <> ?`
	// qLoadUse is qUsedToday and whether the validation was committed, in one read.
	qLoadUse       = `SELECT (` + qUsedToday + `), (SELECT COUNT(*) FROM retail_loads WHERE kind = 'load' AND ref_id = ? AND status <> 'rejected')`
	qPostedBalance = `SELECT COALESCE((SELECT posted FROM ledger_balances WHERE account_id = ?), 0)`
	qInsertLoad    = `INSERT INTO retail_loads (` + loadCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
)

// retailStatements are every statement of a validation's and a load's
// transaction, the ledger's posting included.
var retailStatements = append([]string{qLoadByRequest, qValidationByID, qLoadByID, qReferenced, qPostedBalance,
	qInsertLoad, qInsertValidation, qLockAccountRow, qUsedToday, qLoadUse, qAddLimitUse}, postingStatements...)

// errLoadTaken abandons a load's transaction whose insert found its request
// id taken by a concurrent request: whatever it posted is rolled back, and
// the stored load is answered instead.
var errLoadTaken = errors.New("storage: retail load request id taken")

// CommitLoad implements retail.Store. The load and its ledger posting are
// one transaction (possibly shared with other postings: lockedGroupTx), so
// a load is posted exactly once or not at all. What a load is decided on
// that may change (the loads and holds the daily limit counts, whether the
// validation was committed) is read under the account lock; the validation
// never changes and the account's target is read before, on the read pool,
// so the single writer does less (the ledger checks the account's status
// again under the lock).
func (s *RetailStore) CommitLoad(ctx context.Context, l retail.Load, w retail.Window,
	decide func(context.Context, retail.LoadState, ledger.Tx) (retail.Load, error)) (_ retail.Load, _ bool, err error) {
	defer apperr.Op(&err, "storage.RetailStore.CommitLoad(%s, %s)", l.MerchantID, l.RequestID)
	facts, err := s.loadFacts(ctx, l)
	if err != nil {
		return l, false, err
	}
	if s.db.Engine == Postgres && facts.Target != nil {
		return s.commitLoadPG(ctx, l, w, facts, decide)
	}
	var account string
	if facts.Target != nil {
		account = facts.Target.Account.ID
	}
	return s.recordLoad(ctx, l, account, func(tx *Tx) (retail.Load, error) {
		st := facts
		if st.Target != nil {
			if err := lockAccount(ctx, tx, account); err != nil {
				return l, err
			}
			var committed int
			err := tx.queryRowCached(ctx, qLoadUse, account, Micros(w.DayStart), Micros(w.Now),
				st.Validation.ResponseID).Scan(&st.Used, &committed)
			if err != nil {
				return l, err
			}
			st.Used -= ownHold(st.Validation, w)
			st.Committed = committed > 0
		}
		out, err := decide(ctx, st, ledgerTx{tx})
		if err != nil || out.Status != retail.StatusPosted {
			return out, err
		}
		return out, countLoad(ctx, tx, out, st.Validation)
	})
}

// ownHold is what the validation a load commits holds in w's totals: the
// load is decided without it.
func ownHold(v *retail.Validation, w retail.Window) int64 {
	if v.HoldUntil.After(w.Now) && dayOf(v.At) == Micros(w.DayStart) {
		return v.Amount
	}
	return 0
}

// countLoad moves a posted load's amount into the running totals: it
// counts on its day from now on, and its validation's hold is released
// (on the validation's day, which a hold from an earlier day no longer
// counts on anyway).
func countLoad(ctx context.Context, tx *Tx, l retail.Load, v *retail.Validation) error {
	if err := addLimitUse(ctx, tx, l.AccountID, dayOf(l.At), postedUse, l.Amount); err != nil {
		return err
	}
	if v.HoldUntil.IsZero() {
		return nil
	}
	return addLimitUse(ctx, tx, v.AccountID, dayOf(v.At), Micros(v.HoldUntil), -v.Amount)
}

// loadFacts reads the validation a load names and its account's target.
func (s *RetailStore) loadFacts(ctx context.Context, l retail.Load) (retail.LoadState, error) {
	var st retail.LoadState
	v, err := scanValidation(s.db.hotRow(ctx, qValidationByID, l.Ref))
	if apperr.KindOf(err) == apperr.NotFound {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Validation = &v
	if v.AccountID == "" {
		return st, nil
	}
	t, err := scanTarget(s.db.hotRow(ctx, qTarget, l.PartnerID, v.AccountID))
	if apperr.KindOf(err) == apperr.NotFound {
		return st, nil
	}
	st.Target = &t
	return st, err
}

// VoidLoad implements retail.Store; a posted void marks its load voided in
// the same transaction.
func (s *RetailStore) VoidLoad(ctx context.Context, l retail.Load,
	decide func(context.Context, retail.VoidState, ledger.Tx) (retail.Load, error)) (_ retail.Load, _ bool, err error) {
	defer apperr.Op(&err, "storage.RetailStore.VoidLoad(%s, %s)", l.MerchantID, l.RequestID)
	return s.recordLoad(ctx, l, s.accountOf(ctx, `SELECT account_id FROM retail_loads WHERE id = ?`, l.Ref), func(tx *Tx) (retail.Load, error) {
		st, err := voidState(ctx, tx, l)
		if err != nil {
			return l, err
		}
		out, err := decide(ctx, st, ledgerTx{tx})
		if err != nil || out.Status != retail.StatusPosted {
			return out, err
		}
		_, err = tx.Exec(ctx, `UPDATE retail_loads SET status = ?, updated_at = ? WHERE id = ?`,
			retail.StatusVoided, Micros(out.At), st.Load.ResponseID)
		if err != nil {
			return out, err
		}
		// A voided load no longer counts (a void is on its load's day).
		return out, addLimitUse(ctx, tx, st.Load.AccountID, dayOf(st.Load.At), postedUse, -st.Load.Amount)
	})
}

// LoadRecord implements retail.Store.
func (s *RetailStore) LoadRecord(ctx context.Context, id string) (_ retail.Load, err error) {
	defer apperr.Op(&err, "storage.RetailStore.LoadRecord(%s)", id)
	return scanLoad(s.db.QueryRow(ctx, qLoadByID, id))
}

// accountOf answers the account a load's reference names (the column q
// reads), "" when there is none: the one row lock its transaction takes,
// which lets it share a group commit on either engine.
func (s *RetailStore) accountOf(ctx context.Context, q, ref string) string {
	var id string
	s.db.hotRow(ctx, q, ref).Scan(&id)
	return id
}

// recordLoad answers the load the merchant recorded under l's request id,
// or runs settle and stores what it answers, in one transaction whose only
// row lock is the account's. On SQLite concurrent loads share a commit
// (lockedGroupTx). On PostgreSQL each is a transaction of its own, as a
// validation is (RecordValidation): a shared one runs its members one after
// the other, a dozen round trips each, while holding every member's account
// lock, and with two batches in flight that queue capped loads at a few
// hundred a second, far below what the pool runs in parallel; validations
// of the batch's accounts waited behind it too.
func (s *RetailStore) recordLoad(ctx context.Context, l retail.Load, account string, settle func(tx *Tx) (retail.Load, error)) (retail.Load, bool, error) {
	s.db.PrepareWrites(ctx, retailStatements...)
	var out retail.Load
	var fresh bool
	run := func(fn func(tx *Tx) error) error { return s.db.lockedGroupTx(ctx, account, fn) }
	if s.db.Engine == Postgres {
		run = func(fn func(tx *Tx) error) error { return s.db.Tx(ctx, fn) }
	}
	err := run(func(tx *Tx) error {
		prev, err := scanLoad(tx.queryRowCached(ctx, qLoadByRequest, l.MerchantID, l.RequestID))
		if err == nil {
			out, fresh = prev, false
			return nil
		}
		if apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		if out, err = settle(tx); err != nil {
			return err
		}
		fresh = true
		return insertLoad(ctx, tx, &out)
	})
	if errors.Is(err, errLoadTaken) {
		out, err = scanLoad(s.db.QueryRow(ctx, qLoadByRequest, l.MerchantID, l.RequestID))
		return out, false, err
	}
	return out, fresh, err
}

// voidState reads what a void is decided on: the load again once its
// account is locked (a concurrent void may have just changed it).
func voidState(ctx context.Context, tx *Tx, l retail.Load) (retail.VoidState, error) {
	var st retail.VoidState
	ld, err := scanLoad(tx.queryRowCached(ctx, qLoadByID, l.Ref))
	if apperr.KindOf(err) == apperr.NotFound || err == nil && ld.AccountID == "" {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if st.Target, err = lockedTarget(ctx, tx, l.PartnerID, ld.AccountID); err != nil || st.Target == nil {
		return st, err
	}
	if ld, err = scanLoad(tx.queryRowCached(ctx, qLoadByID, l.Ref)); err != nil {
		return st, err
	}
	st.Load = &ld
	st.Voided, err = referenced(ctx, tx, retail.KindVoid, ld.ResponseID)
	return st, err
}

// lockedTarget locks the account row and reads its target (nil when the
// account is gone).
func lockedTarget(ctx context.Context, tx *Tx, partnerID, accountID string) (*retail.Target, error) {
	if err := lockAccount(ctx, tx, accountID); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	t, err := scanTarget(tx.queryRowCached(ctx, qTarget, partnerID, accountID))
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// referenced reports whether a load or void that is not rejected refers to ref.
func referenced(ctx context.Context, tx *Tx, kind, ref string) (bool, error) {
	var n int
	err := tx.queryRowCached(ctx, qReferenced, kind, ref, retail.StatusRejected).Scan(&n)
	return n > 0, err
}

// insertLoad stores l; a posted one first takes the account's balance after
// its posting (available is posted: the ledger keeps no holds yet).
func insertLoad(ctx context.Context, tx *Tx, l *retail.Load) error {
	if l.Status == retail.StatusPosted {
		var bal int64
		if err := tx.queryRowCached(ctx, qPostedBalance, l.AccountID).Scan(&bal); err != nil {
			return err
		}
		l.AvailableBalance = &bal
	}
	body, _ := json.Marshal(outcomeJSON{AvailableBalance: l.AvailableBalance, ReloadFee: l.ReloadFee,
		MerchantFee: l.MerchantFee, MinAllowed: l.MinAllowed, MaxAllowed: l.MaxAllowed})
	at := Micros(l.At)
	res, err := tx.execCached(ctx, qInsertLoad, l.ResponseID, l.Kind, l.MerchantID, l.RequestID, l.PartnerID, l.StoreID, l.UserID, l.RegisterID, l.RequestDateTime,
		l.Ref, l.AccountID, l.Amount, l.Status, l.PostingID, l.Code, l.Description, string(body), l.Fingerprint, at, at)
	return loadInserted(res, err)
}

// loadInserted answers errLoadTaken when a load's insert found its request
// id taken.
func loadInserted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		// Another request holds the request id (or, impossibly under the
		// account lock, the reference): roll back whatever was posted.
		return errors.Join(errLoadTaken, err)
	}
	return nil
}

func scanLoad(row interface{ Scan(...any) error }) (retail.Load, error) {
	var l retail.Load
	var body string
	var at, updated int64
	err := row.Scan(&l.ResponseID, &l.Kind, &l.MerchantID, &l.RequestID, &l.PartnerID, &l.StoreID, &l.UserID, &l.RegisterID,
		&l.RequestDateTime, &l.Ref, &l.AccountID, &l.Amount, &l.Status, &l.PostingID, &l.Code, &l.Description, &body,
		&l.Fingerprint, &at, &updated)
	if err != nil {
		return l, notFound(err, "load not found")
	}
	l.At = Time(at)
	var o outcomeJSON
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		return l, err
	}
	l.AvailableBalance, l.ReloadFee, l.MerchantFee, l.MinAllowed, l.MaxAllowed = o.AvailableBalance, o.ReloadFee,
		o.MerchantFee, o.MinAllowed, o.MaxAllowed
	return l, nil
}
